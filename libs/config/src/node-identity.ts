// Who this node is: its id (persisted under the prefix), hostname and releases. Shared by the control plane's
// `GET /`, the data plane's cluster pulls and the prometheus `kong_node_info` metric.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import type { Settings } from './types';

/** The Kong release whose Admin API we implement: Kong clients pick features from `GET /`'s `version`. */
export const KONG_COMPATIBLE_VERSION = '3.10.0';

export interface NodeIdentity {
  readonly nodeId: string;
  readonly hostname: string;
  readonly tollgateVersion: string;
}

/** `node_id` from the settings, else the id persisted under the prefix (generated once, like Kong's kong.id). */
export function resolveNodeIdentity(settings: Pick<Settings, 'node_id' | 'prefix'>): NodeIdentity {
  return { nodeId: settings.node_id ?? persistedNodeId(settings.prefix), hostname: hostname(), tollgateVersion: tollgateVersion() };
}

function persistedNodeId(prefix: string): string {
  const path = join(prefix, 'tollgate.id');
  try {
    const stored = readFileSync(path, 'utf8').trim();
    if (/^[0-9a-f-]{36}$/i.test(stored)) return stored;
  } catch {
    // first start: fall through and create it
  }
  const id = randomUUID();
  try {
    mkdirSync(prefix, { recursive: true, mode: 0o700 });
    writeFileSync(path, `${id}\n`, { mode: 0o644 });
  } catch {
    // a read-only prefix only costs a new id per start
  }
  return id;
}

/** Tollgate's own release, from the package.json of the running tree (the compiled tree sits deeper than the source). */
export function tollgateVersion(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (pkg.name === 'tollgate') return pkg.version;
    } catch {
      // keep walking up
    }
  }
  return '0.0.0';
}
