// The data plane's identity in /clustering/data-planes: `node_id` when set, else a UUID generated on first
// start and kept in <prefix>/node_id so a restarted data plane stays the same row.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function resolveDataPlaneId(nodeId: string | null, prefix: string): string {
  if (nodeId) return nodeId;
  const path = join(prefix, 'node_id');
  try {
    const stored = readFileSync(path, 'utf8').trim();
    if (UUID.test(stored)) return stored;
  } catch {
    // first start
  }
  const id = randomUUID();
  try {
    mkdirSync(prefix, { recursive: true });
    writeFileSync(path, `${id}\n`, { mode: 0o644 });
  } catch {
    // a read-only prefix costs a new row per start, nothing else
  }
  return id;
}
