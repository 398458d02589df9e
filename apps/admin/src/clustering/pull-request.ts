// Parses and checks the query of a data plane's pull (GET /v1/config?...).
import { DEFAULT_HOLD_MS, MAX_HOLD_MS, MAX_REPORTED_HASHES, type PullQuery } from '@tollgate/protocol';

export type ParsedPull = { readonly ok: true; readonly query: PullQuery & { readonly wait: number; readonly release_stats: Readonly<Record<string, readonly [number, number]>> } } | { readonly ok: false; readonly message: string };

const HASH = /^[0-9a-f]{64}$/;

export function parsePull(search: URLSearchParams): ParsedPull {
  const nodeId = search.get('node_id');
  const version = search.get('node_version');
  if (!nodeId) return { ok: false, message: "'node_id' is required" };
  if (!version) return { ok: false, message: "'node_version' is required" };
  const hash = search.get('config_hash') ?? '';
  if (hash !== '' && !HASH.test(hash)) return { ok: false, message: "'config_hash' must be 64 hex characters" };
  let labels: Record<string, string> = {};
  const rawLabels = search.get('labels');
  if (rawLabels) {
    try {
      const parsed: unknown = JSON.parse(rawLabels);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !Object.values(parsed).every((v) => typeof v === 'string')) throw new Error();
      labels = parsed as Record<string, string>;
    } catch {
      return { ok: false, message: "'labels' must be a JSON object of strings" };
    }
  }
  const waitText = search.get('wait');
  const wait = waitText === null ? DEFAULT_HOLD_MS : Number(waitText);
  if (!Number.isInteger(wait) || wait < 0) return { ok: false, message: "'wait' must be a non-negative integer (milliseconds)" };
  const plugins = (search.get('plugins') ?? '').split(',').filter(Boolean);
  const stats = parseReleaseStats(search.get('release_stats'));
  if (stats === null) return { ok: false, message: "'release_stats' must be a JSON object of at most 8 config hashes, each [requests, errors] as non-negative integers" };
  return {
    ok: true,
    query: { node_id: nodeId, node_hostname: search.get('node_hostname') ?? '', node_version: version, config_hash: hash, labels, plugins, wait: Math.min(wait, MAX_HOLD_MS), release_stats: stats },
  };
}

/** `release_stats`: hash -> [requests, 5xx answers]; {} when absent, null when malformed. */
function parseReleaseStats(text: string | null): Record<string, [number, number]> | null {
  if (text === null || text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const entries = Object.entries(parsed);
  if (entries.length > MAX_REPORTED_HASHES) return null;
  const count = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  for (const [hash, value] of entries) {
    if (!HASH.test(hash) || !Array.isArray(value) || value.length !== 2 || !count(value[0]) || !count(value[1]) || value[1] > value[0]) return null;
  }
  return parsed as Record<string, [number, number]>;
}
