// POST/GET /rollouts...: opens, promotes and aborts staged rollouts. The state is in the database (RolloutStore);
// the cluster listener learns it through RolloutPins, which this service invalidates after every change it makes.
import { Inject, Injectable } from '@nestjs/common';
import { badRequest, messageError, notFound, schemaViolation } from '@tollgate/errors';
import { ClusteringService } from '../../clustering/clustering.service';
import type { ReleaseRecorder } from '../releases/release-recorder';
import type { ReleaseStore } from '../releases/release-store';
import { ReleasesService } from '../releases/releases.service';
import type { ReleaseSource } from '../releases/release-types';
import { RELEASE_RECORDER, RELEASE_STORE } from '../releases/tokens';
import { parseRolloutBody } from './rollout-body';
import type { RolloutPins } from './rollout-pins';
import type { RolloutStore } from './rollout-store';
import { reached, type Rollout } from './rollout-types';
import { rolloutView, type RolloutView } from './rollout-view';
import { ROLLOUT_PINS, ROLLOUT_STORE } from './tokens';

const DEFAULT_PAGE = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const OPERATOR_ABORT_REASON = 'aborted through the Admin API';
/** Fewer requests than this say nothing about an error rate. */
export const MIN_REQUESTS = 100;

export interface RolloutPage {
  readonly data: RolloutView[];
  readonly next: string | null;
  readonly offset?: string;
}

const conflict = (message: string) => messageError(409, message);

@Injectable()
export class RolloutsService {
  constructor(
    @Inject(ROLLOUT_STORE) private readonly store: RolloutStore,
    @Inject(ROLLOUT_PINS) private readonly pins: RolloutPins,
    @Inject(RELEASE_STORE) private readonly releases: ReleaseStore,
    @Inject(RELEASE_RECORDER) private readonly recorder: ReleaseRecorder,
    @Inject(ReleasesService) private readonly releaseService: ReleasesService,
    @Inject(ClusteringService) private readonly clustering: ClusteringService,
  ) {}

  async open(body: unknown): Promise<RolloutView> {
    const parsed = parseRolloutBody(body);
    // the baseline is what the fleet serves now: every acknowledged write is in it
    await this.recorder.flush();
    const latest = await this.releases.latest();
    if (!latest) throw conflict('no configuration release is recorded yet: a rollout needs a baseline');
    const { created, rollout } = await this.store.insert(parsed, latest.number);
    if (!created) throw conflict(`rollout ${rollout.id} is already open: promote or abort it before opening another`);
    this.pins.invalidate();
    return this.view(rollout);
  }

  async list(sizeText?: string, offsetText?: string): Promise<RolloutPage> {
    const size = sizeText === undefined ? DEFAULT_PAGE : Number(sizeText);
    if (!Number.isInteger(size) || size < 1 || size > 1000) throw badRequest('invalid size: must be an integer between 1 and 1000');
    const skip = offsetText === undefined ? 0 : Number(offsetText);
    if (!Number.isInteger(skip) || skip < 0) throw badRequest(`invalid offset: '${offsetText}'`);
    const { rollouts, more } = await this.store.list(size, skip);
    const data = await this.views(rollouts);
    if (!more) return { data, next: null };
    const offset = String(skip + size);
    return { data, offset, next: `/rollouts?offset=${offset}${sizeText !== undefined ? `&size=${size}` : ''}` };
  }

  async get(id: string): Promise<RolloutView> {
    return this.view(await this.find(id));
  }

  async promote(id: string): Promise<RolloutView> {
    const rollout = await this.openOne(id);
    const result = await this.store.promote(id, rollout.current_stage);
    if (!result.ok) throw conflict(`rollout ${id} changed meanwhile (${result.rollout?.state ?? 'gone'}, stage ${result.rollout?.current_stage ?? '-'}): read it again`);
    this.pins.invalidate();
    return this.view(result.rollout);
  }

  /** Promotes stage `from` of an open rollout (its hold ended); false when someone else moved it first. */
  async promoteFrom(id: string, from: number): Promise<boolean> {
    const result = await this.store.promote(id, from);
    if (result.ok) this.pins.invalidate();
    return result.ok;
  }

  /**
   * Commits a rollback to the baseline first (the reached data planes converge to it; the others already serve
   * it), then ends the rollout. A rollback that fails leaves the rollout open, so nothing is half-done.
   */
  async abort(id: string, body: unknown, by?: ReleaseSource): Promise<RolloutView> {
    const reason = abortReason(body);
    const rollout = await this.openOne(id);
    // the release store keeps an open rollout's baseline past the history; one opened by a version that did not
    // (and whose baseline was pruned then) cannot be rolled back to
    if (!(await this.releases.get(rollout.baseline))) {
      throw conflict(`rollout ${rollout.id} cannot be aborted: its baseline release ${rollout.baseline} was pruned from the history`
        + ` (config_release_history = ${this.releases.history}); promote it to completion, or roll back to a listed release`
        + ' with POST /config/releases/{number}/rollback');
    }
    await this.releaseService.rollback(String(rollout.baseline), by);
    const result = await this.store.abort(id, reason);
    if (!result.ok) throw conflict(`rollout ${id} is ${result.rollout?.state ?? 'gone'}`);
    this.pins.invalidate();
    return this.view(result.rollout);
  }

  /**
   * Why the rollout must abort itself, or null: the data planes it reached answered more than max_error_rate of
   * their requests with 5xx on the releases committed since the baseline (over at least MIN_REQUESTS requests).
   * Counts are what each data plane reported on its last pull (cluster/registry), whichever control plane it uses.
   */
  async errorBudgetExceeded(rollout: Rollout): Promise<string | null> {
    if (rollout.max_error_rate === null) return null;
    const baselineHash = (await this.releases.get(rollout.baseline))?.hash ?? null;
    const fleet = (await this.clustering.fleet()).filter((dp) => reached(rollout, dp.labels));
    const hashes = [...new Set(fleet.flatMap((dp) => Object.keys(dp.release_stats)))].filter((h) => h !== baselineHash);
    const numbers = await this.releases.numbersByHash32(hashes.map((h) => h.slice(0, 32)));
    const since = new Set(hashes.filter((h) => (numbers.get(h.slice(0, 32)) ?? 0) > rollout.baseline));
    let requests = 0;
    let errors = 0;
    for (const dp of fleet) {
      for (const [hash, [n, e]] of Object.entries(dp.release_stats)) {
        if (!since.has(hash)) continue;
        requests += n;
        errors += e;
      }
    }
    if (requests < MIN_REQUESTS || errors / requests <= rollout.max_error_rate) return null;
    return `error rate ${(errors / requests).toFixed(4)} (${errors} of ${requests} requests answered 5xx by the data planes of stages 0..${rollout.current_stage} since release ${rollout.baseline}) exceeds max_error_rate ${rollout.max_error_rate}`;
  }

  private async find(id: string): Promise<Rollout> {
    const rollout = UUID.test(id) ? await this.store.get(id.toLowerCase()) : null;
    if (!rollout) throw notFound();
    return rollout;
  }

  private async openOne(id: string): Promise<Rollout> {
    const rollout = await this.find(id);
    if (rollout.state !== 'open') throw conflict(`rollout ${rollout.id} is ${rollout.state}: only an open rollout can be promoted or aborted`);
    return rollout;
  }

  private async view(rollout: Rollout): Promise<RolloutView> {
    return (await this.views([rollout]))[0];
  }

  private async views(rollouts: readonly Rollout[]): Promise<RolloutView[]> {
    if (!rollouts.length) return [];
    // The fleet first: a data plane's release is looked up by hash, so reading `latest` after it means no data
    // plane is ever shown on a release newer than the view's latest (a release recorded between the two reads).
    const fleet = await this.clustering.fleet();
    const latest = await this.releases.latest();
    return Promise.all(rollouts.map(async (r) => rolloutView(r, (await this.releases.get(r.baseline))?.hash ?? null, latest, fleet)));
  }
}

function abortReason(body: unknown): string {
  if (body === undefined || body === null || (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0)) return OPERATOR_ABORT_REASON;
  if (typeof body !== 'object' || Array.isArray(body)) throw schemaViolation({ '@entity': ['expected a JSON object'] });
  const { reason, ...rest } = body as Record<string, unknown>;
  const errors: Record<string, string> = Object.fromEntries(Object.keys(rest).map((k) => [k, 'unknown field']));
  if (reason !== undefined && reason !== null && (typeof reason !== 'string' || reason.trim() === '' || reason.length > 1024)) {
    errors.reason = 'expected a non-empty string of at most 1024 characters';
  }
  if (Object.keys(errors).length) throw schemaViolation(errors);
  if (reason === undefined || reason === null) return OPERATOR_ABORT_REASON;
  return reason as string;
}
