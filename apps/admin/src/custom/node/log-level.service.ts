// `GET /debug/node/log-level`, `PUT /debug/node/log-level/{level}` and its cluster-wide form with Kong's answers
// (kong/api/routes/debug.lua).
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Settings } from '@tollgate/config';
import { KONG_LEVELS } from '@tollgate/logging';
import { badRequest, messageError } from '@tollgate/errors';
import { ADMIN_SETTINGS } from '../../bootstrap/tokens';
import { NODE_LOG_LEVEL, revertingLevel, type NodeLogLevel } from './node-log-level';

/** Kong's default: a changed level lasts 60 s unless `timeout` says otherwise. */
const DEFAULT_TIMEOUT_S = 60;

@Injectable()
export class LogLevelService {
  private readonly level: NodeLogLevel;

  constructor(
    @Inject(ADMIN_SETTINGS) private readonly settings: Settings,
    @Optional() @Inject(NODE_LOG_LEVEL) level?: NodeLogLevel,
  ) {
    this.level = level ?? revertingLevel(settings.log_level, () => {});
  }

  get(): { message: string } {
    return { message: `log level: ${this.level.current()}` };
  }

  /** `cluster`: the same change, then sent to every other node on this database (Kong's cluster event). */
  async set(level: string, timeout: unknown, cluster = false): Promise<{ message: string }> {
    if (this.settings.database === 'off') throw messageError(405, 'cannot change log level when not using a database');
    if (!Object.hasOwn(KONG_LEVELS, level)) throw badRequest(`unknown log level: ${level}`);
    const raw = Array.isArray(timeout) ? timeout[0] : timeout;
    const parsed = raw === undefined || raw === null || raw === '' ? NaN : Number(raw);
    const seconds = Math.ceil(Number.isFinite(parsed) ? parsed : DEFAULT_TIMEOUT_S);
    if (seconds < 0) throw badRequest('timeout must be greater than or equal to 0');
    if (this.level.current() === level) return { message: `log level is already ${level}` };
    this.level.set(level, seconds);
    if (cluster && this.level.broadcast) {
      try {
        await this.level.broadcast(level, seconds);
      } catch (err) {
        throw messageError(500, `failed broadcasting to cluster: ${(err as Error).message}`);
      }
    }
    return { message: 'log level changed' };
  }
}
