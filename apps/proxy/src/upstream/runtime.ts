// One upstream's data-plane state: targets expanded by DNS into addresses, the balancing algorithm over
// them, and their health (passive from report(), active from probes, manual from setHealth()).
// Built at compile time; pick/release/report are the hot path.
import { Address, type TargetEntry, addressOf } from './address';
import type { Algorithm } from './algorithms/algorithm';
import { updateEwma } from './algorithms/latency';
import { type AlgorithmName, algorithmName, buildAlgorithm } from './build-algorithm';
import { type DnsAnswer, type DnsCache, createDnsCache } from './dns-cache';
import { type HashSpec, compileHashSpec, hashInput } from './hash-input';
import { ActiveChecker } from './health/active-checker';
import { type HealthConfig, compileHealthConfig } from './health/health-config';
import { type CheckEvent, classifyStatus, recordEvent, setAddressHealth } from './health/health-state';
import type { ProbeTls } from './health/probe';
import { balancerHealth, targetHealth } from './health-report';
import { isIpLiteral, parseHostPort } from './target-string';
import type {
  BalancerContext,
  BalancerHealth,
  Outcome,
  Peer,
  Row,
  SetHealthResult,
  TargetHealth,
  UpstreamLog,
  UpstreamRuntime,
} from './types';
import { xxhash32 } from './xxhash32';

export interface UpstreamRuntimeOptions {
  readonly dns?: DnsCache;
  readonly now?: () => number;
  readonly log?: UpstreamLog;
  /** The runtime this one replaces: addresses that still exist keep their health state and counters. */
  readonly previous?: UpstreamRuntime | null;
  /** PEM of upstream.client_certificate, resolved by the caller; presented by https probes. */
  readonly clientCertificate?: ProbeTls;
  /** Retry delay for a hostname target whose lookup failed (Kong: 30 s). */
  readonly dnsErrorRetryMs?: number;
}

const NO_HASH = 0;
let sharedDns: DnsCache | null = null;

/** The data plane's DNS cache, built from the dns_* keys; set once at start, before the first configuration. */
export function useDnsCache(cache: DnsCache): void {
  sharedDns = cache;
}

export class UpstreamRuntimeImpl implements UpstreamRuntime {
  readonly id: string;
  readonly name: string;
  private readonly targets: TargetEntry[] = [];
  /** Addresses of targets with weight > 0: what the algorithm balances over. */
  private balanced: Address[] = [];
  private algorithm: Algorithm;
  private healthy = false;
  /** True until the first DNS answers when no target has an address yet: requests wait (ready) instead of a 503. */
  resolving = false;
  private readonly algorithmName: AlgorithmName;
  private readonly slots: number;
  private readonly hashSpec: HashSpec | null;
  private readonly checks: HealthConfig;
  private readonly hostHeaderOverride: string | null;
  private readonly useSrvName: boolean;
  private readonly dns: DnsCache;
  private readonly now: () => number;
  private readonly log: UpstreamLog | undefined;
  private readonly dnsErrorRetryMs: number;
  private readonly carried: ReadonlyMap<string, Address>;
  private readonly checker: ActiveChecker | null;
  private readonly dnsTimers = new Map<TargetEntry, NodeJS.Timeout>();
  private readonly initial: Promise<void>;
  private started = false;
  private stopped = false;

  constructor(upstream: Row, targetRows: readonly Row[], opts: UpstreamRuntimeOptions = {}) {
    this.id = upstream.id;
    this.name = (upstream.name as string | null) ?? upstream.id;
    this.algorithmName = algorithmName(upstream);
    this.slots = (upstream.slots as number | null) ?? 10000;
    this.hashSpec = this.algorithmName === 'consistent-hashing' ? compileHashSpec(upstream) : null;
    this.checks = compileHealthConfig(upstream);
    this.hostHeaderOverride = (upstream.host_header as string | null) ?? null;
    this.useSrvName = upstream.use_srv_name === true;
    this.dns = opts.dns ?? (sharedDns ??= createDnsCache());
    this.now = opts.now ?? Date.now;
    this.log = opts.log;
    this.dnsErrorRetryMs = opts.dnsErrorRetryMs ?? 30_000;
    this.carried = opts.previous instanceof UpstreamRuntimeImpl ? opts.previous.addressesByKey() : new Map();
    this.algorithm = buildAlgorithm(this.algorithmName, [], this.slots, this.now);

    const pending: Promise<void>[] = [];
    for (const row of targetRows) {
      const { host, port } = parseHostPort(String(row.target));
      const t: TargetEntry = {
        id: row.id,
        row,
        target: String(row.target),
        host,
        port,
        weight: (row.weight as number | null) ?? 100,
        isIp: isIpLiteral(host),
        addresses: [],
        dns: 'A',
        dnsError: null,
      };
      this.targets.push(t);
      if (t.isIp) {
        this.setAddresses(t, [{ ip: host }]);
      } else if (t.weight > 0) {
        // a name the worker already resolved (the configuration before this one) balances at once: a change
        // elsewhere must not open a window of 503s; the query below refreshes it if stale
        const cached = this.dns.peek(host);
        if (cached !== undefined) this.setAddresses(t, cached.addresses);
        pending.push(this.resolveTarget(t));
      }
    }
    this.rebuild();
    this.resolving = pending.length > 0 && this.balanced.length === 0;
    this.initial = Promise.all(pending).then(() => {
      this.resolving = false;
    });
    this.checker =
      this.checks.enabled && (this.checks.healthyIntervalMs > 0 || this.checks.unhealthyIntervalMs > 0)
        ? new ActiveChecker({
            config: this.checks,
            addresses: () => this.balanced,
            hostHeaderOf: (a) => this.hostHeaderOverride ?? a.target.host,
            onResult: (a, e) => this.onEvent(a, e, 'active'),
            tls: opts.clientCertificate,
          })
        : null;
  }

  ready(): Promise<void> {
    return this.initial;
  }

  // hot path: no allocation (except the generated hash cookie)
  pick(ctx: BalancerContext): Peer | null {
    if (!this.healthy) return null;
    let hash = NO_HASH;
    if (this.hashSpec !== null) {
      let value = ctx.hashValue;
      if (value === undefined) {
        value = hashInput(this.hashSpec, ctx);
        ctx.hashValue = value;
      }
      hash = xxhash32(value);
    }
    const a = this.algorithm.pick(ctx, hash);
    if (a === null) return null;
    a.active++;
    return a.peer;
  }

  release(peer: Peer): void {
    const a = addressOf(peer);
    if (a !== undefined && a.active > 0) a.active--;
  }

  report(peer: Peer, outcome: Outcome): void {
    const a = addressOf(peer);
    if (a === undefined) return;
    let event: CheckEvent | null;
    switch (outcome.kind) {
      case 'success':
        updateEwma(a, outcome.latencyMs, this.now());
        event = classifyStatus(this.checks.passive, outcome.status);
        break;
      case 'http_failure':
        event = classifyStatus(this.checks.passive, outcome.status);
        break;
      default:
        event = outcome.kind;
    }
    if (event !== null && this.checks.enabled) this.onEvent(a, event, 'passive');
  }

  health(): TargetHealth[] {
    return this.targets.map((t) => targetHealth(t, this.checks.enabled));
  }

  balancerHealth(): BalancerHealth {
    return balancerHealth(this.id, this.targets, this.balanced, this.healthy, this.checks.enabled);
  }

  setHealth(target: string, address: string | null, healthy: boolean): SetHealthResult {
    const t = this.findTarget(target);
    if (t === undefined) return { ok: false, status: 404, message: 'Not found' };
    // Kong gives every balancer a health checker: a manual status applies even with probes and counters off.
    let matches = t.addresses;
    if (address !== null) {
      const { host, port } = parseHostPort(address);
      matches = t.addresses.filter((a) => a.ip === host && a.port === port);
      if (matches.length === 0) return { ok: false, status: 400, message: 'target not found' };
    }
    for (const a of matches) if (setAddressHealth(a, healthy)) this.transitioned(a, 'manual');
    return { ok: true };
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.checker?.start();
    // Re-resolve hostname targets when their answer expires; wait for the first answers to know the TTLs.
    void this.initial.then(() => {
      if (this.stopped) return;
      for (const t of this.targets) {
        if (t.isIp || t.weight === 0) continue;
        const cached = this.dns.peek(t.host);
        this.scheduleDns(t, cached && !cached.stale && t.dnsError === null ? cached.ttlMs : this.dnsErrorRetryMs);
      }
    });
  }

  stop(): void {
    this.stopped = true;
    this.checker?.stop();
    for (const timer of this.dnsTimers.values()) clearTimeout(timer);
    this.dnsTimers.clear();
  }

  /** Internal: the current addresses by `target|ip:port`, for carrying state into a replacement runtime. */
  addressesByKey(): Map<string, Address> {
    const map = new Map<string, Address>();
    for (const t of this.targets) for (const a of t.addresses) map.set(a.key, a);
    return map;
  }

  private findTarget(ref: string): TargetEntry | undefined {
    const byId = this.targets.find((t) => t.id === ref);
    if (byId) return byId;
    const { host, port } = parseHostPort(ref);
    return this.targets.find((t) => t.host === host && t.port === port);
  }

  private onEvent(a: Address, event: CheckEvent, source: 'active' | 'passive'): void {
    const t = source === 'active' ? this.checks.active : this.checks.passive;
    if (recordEvent(a, t, event)) this.transitioned(a, `${source} ${event}`);
  }

  private transitioned(a: Address, reason: string): void {
    this.recomputeHealth();
    this.log?.info(
      { upstream: this.name, target: a.target.target, ip: a.ip, port: a.port, health: a.healthy ? 'HEALTHY' : 'UNHEALTHY', reason },
      'upstream address health changed',
    );
  }

  private recomputeHealth(): void {
    let total = 0;
    let available = 0;
    for (const a of this.balanced) {
      total += a.weight;
      if (a.healthy) available += a.weight;
    }
    // Healthy iff the available share of weight, in percent, is above the threshold.
    this.healthy = total > 0 && available > 0 && (available / total) * 100 > this.checks.threshold;
  }

  private rebuild(): void {
    const balanced: Address[] = [];
    for (const t of this.targets) if (t.weight > 0) for (const a of t.addresses) balanced.push(a);
    this.balanced = balanced;
    // synchronous swap: a pick sees either the old algorithm or the new one
    this.algorithm = buildAlgorithm(this.algorithmName, balanced, this.slots, this.now);
    this.recomputeHealth();
  }

  /** Replaces a target's addresses, keeping the Address objects (health, counters, peer identity) that remain. */
  private setAddresses(t: TargetEntry, answer: DnsAnswer['addresses']): boolean {
    const old = new Map(t.addresses.map((a) => [a.key, a]));
    const next: Address[] = [];
    for (const rec of answer) {
      const port = rec.port ?? t.port;
      const weight = rec.weight ?? t.weight;
      const key = `${t.target}|${rec.ip}:${port}`;
      const kept = old.get(key);
      if (kept && kept.weight === weight) {
        next.push(kept);
        continue;
      }
      const hostHeader = this.hostHeaderOverride ?? (this.useSrvName && rec.name ? rec.name : t.host);
      const a = new Address(t, rec.ip, port, weight, hostHeader);
      const prev = this.carried.get(key) ?? kept;
      if (prev && !prev.healthy && this.checks.enabled) a.healthy = false;
      next.push(a);
    }
    const changed = next.length !== t.addresses.length || next.some((a, i) => a !== t.addresses[i]);
    t.addresses = next;
    return changed;
  }

  private async resolveTarget(t: TargetEntry): Promise<void> {
    let delay = this.dnsErrorRetryMs;
    try {
      const answer = await this.dns.resolve(t.host);
      t.dns = answer.type === 'ip' || answer.type === 'hosts' ? 'A' : answer.type;
      t.dnsError = null;
      if (this.setAddresses(t, answer.addresses) && !this.stopped) this.rebuild();
      delay = Math.max(answer.ttlMs, 1000);
    } catch (err) {
      t.dnsError = (err as Error).message;
      this.log?.warn({ upstream: this.name, target: t.target, error: t.dnsError }, 'upstream target DNS resolution failed');
    }
    if (this.started && !this.stopped) this.scheduleDns(t, delay);
  }

  private scheduleDns(t: TargetEntry, delayMs: number): void {
    if (!Number.isFinite(delayMs) || this.dnsTimers.has(t)) return;
    const timer = setTimeout(() => {
      this.dnsTimers.delete(t);
      void this.resolveTarget(t);
    }, Math.max(delayMs, 1000));
    timer.unref();
    this.dnsTimers.set(t, timer);
  }
}

export function createUpstreamRuntime(upstream: Row, targets: readonly Row[], opts: UpstreamRuntimeOptions = {}): UpstreamRuntime {
  return new UpstreamRuntimeImpl(upstream, targets, opts);
}
