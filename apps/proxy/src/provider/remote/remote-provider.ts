// Configuration pulled from the control plane (role = data_plane). One instance per node, in the supervisor:
//   start: the disk cache (if valid) is delivered at once, so a data plane serves without its control plane;
//   then: long-poll the control plane with the hash held; apply full snapshots and deltas; write every applied
//         snapshot to the cache (atomic); on errors keep serving, retry with backoff + jitter.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Settings } from '@tollgate/config';
import { applyDelta, hashSnapshot, readCacheFile, writeCacheFile, type Snapshot, type VersionedSnapshot } from '@tollgate/declarative';
import type { ConfigProvider, SnapshotListener } from '../types';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { ClusterClient, isPayloadError, type ClusterClientSettings, type PullResponse } from './cluster-client';
import { resolveDataPlaneId } from './node-id';
import { DEFAULT_HOLD_MS, encodePullQuery, NODE_VERSION, parseConfigPayload, RELEASE_HEADER, type ConfigPayload, type IncompatibleBody } from '@tollgate/protocol';

export interface RemoteLogger {
  /** Operator-relevant events (cache boot, reconnection); falls back to info. */
  notice?(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export type RemoteProviderSettings = ClusterClientSettings & Pick<Settings, 'node_id' | 'cluster_dp_labels' | 'plugins'>;

export interface RemoteProviderOptions {
  readonly logger: RemoteLogger;
  /** Plugins this data plane runs; default: the `plugins` setting (`bundled` = the release's bundle). */
  readonly plugins?: readonly string[];
  readonly cacheFile?: string;
  readonly holdMs?: number;
  readonly backoff?: BackoffPolicy;
  /** Overrides the release reported to the control plane (tests of the compatibility rules). */
  readonly nodeVersion?: string;
  /** How long an applied version waits before it is written to the disk cache; default CACHE_WRITE_DELAY_MS. */
  readonly cacheWriteDelayMs?: number;
  /**
   * Write a version to the disk cache only once applyOutcome() reports it applied (the workers compiled it): a
   * version they reject would otherwise be what the node boots from when the control plane is away.
   */
  readonly cacheOnlyApplied?: boolean;
  /** The node's request counts per configuration, reported on every pull. */
  readonly releaseStats?: { snapshot(): Record<string, [number, number]>; onChange(listener: () => void): () => void };
}

/**
 * A held pull is cut short this long after it started when requests were counted meanwhile, so the control plane
 * hears of errors within seconds (a staged rollout's error budget) while an idle data plane still holds for long.
 */
export const STATS_REPORT_MS = 2000;

/**
 * A configuration arrives before the control plane has recorded it as a release (the release is written just after
 * the change is published): the next pull then holds only this long, so the 304 that names the release reaches the
 * disk cache soon. Once per configuration: a control plane that never names releases costs one short pull.
 */
export const RELEASE_PROBE_MS = 1000;

/**
 * Writing the cache serialises and compresses the whole config (~80 ms of CPU for 10,000 routes), so it is kept
 * off the propagation path: a version is written once no newer one arrived for this long (a stream of changes
 * would otherwise stall every Nth of them behind a write)...
 */
export const CACHE_WRITE_DELAY_MS = 1000;
/** ...but no later than this after the oldest unwritten version, so constant churn still reaches the disk. */
export const CACHE_WRITE_MAX_DELAY_MS = 10_000;

/** The shortest interval between pulls that bring nothing new (a 304 comes after the hold, at least RELEASE_PROBE_MS). */
export const MIN_UNCHANGED_PULL_MS = 1000;

/** Counters for operators and the benchmark. */
export interface RemoteProviderStats {
  connected: boolean;
  pulls: number;
  fullPayloads: number;
  deltaPayloads: number;
  lastPayloadBytes: number;
  lastError: string | null;
}

export function cachePath(prefix: string): string {
  return join(prefix, 'dp-cache', 'config.json.gz');
}

export class RemoteConfigProvider implements ConfigProvider {
  readonly nodeId: string;
  readonly stats: RemoteProviderStats = { connected: false, pulls: 0, fullPayloads: 0, deltaPayloads: 0, lastPayloadBytes: 0, lastError: null };
  private readonly client: ClusterClient;
  private readonly cacheFile: string;
  private held: VersionedSnapshot | null = null;
  private forceFull = false;
  private stopped = false;
  private abort = new AbortController();
  private loop: Promise<void> | null = null;
  private cacheWrite: Promise<void> = Promise.resolve();
  private pendingCache: VersionedSnapshot | null = null;
  private cacheTimer: NodeJS.Timeout | null = null;
  private pendingSince = 0;
  /** cacheOnlyApplied: the newest version waiting for its outcome, and the last one applied. */
  private unconfirmed: VersionedSnapshot | null = null;
  private appliedHash: string | null = null;
  private lastRefusal: string | null = null;
  /** The last payload rejected, so a control plane answering the same bad payload on every retry is logged once. */
  private lastRejection: string | null = null;
  private sleeping: { timer: NodeJS.Timeout; resolve: () => void } | null = null;
  /** The pull in flight: cut short (without counting as a failure) to report fresh request counts. */
  private inflight: { readonly controller: AbortController; readonly startedAt: number; cut: NodeJS.Timeout | null; cutShort: boolean } | null = null;
  private unsubscribeStats: (() => void) | null = null;
  private probedRelease: string | null = null;

  constructor(private readonly settings: RemoteProviderSettings, private readonly opts: RemoteProviderOptions) {
    this.client = new ClusterClient(settings);
    this.nodeId = resolveDataPlaneId(settings.node_id, settings.prefix);
    this.cacheFile = opts.cacheFile ?? cachePath(settings.prefix);
  }

  /** The snapshot applied last (from the cache or the control plane), or null. */
  current(): VersionedSnapshot | null {
    return this.held;
  }

  async start(onSnapshot: SnapshotListener): Promise<void> {
    const cached = await readCacheFile(this.cacheFile);
    if (cached.ok) {
      this.held = cached.snapshot;
      this.notice({ hash: cached.snapshot.hash, version: cached.snapshot.version }, 'loaded configuration from the disk cache');
      onSnapshot(cached.snapshot);
    } else if (!cached.missing) {
      this.opts.logger.error({ path: this.cacheFile }, `${cached.reason}; ignoring the disk cache`);
    }
    this.unsubscribeStats = this.opts.releaseStats?.onChange(() => this.statsChanged()) ?? null;
    this.loop = this.run(onSnapshot);
  }

  private statsChanged(): void {
    const pull = this.inflight;
    if (!pull || pull.cut) return;
    pull.cut = setTimeout(() => {
      pull.cutShort = true;
      pull.controller.abort();
    }, Math.max(0, pull.startedAt + STATS_REPORT_MS - Date.now()));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribeStats?.();
    this.abort.abort();
    if (this.sleeping) { clearTimeout(this.sleeping.timer); this.sleeping.resolve(); }
    await this.loop;
    this.flushCache(); // the newest version reaches the disk before we go
    await this.cacheWrite;
    this.client.close();
  }

  private async run(onSnapshot: SnapshotListener): Promise<void> {
    const hold = this.opts.holdMs ?? DEFAULT_HOLD_MS;
    const plugins = this.opts.plugins ?? this.settings.plugins.filter((p) => p !== 'off');
    let failures = 0;
    while (!this.stopped) {
      const probing = this.held !== null && typeof this.held.release !== 'number' && this.probedRelease !== this.held.hash ? this.held!.hash : null;
      const probe = probing !== null;
      const path = encodePullQuery({
        node_id: this.nodeId,
        node_hostname: hostname(),
        node_version: this.opts.nodeVersion ?? NODE_VERSION,
        config_hash: this.forceFull ? '' : this.held?.hash ?? '',
        labels: this.settings.cluster_dp_labels,
        plugins,
        wait: probe ? Math.min(hold, RELEASE_PROBE_MS) : hold,
        release_stats: this.opts.releaseStats?.snapshot(),
      });
      let delay = 0;
      const heldBefore = this.held?.hash;
      const pull = { controller: new AbortController(), startedAt: Date.now(), cut: null as NodeJS.Timeout | null, cutShort: false };
      this.inflight = pull;
      // Cleared in `finally`: this async loop's suspended frame would otherwise keep the last answer (a full
      // snapshot's body: ~5 MB at 10,000 routes) alive through the whole next long poll.
      let res: PullResponse | null = null;
      try {
        res = await this.client.get(path, hold + 15_000, AbortSignal.any([this.abort.signal, pull.controller.signal]));
        this.stats.pulls++;
        // a probe cut short (fresh request counts) or failed is tried again; one that was answered is done
        if (probing !== null) this.probedRelease = probing;
        if (!this.stats.connected) this.notice({ control_plane: this.settings.cluster_control_plane }, 'connected to the control plane');
        this.stats.connected = true;
        this.stats.lastError = null;
        if (res.status === 200) {
          this.lastRefusal = null;
          this.stats.lastPayloadBytes = res.wireBytes;
          const rejection = this.receive(res.body, onSnapshot, releaseHeader(res.headers[RELEASE_HEADER]));
          if (rejection === null) {
            failures = 0;
            this.lastRejection = null;
          } else {
            // a control plane answering at once with a payload we cannot use must not spin the pull loop
            delay = backoffDelay(failures++, this.opts.backoff ?? DEFAULT_BACKOFF);
            this.rejected(rejection);
          }
        } else if (res.status === 304) {
          failures = 0;
          const release = releaseHeader(res.headers[RELEASE_HEADER]);
          if (release !== null && this.held && this.held.release !== release) {
            this.held = { ...this.held, release };
            this.persist(this.held);
          }
        } else {
          delay = backoffDelay(failures++, this.opts.backoff ?? DEFAULT_BACKOFF);
          this.refused(res.status, res.body);
        }
      } catch (err) {
        if (this.stopped) break;
        if (pull.cutShort) continue; // the next pull carries the new counts
        const message = (err as Error).message;
        if (isPayloadError(err)) {
          // the control plane answered: the answer is at fault, not the connection
          this.stats.pulls++;
          delay = backoffDelay(failures++, this.opts.backoff ?? DEFAULT_BACKOFF);
          this.rejected({ message });
          continue;
        }
        if (this.stats.connected || this.stats.lastError === null) {
          this.opts.logger.warn({ control_plane: this.settings.cluster_control_plane, err: message }, 'control plane unreachable; serving the last configuration and retrying');
        }
        this.stats.connected = false;
        this.stats.lastError = message;
        delay = backoffDelay(failures++, this.opts.backoff ?? DEFAULT_BACKOFF);
      } finally {
        res = null;
        this.endPull(pull);
      }
      // A control plane holds a pull until something changes; one that answers "nothing new" at once (a 304, or the
      // version already held) would otherwise be asked again at once, a thousand times a second.
      if (delay === 0 && this.held?.hash === heldBefore) delay = Math.max(0, pull.startedAt + MIN_UNCHANGED_PULL_MS - Date.now());
      if (delay > 0) await this.sleep(delay);
    }
  }

  private endPull(pull: { cut: NodeJS.Timeout | null }): void {
    if (pull.cut) clearTimeout(pull.cut);
    if (this.inflight === pull) this.inflight = null;
  }

  private refused(status: number, body: Buffer): void {
    let message = `control plane answered ${status}`;
    try {
      const parsed = JSON.parse(body.toString('utf8')) as Partial<IncompatibleBody>;
      if (typeof parsed.message === 'string') message = parsed.message;
    } catch {
      // not JSON: keep the status line
    }
    // Logged once per distinct refusal, not on every retry; the old config keeps serving either way.
    if (message !== this.lastRefusal) {
      this.opts.logger.error({ status, control_plane: this.settings.cluster_control_plane }, `control plane refused the configuration: ${message}; keeping the current configuration`);
      this.lastRefusal = message;
    }
    this.stats.lastError = message;
  }

  /** Logs a rejected payload once per distinct reason; the configuration in force keeps serving. */
  private rejected(rejection: Rejection): void {
    const key = rejection.message + (rejection.fields ? JSON.stringify(rejection.fields) : '');
    this.stats.lastError = rejection.message;
    if (key === this.lastRejection) return;
    this.lastRejection = key;
    this.opts.logger.error({ control_plane: this.settings.cluster_control_plane, ...rejection.fields }, rejection.message);
  }

  /** Applies a 200 body; null when it was handed on, else why it was not (the current configuration stays). */
  private receive(body: Buffer, onSnapshot: SnapshotListener, release: number | null): Rejection | null {
    const parsed = parseConfigPayload(body);
    if (!parsed.ok) return { message: `control plane sent an unusable configuration: ${parsed.reason}; keeping the current configuration` };
    try {
      return this.accept(parsed.payload, onSnapshot, release);
    } catch (err) {
      // a payload of the right shape whose content still breaks the merge or the hash (nesting beyond the stack)
      return { message: `control plane sent an unusable configuration: ${(err as Error).message}; keeping the current configuration` };
    }
  }

  private accept(payload: ConfigPayload, onSnapshot: SnapshotListener, release: number | null = null): Rejection | null {
    let config: Snapshot;
    if (payload.type === 'delta') {
      if (!this.held || this.held.hash !== payload.base_hash) {
        this.forceFull = true; // a delta for a version we do not hold: ask for everything
        return { message: 'control plane sent a delta for a configuration this data plane does not hold; requesting a full snapshot', fields: { base_hash: payload.base_hash } };
      }
      config = applyDelta(this.held.config, payload.delta);
      this.stats.deltaPayloads++;
    } else {
      config = payload.config;
      this.stats.fullPayloads++;
    }
    // A full snapshot must hash to what the control plane announced before anything serves it.
    if (payload.type === 'full') {
      const mismatch = this.verify(config, payload);
      if (mismatch) return mismatch;
    }
    this.forceFull = false;
    const versioned: VersionedSnapshot = { hash: payload.hash, version: payload.version, config, release };
    this.held = versioned;
    // the delta goes along: the supervisor forwards it to its workers instead of diffing 10,000 rows again
    onSnapshot(versioned, payload.type === 'delta' ? { base_hash: payload.base_hash, delta: payload.delta } : undefined);
    // A delta applied to the exact base it names is checked after the workers have it: re-hashing 10,000 rows
    // is the longest step between receipt and hand-off, and a mismatch (a bug, not transit damage: TLS covers
    // that) still never lasts: the next pull fetches the full snapshot, which replaces what the workers hold.
    if (payload.type === 'delta') {
      const mismatch = this.verify(config, payload);
      if (mismatch) {
        // relabelled with its real hash, so the full snapshot (announced hash) differs from it and reaches the workers
        this.held = { hash: mismatch.fields!.actual as string, version: payload.version, config };
        onSnapshot(this.held);
        return mismatch;
      }
    }
    this.persist(versioned);
    return null;
  }

  /** null when `config` hashes to what the control plane announced; else the rejection, and the next pull asks for everything. */
  private verify(config: Snapshot, payload: ConfigPayload): Rejection | null {
    const actual = hashSnapshot(config);
    if (actual === payload.hash) return null;
    this.forceFull = true;
    return { message: 'configuration from the control plane does not match its hash; requesting a full snapshot', fields: { expected: payload.hash, actual, type: payload.type } };
  }

  /** What the workers made of a version handed on (cacheOnlyApplied): an applied one may reach the disk cache. */
  applyOutcome(hash: string, applied: boolean): void {
    if (applied) this.appliedHash = hash;
    const waiting = this.unconfirmed;
    if (waiting === null || waiting.hash !== hash) return;
    this.unconfirmed = null;
    if (applied) this.schedulePersist(waiting);
  }

  private persist(snapshot: VersionedSnapshot): void {
    if (this.opts.cacheOnlyApplied && snapshot.hash !== this.appliedHash) {
      this.unconfirmed = snapshot;
      return;
    }
    this.schedulePersist(snapshot);
  }

  /** Writes run one at a time, once versions stop arriving for CACHE_WRITE_DELAY_MS; a burst writes only the newest. */
  private schedulePersist(snapshot: VersionedSnapshot): void {
    const now = Date.now();
    if (!this.cacheTimer) this.pendingSince = now; // the oldest version not yet handed to a write
    this.pendingCache = snapshot;
    if (this.cacheTimer) clearTimeout(this.cacheTimer);
    const idle = this.opts.cacheWriteDelayMs ?? CACHE_WRITE_DELAY_MS;
    const latest = this.pendingSince + Math.max(idle, CACHE_WRITE_MAX_DELAY_MS);
    this.cacheTimer = setTimeout(() => this.flushCache(), Math.max(0, Math.min(idle, latest - now)));
  }

  private flushCache(): void {
    if (this.cacheTimer) clearTimeout(this.cacheTimer);
    this.cacheTimer = null;
    if (!this.pendingCache) return;
    this.cacheWrite = this.cacheWrite.then(async () => {
      const next = this.pendingCache;
      this.pendingCache = null;
      if (!next) return;
      try {
        mkdirSync(join(this.cacheFile, '..'), { recursive: true });
        await writeCacheFile(this.cacheFile, next);
      } catch (err) {
        this.opts.logger.error({ path: this.cacheFile, err: (err as Error).message }, 'could not write the disk cache');
      }
    });
  }

  private notice(obj: object, msg: string): void {
    if (this.opts.logger.notice) this.opts.logger.notice(obj, msg);
    else this.opts.logger.info(obj, msg);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.sleeping = null; resolve(); }, ms);
      this.sleeping = { timer, resolve };
    });
  }
}

interface Rejection {
  readonly message: string;
  readonly fields?: Readonly<Record<string, unknown>>;
}

/** The release number a control plane sent, or null (absent, or not a positive integer). */
function releaseHeader(value: string | string[] | undefined): number | null {
  const n = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : 0;
  return n > 0 ? n : null;
}
