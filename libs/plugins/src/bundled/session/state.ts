// One session: what the cookie (or the sessions row) holds, its timeouts, and saving/destroying it.
import { createHash, randomBytes } from 'node:crypto';
import { entityStore } from '../../store';
import type { PluginContext } from '../../types';
import type { SessionConf } from './conf';
import { clearCookie, readCookie, setCookie } from './cookie';
import { open, seal } from './envelope';

export interface SessionData {
  /** session id (base64url, 32 random bytes) */
  sid: string;
  /** [consumer id, credential id, groups] as Kong's session plugin stores them */
  data: [string, string, string[] | null];
  subject: string | null;
  /** creation, last renewal (rolling) and last use (idling), Unix seconds */
  ct: number;
  rt: number;
  it: number;
}

// fractional seconds: short timeouts (tests, tight configs) need a finer clock than whole seconds
const now = () => Date.now() / 1000;
export const newSid = () => randomBytes(32).toString('base64url');

function cookieName(conf: SessionConf): string {
  return conf.remember ? conf.remember_cookie_name : conf.cookie_name;
}

function rollingTimeout(conf: SessionConf): number {
  return conf.remember ? conf.remember_rolling_timeout : conf.rolling_timeout;
}

function absoluteTimeout(conf: SessionConf): number {
  return conf.remember ? conf.remember_absolute_timeout : conf.absolute_timeout;
}

/** Seconds left before the first timeout hits (0 = expired). */
export function remaining(conf: SessionConf, s: SessionData, at = now()): { idling: number; rolling: number; absolute: number; timeout: number } {
  const inf = Number.POSITIVE_INFINITY;
  const idling = conf.idling_timeout > 0 ? s.it + conf.idling_timeout - at : inf;
  const rolling = rollingTimeout(conf) > 0 ? s.rt + rollingTimeout(conf) - at : inf;
  const absolute = absoluteTimeout(conf) > 0 ? s.ct + absoluteTimeout(conf) - at : inf;
  return { idling, rolling, absolute, timeout: Math.min(idling, rolling, absolute) };
}

function parse(text: string | undefined): SessionData | undefined {
  if (!text) return undefined;
  try {
    const s = JSON.parse(text) as SessionData;
    return typeof s.sid === 'string' && Array.isArray(s.data) ? s : undefined;
  } catch {
    return undefined;
  }
}

/** The valid session of this request, or undefined (no cookie, does not open, expired, unknown to the store). */
export async function openSession(kong: PluginContext, conf: SessionConf): Promise<SessionData | undefined> {
  const value = readCookie(kong.request.getHeader('cookie'), cookieName(conf));
  if (!value) return undefined;
  let session: SessionData | undefined;
  if (conf.storage === 'kong') {
    const sid = open(conf.key, conf.audience, value);
    if (!sid) return undefined;
    const row = await entityStore().select('sessions', 'session_id', sid);
    session = row && typeof row.data === 'string' ? parse(open(conf.key, conf.audience, row.data)) : undefined;
    if (session && session.sid !== sid) return undefined;
  } else {
    session = parse(open(conf.key, conf.audience, value));
  }
  if (!session || remaining(conf, session).timeout <= 0) return undefined;
  return session;
}

/** The Set-Cookie for a session: the sealed data itself (storage = cookie), or only its sealed id (kong). */
export function sessionCookie(conf: SessionConf, s: SessionData): string {
  const left = remaining(conf, s);
  const maxAge = conf.remember ? Math.min(left.rolling, left.absolute) : null;
  const value = conf.storage === 'kong' ? seal(conf.key, conf.audience, s.sid) : seal(conf.key, conf.audience, JSON.stringify(s));
  return setCookie(conf, cookieName(conf), value, maxAge);
}

/** storage = kong: writes the sessions row (and drops the one it replaces). Nothing to do for cookie storage. */
export async function persistSession(conf: SessionConf, s: SessionData, previousSid?: string): Promise<void> {
  if (conf.storage !== 'kong') return;
  const left = remaining(conf, s);
  // rows expire at created_at (whole seconds, rounded down) + ttl: one more second keeps the row alive as long
  // as the session itself
  const ttl = Math.max(1, Math.ceil(Math.min(left.rolling, left.absolute, 100000000 - 1)) + 1);
  const store = entityStore();
  const data = seal(conf.key, conf.audience, JSON.stringify(s));
  const row = await store.upsert('sessions', s.sid, { session_id: s.sid, data, expires: Math.floor(now() + ttl), ttl });
  if (conf.store_metadata && previousSid !== s.sid) {
    const subject = s.subject === null ? null : conf.hash_subject ? createHash('sha256').update(s.subject).digest('base64url') : s.subject;
    await store.insert('session_metadatas', { session: { id: row.id }, sid: s.sid, audience: conf.audience, subject });
  }
  if (previousSid && previousSid !== s.sid) {
    // the replaced session stays usable for stale_ttl seconds (requests already in flight with the old cookie)
    const old = await store.select('sessions', 'session_id', previousSid);
    if (old && conf.stale_ttl > 0) {
      await store.upsert('sessions', previousSid, { session_id: previousSid, data: old.data, expires: Math.floor(now() + conf.stale_ttl), ttl: Math.ceil(conf.stale_ttl) + 1 });
    } else if (old) {
      await store.delete('sessions', old.id);
    }
  }
}

export async function destroySession(conf: SessionConf, s: SessionData): Promise<string> {
  if (conf.storage === 'kong') {
    const row = await entityStore().select('sessions', 'session_id', s.sid);
    if (row) await entityStore().delete('sessions', row.id);
  }
  return clearCookie(conf, cookieName(conf));
}

/** lua-resty-session 4's refresh: a new id when most of the rolling period is used, else a touch of the idle clock. */
export function refreshed(conf: SessionConf, s: SessionData): { session: SessionData; renewed: boolean } | undefined {
  const at = now();
  const rolling = rollingTimeout(conf);
  if (rolling > 0 && at - s.rt >= rolling * 0.75) return { session: { ...s, sid: newSid(), rt: at, it: at }, renewed: true };
  if (conf.idling_timeout > 0 && at > s.it) return { session: { ...s, it: at }, renewed: false };
  return undefined;
}

const HEADER_NAMES: Record<string, string> = {
  id: 'Session-Id', audience: 'Session-Audience', subject: 'Session-Subject', timeout: 'Session-Timeout',
  'idling-timeout': 'Session-Idling-Timeout', 'rolling-timeout': 'Session-Rolling-Timeout', 'absolute-timeout': 'Session-Absolute-Timeout',
};

/** The `request_headers` / `response_headers` values. */
export function infoHeaders(conf: SessionConf, s: SessionData, names: readonly string[]): Record<string, string> {
  const left = remaining(conf, s);
  const values: Record<string, string | null> = {
    id: s.sid, audience: conf.audience, subject: s.subject,
    timeout: String(Math.floor(left.timeout)), 'idling-timeout': String(Math.floor(left.idling)),
    'rolling-timeout': String(Math.floor(left.rolling)), 'absolute-timeout': String(Math.floor(left.absolute)),
  };
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = values[n];
    if (v !== null && v !== undefined && v !== 'Infinity') out[HEADER_NAMES[n]] = v;
  }
  return out;
}
