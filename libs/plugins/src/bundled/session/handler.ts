// session: a cookie keeps a consumer authenticated (Kong's session plugin, priority 1900, before the auth
// plugins). access: a valid session authenticates the request (or logs out); header_filter: a request another
// auth plugin authenticated gets a new session cookie.
import type { PluginContext, PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';
import type { SessionConf } from './conf';
import { deriveKey } from './envelope';
import { destroySession, infoHeaders, newSid, openSession, persistSession, refreshed, sessionCookie, type SessionData } from './state';

/** What access leaves for header_filter in kong.ctx (Kong's kong.ctx.shared.authenticated_session). */
const SESSION = 'authenticated_session';

export const handler: PluginHandler<SessionConf> = {
  name: 'session',
  priority: 1900,
  version: KONG_VERSION,
  prepare: (config) => ({ ...(config as unknown as SessionConf), key: deriveKey(String(config.secret)) }),
  async access(kong, conf) {
    try {
      await access(kong, conf);
    } catch (err) {
      // a store that cannot answer leaves the request unauthenticated, as Kong logs and goes on
      kong.log.warn(`session: ${(err as Error).message}`);
    }
  },
  header_filter(kong, conf) {
    const credential = kong.client.credential;
    const consumer = kong.client.consumer;
    if (!credential || !consumer) return;
    const current = kong.ctx[SESSION] as SessionData | undefined;
    if (current && current.data[0] === consumer.id && current.data[1] === credential.id) return;
    const at = Date.now() / 1000;
    const groups = (kong.ctx.authenticated_groups as string[] | undefined) ?? null;
    const subject = (consumer.username ?? consumer.custom_id ?? consumer.id) as string;
    const session: SessionData = { sid: newSid(), data: [consumer.id, credential.id, groups], subject, ct: at, rt: at, it: at };
    // header_filter cannot wait: the cookie goes out now and a database row is written behind it (Kong uses a
    // timer for the same reason), so the very next request may race the write
    kong.response.addHeader('set-cookie', sessionCookie(conf, session));
    persistSession(conf, session, current?.sid).catch((err) => kong.log.error(`session save failed (${(err as Error).message})`));
  },
};

async function access(kong: PluginContext, conf: SessionConf): Promise<void> {
  const session = await openSession(kong, conf);
  if (!session) return;
  if (await wantsLogout(kong, conf)) {
    kong.response.exit(200, undefined, { 'set-cookie': await destroySession(conf, session) });
    return;
  }
  const [consumerId, credentialId, groups] = session.data;
  const consumer = kong.entities.consumers.get(consumerId);
  if (!consumer) {
    kong.response.addHeader('set-cookie', await destroySession(conf, session));
    return;
  }
  let current = session;
  const next = refreshed(conf, session);
  if (next) {
    current = next.session;
    await persistSession(conf, current, session.sid);
    kong.response.addHeader('set-cookie', sessionCookie(conf, current));
  }
  kong.ctx[SESSION] = current;
  for (const [name, value] of Object.entries(infoHeaders(conf, current, conf.request_headers ?? []))) kong.request.setHeader(name.toLowerCase(), value);
  for (const [name, value] of Object.entries(infoHeaders(conf, current, conf.response_headers ?? []))) kong.response.setHeader(name.toLowerCase(), value);
  authenticate(kong, consumer, credentialId, groups);
}

function authenticate(kong: PluginContext, consumer: NonNullable<PluginContext['client']['consumer']>, credentialId: string | null, groups: string[] | null): void {
  const req = kong.request;
  req.setHeader('x-consumer-id', consumer.id);
  if (consumer.custom_id) req.setHeader('x-consumer-custom-id', String(consumer.custom_id));
  else req.clearHeader('x-consumer-custom-id');
  if (consumer.username) req.setHeader('x-consumer-username', String(consumer.username));
  else req.clearHeader('x-consumer-username');
  if (groups) {
    req.setHeader('x-authenticated-groups', groups.join(', '));
    kong.ctx.authenticated_groups = groups;
  } else {
    req.clearHeader('x-authenticated-groups');
  }
  if (credentialId) {
    req.clearHeader('x-anonymous-consumer');
    req.setHeader('x-credential-identifier', credentialId);
    kong.client.authenticate(consumer, { id: credentialId, consumer_id: consumer.id });
  } else {
    req.setHeader('x-anonymous-consumer', 'true');
    req.clearHeader('x-credential-identifier');
    kong.client.authenticate(consumer, null);
  }
}

async function wantsLogout(kong: PluginContext, conf: SessionConf): Promise<boolean> {
  const method = kong.request.method;
  if (!conf.logout_methods?.includes(method)) return false;
  if (conf.logout_query_arg && kong.request.getQuery().has(conf.logout_query_arg)) return true;
  if (conf.read_body_for_logout && conf.logout_post_arg && ['DELETE', 'PATCH', 'POST', 'PUT'].includes(method)) {
    const type = kong.request.getHeader('content-type') ?? '';
    const body = (await kong.request.readBody()).toString();
    if (type.includes('application/x-www-form-urlencoded')) return new URLSearchParams(body).has(conf.logout_post_arg);
    if (type.includes('application/json')) {
      try {
        const parsed = JSON.parse(body) as Record<string, unknown>;
        return parsed !== null && typeof parsed === 'object' && parsed[conf.logout_post_arg] !== undefined;
      } catch {
        return false;
      }
    }
  }
  return false;
}
