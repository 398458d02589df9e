// GET /config/releases..., POST /config/releases/{n}/rollback: reads from the release store, writes through the Dao.
import { Inject, Injectable } from '@nestjs/common';
import type { Settings } from '@tollgate/config';
import { exportDeclarative, flattenDeclarative, type Snapshot } from '@tollgate/declarative';
import { badRequest, KongError, notFound } from '@tollgate/errors';
import { ADMIN_SETTINGS } from '../../bootstrap/tokens';
import { storeSnapshotIn } from '../../dbless/snapshot-store';
import { Dao } from '../../persistence';
import { diffConfigs, type ReleaseDiff } from './release-diff';
import type { ReleaseRecorder } from './release-recorder';
import type { ReleaseStore } from './release-store';
import type { Release, ReleasePage, ReleaseSource } from './release-types';
import { RELEASE_RECORDER, RELEASE_STORE } from './tokens';

const DEFAULT_PAGE = 100;

/** A path or query number: a positive integer, else 400 naming the parameter. */
export function parseReleaseNumber(text: string | undefined, name: string): number {
  const n = Number(text);
  if (text === undefined || !/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) {
    throw badRequest(`${name}: expected a positive integer, got '${text ?? ''}'`);
  }
  return n;
}

@Injectable()
export class ReleasesService {
  constructor(
    @Inject(ADMIN_SETTINGS) private readonly settings: Settings,
    @Inject(RELEASE_STORE) private readonly store: ReleaseStore,
    @Inject(RELEASE_RECORDER) private readonly recorder: ReleaseRecorder,
    @Inject(Dao) private readonly dao: Dao,
  ) {}

  async list(sizeText?: string, offsetText?: string): Promise<ReleasePage> {
    const size = sizeText === undefined ? DEFAULT_PAGE : Number(sizeText);
    if (!Number.isInteger(size) || size < 1 || size > 1000) throw badRequest('invalid size: must be an integer between 1 and 1000');
    const skip = offsetText === undefined ? 0 : Number(offsetText);
    if (!Number.isInteger(skip) || skip < 0) throw badRequest(`invalid offset: '${offsetText}'`);
    const { releases, more } = await this.store.list(size, skip);
    if (!more) return { data: releases, next: null };
    const offset = String(skip + size);
    return { data: releases, offset, next: `/config/releases?offset=${offset}${sizeText !== undefined ? `&size=${size}` : ''}` };
  }

  async get(numberText: string): Promise<Release> {
    const release = await this.store.get(parseReleaseNumber(numberText, 'number'));
    if (!release) throw notFound();
    return release;
  }

  /** The release's configuration as `tollgate config db_export` writes it. */
  async config(numberText: string, format: string | undefined): Promise<{ text: string; contentType: string }> {
    const fmt = format ?? 'json';
    if (fmt !== 'json' && fmt !== 'yaml') throw badRequest(`format: expected 'json' or 'yaml', got '${fmt}'`);
    const config = await this.configOf(parseReleaseNumber(numberText, 'number'));
    const text = exportDeclarative(config, { format: fmt });
    return { text, contentType: fmt === 'json' ? 'application/json; charset=utf-8' : 'application/x-yaml; charset=utf-8' };
  }

  async diff(numberText: string, againstText: string | undefined): Promise<ReleaseDiff> {
    const to = await this.get(numberText);
    const from = againstText === undefined ? to.parent : parseReleaseNumber(againstText, 'against');
    const before = from === null ? ({ _format_version: '3.0' } as Snapshot) : await this.configOf(from);
    return { from: from ?? 0, to: to.number, changes: diffConfigs(before, await this.configOf(to.number)) };
  }

  /**
   * Makes the database hold exactly release `n`'s configuration, validated first as any declarative config is, and
   * records the result as a new release (even when it changes nothing: the rollback itself is history).
   */
  async rollback(numberText: string, by?: ReleaseSource): Promise<Release> {
    const number = parseReleaseNumber(numberText, 'number');
    const target = await this.configOf(number);
    // held to the rules of the running node: a plugin it no longer has, or a changed check, refuses the rollback
    const doc: unknown = JSON.parse(exportDeclarative(target, { format: 'json' }));
    const checked = flattenDeclarative(doc, { pluginSchemas: this.dao.source.pluginSchemas, flattenErrors: true, validate: this.dao.source.validate });
    if (!checked.ok) throw new KongError(400, checked.error as never);
    const source: ReleaseSource = { ...(by ?? { type: 'admin', client_ip: null, api_key: null }), rollback_of: number };
    const before = await this.store.latest();
    await this.dao.as(source).transact((manager) => storeSnapshotIn(manager, this.dao.source, checked.snapshot, 'replace'), { rewrote: true });
    await this.recorder.flush();
    const latest = await this.store.latest();
    if (latest && latest.number > (before?.number ?? 0)) {
      const recorded = (await this.store.get(latest.number))!;
      // on PostgreSQL this control plane may see its own commit first through LISTEN/NOTIFY, and a loaded machine
      // can let that unattributed version be recorded before the rollback's own event arrives: then record the
      // rollback as its own release, so the history says what happened
      if (recorded.source.rollback_of === number) return recorded;
    }
    const forced = await this.recorder.recordForced(source);
    if (!forced) throw new Error('the rollback was written but no release was recorded');
    return forced;
  }

  private async configOf(number: number): Promise<Snapshot> {
    if (!(await this.store.get(number))) throw notFound();
    const config = await this.store.configOf(number);
    if (!config) throw notFound();
    return config;
  }
}
