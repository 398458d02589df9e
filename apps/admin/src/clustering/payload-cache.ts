// What the cluster listener sends: for a data plane holding a recent version, the delta from that version;
// otherwise the full snapshot. Encoded (JSON + compression) once per (base, current, encoding) and shared by
// every data plane asking the same question, so N data planes cost one export, one diff and one compression.
import { promisify } from 'node:util';
import { brotliCompress, brotliCompressSync, constants as zlib, gzip, gzipSync } from 'node:zlib';
import { diffSnapshots, type SnapshotDelta, type VersionedSnapshot } from '@tollgate/declarative';
import type { ConfigPayload } from '@tollgate/protocol';
import { configuredPlugins } from './compat';

export type Encoding = 'br' | 'gzip' | 'identity';

export interface EncodedPayload {
  readonly type: ConfigPayload['type'];
  readonly body: Buffer;
  readonly encoding: Encoding;
  readonly snapshot: VersionedSnapshot;
}

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/** Versions kept for deltas; a data plane further behind gets the full snapshot. */
export const HISTORY_SIZE = 32;

export function pickEncoding(acceptEncoding: string | undefined): Encoding {
  const accepted = (acceptEncoding ?? '').toLowerCase();
  if (/\bbr\b/.test(accepted)) return 'br';
  if (/\bgzip\b/.test(accepted)) return 'gzip';
  return 'identity';
}

/**
 * Bodies below this size (every one-route delta) are compressed on the event loop: that takes tens of microseconds,
 * less than the round trip through libuv's thread pool it replaces, which is on the propagation path.
 */
export const SYNC_COMPRESS_BELOW = 64 * 1024;

async function compress(json: string, encoding: Encoding): Promise<Buffer> {
  const raw = Buffer.from(json);
  const small = raw.length < SYNC_COMPRESS_BELOW;
  if (encoding === 'br') {
    // quality 5: most of brotli's ratio at a small fraction of the default (11) CPU cost on large configs
    const options = { params: { [zlib.BROTLI_PARAM_QUALITY]: 5, [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length } };
    return small ? brotliCompressSync(raw, options) : brotli(raw, options);
  }
  if (encoding === 'gzip') return small ? gzipSync(raw, { level: 6 }) : gz(raw, { level: 6 });
  return raw;
}

/** A full payload of `snapshot`, outside the cache (a rollout's pinned release). */
export async function encodeFull(snapshot: VersionedSnapshot, encoding: Encoding): Promise<EncodedPayload> {
  const payload: ConfigPayload = { type: 'full', hash: snapshot.hash, version: snapshot.version, config: snapshot.config };
  return { type: 'full', body: await compress(JSON.stringify(payload), encoding), encoding, snapshot };
}

export class PayloadCache {
  private readonly history = new Map<string, VersionedSnapshot>();
  private current: VersionedSnapshot | null = null;
  /** The delta the current version was built with, from `base_hash` (the version before it), when known. */
  private origin: { readonly base_hash: string; readonly delta: SnapshotDelta } | null = null;
  private encoded = new Map<string, Promise<EncodedPayload>>();
  private plugins: Set<string> = new Set();

  /**
   * Records a new current version (called for every snapshot the control plane publishes). `origin`: the delta it
   * was built with from the previous version; data planes holding that version get it without a diff.
   */
  advance(snapshot: VersionedSnapshot, origin?: { readonly base_hash: string; readonly delta: SnapshotDelta }): void {
    if (this.current?.hash === snapshot.hash) return;
    this.origin = origin && origin.base_hash === this.current?.hash ? origin : null;
    this.current = snapshot;
    this.history.delete(snapshot.hash);
    this.history.set(snapshot.hash, snapshot);
    while (this.history.size > HISTORY_SIZE) this.history.delete(this.history.keys().next().value as string);
    this.encoded = new Map();
    this.plugins = configuredPlugins(snapshot.config.plugins as ReadonlyArray<{ name?: unknown }> | undefined);
  }

  configuredPlugins(): ReadonlySet<string> {
    return this.plugins;
  }

  /** The payload taking a data plane from `baseHash` to the current version. */
  payloadFor(baseHash: string, encoding: Encoding): Promise<EncodedPayload> {
    const current = this.current;
    if (!current) throw new Error('no configuration yet');
    const base = baseHash && baseHash !== current.hash ? this.history.get(baseHash) : undefined;
    const key = `${base ? base.hash : 'full'}:${encoding}`;
    let entry = this.encoded.get(key);
    if (!entry) {
      entry = this.encode(current, base, encoding);
      this.encoded.set(key, entry);
    }
    return entry;
  }

  private async encode(current: VersionedSnapshot, base: VersionedSnapshot | undefined, encoding: Encoding): Promise<EncodedPayload> {
    const known = base && this.origin?.base_hash === base.hash ? this.origin.delta : null;
    const payload: ConfigPayload = base
      ? { type: 'delta', hash: current.hash, version: current.version, base_hash: base.hash, delta: known ?? diffSnapshots(base.config, current.config) }
      : { type: 'full', hash: current.hash, version: current.version, config: current.config };
    return { type: payload.type, body: await compress(JSON.stringify(payload), encoding), encoding, snapshot: current };
  }
}
