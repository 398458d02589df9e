import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Settings } from '@tollgate/config';
import packageJson from '../../../../package.json';

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
    mkdirSync(prefix, { recursive: true });
    writeFileSync(path, `${id}\n`, { mode: 0o644 });
  } catch {
    // a read-only prefix only costs a new id per start
  }
  return id;
}

function tollgateVersion(): string {
  return packageJson.version;
}
