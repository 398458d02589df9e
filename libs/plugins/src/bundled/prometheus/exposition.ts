// Kong's spelling of histogram buckets in the scrape. Kong (nginx-lua-prometheus) zero-pads `le` so the buckets
// sort as text, and puts `le` last: `kong_request_latency_ms_bucket{service="s",route="r",workspace="default",le="00005.0"}`.
// prom-client prints `{le="5",service="s",...}`. Dashboards written for Kong select on the padded strings, so the
// exposition text is rewritten on its way out (after the per-worker aggregation too, which prints like prom-client).

/** Kong's DEFAULT_BUCKETS for the latency histograms (ms). */
export const LATENCY_BUCKETS: readonly number[] = [1, 2, 5, 7, 10, 15, 20, 30, 50, 75, 100, 200, 500, 750, 1000, 2000, 5000, 10000, 30000, 60000];

const LATENCY_HISTOGRAMS = ['kong_request_latency_ms', 'kong_upstream_latency_ms', 'kong_kong_latency_ms'];

/**
 * prom-client's `le` value -> Kong's, for one bucket list. Kong's width and precision: the most integer digits
 * and the most decimals (at least one of each) of any bucket, so {1, ..., 60000} gives `%07.1f`: 00001.0 ... 60000.0.
 */
export function kongBucketLabels(buckets: readonly number[]): ReadonlyMap<string, string> {
  let order = 1;
  let precision = 1;
  for (const bucket of buckets) {
    const text = bucket.toFixed(6).replace(/0+$/, ''); // Lua's %f, trailing zeros dropped
    const dot = text.indexOf('.');
    order = Math.max(order, dot);
    precision = Math.max(precision, text.length - dot - 1);
  }
  const width = order + precision + 1;
  const labels = new Map<string, string>([['+Inf', '+Inf']]);
  for (const bucket of buckets) labels.set(String(bucket), bucket.toFixed(precision).padStart(width, '0'));
  return labels;
}

const LATENCY_LABELS = kongBucketLabels(LATENCY_BUCKETS);
const BUCKET_PREFIXES = LATENCY_HISTOGRAMS.map((name) => `${name}_bucket{`);

/** The Prometheus text exposition with Kong's bucket labels for Kong's latency histograms; other lines unchanged. */
export function formatKongExposition(text: string): string {
  if (!BUCKET_PREFIXES.some((prefix) => text.includes(prefix))) return text;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('kong_') && BUCKET_PREFIXES.some((prefix) => line.startsWith(prefix))) lines[i] = rewriteBucket(line);
  }
  return lines.join('\n');
}

/** `m_bucket{le="5",a="x"} 3` -> `m_bucket{a="x",le="00005.0"} 3`. A line it does not understand is kept as is. */
function rewriteBucket(line: string): string {
  const open = line.indexOf('{');
  const close = line.lastIndexOf('}');
  if (close < open) return line;
  const labels = line.slice(open + 1, close);
  // label values are escaped (\"), so `le="` right after `{` or `,` is the le label itself
  let start = 0;
  if (!labels.startsWith('le="')) {
    const comma = labels.indexOf(',le="');
    if (comma < 0) return line;
    start = comma + 1;
  }
  const valueStart = start + 4;
  const valueEnd = labels.indexOf('"', valueStart);
  if (valueEnd < 0) return line;
  const le = LATENCY_LABELS.get(labels.slice(valueStart, valueEnd));
  if (le === undefined) return line;
  const before = labels.slice(0, start === 0 ? 0 : start - 1);
  const after = labels.slice(labels[valueEnd + 1] === ',' ? valueEnd + 2 : valueEnd + 1);
  const others = before && after ? `${before},${after}` : before || after;
  return `${line.slice(0, open + 1)}${others ? `${others},` : ''}le="${le}"${line.slice(close)}`;
}
