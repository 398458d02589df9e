// Parses and checks the query of a data plane's pull (GET /v1/config?...).
import { DEFAULT_HOLD_MS, MAX_HOLD_MS, type PullQuery } from '../../../proxy/src/provider/remote/protocol';

export type ParsedPull = { readonly ok: true; readonly query: PullQuery & { readonly wait: number } } | { readonly ok: false; readonly message: string };

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
  return {
    ok: true,
    query: { node_id: nodeId, node_hostname: search.get('node_hostname') ?? '', node_version: version, config_hash: hash, labels, plugins, wait: Math.min(wait, MAX_HOLD_MS) },
  };
}
