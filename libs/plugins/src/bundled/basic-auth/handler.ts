// basic-auth: `Authorization: Basic base64(user:password)` checked against the stored salted SHA-1.
import { hashBasicAuthPassword } from '@tollgate/schema';
import { alreadyAuthenticated, authenticateAnonymous, setConsumer } from '../../auth/consumer-headers';
import { ownerOf } from '../../entity-directory';
import type { PluginContext, PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';

interface Conf { anonymous: string | null; hide_credentials: boolean; challenge: Record<string, string> }

export const handler: PluginHandler<Conf> = {
  name: 'basic-auth',
  priority: 1100,
  version: KONG_VERSION,
  prepare: (config) => ({
    ...(config as unknown as Conf),
    challenge: { 'www-authenticate': `Basic realm="${(config.realm as string | null) ?? 'service'}"` },
  }),
  access(kong, conf) {
    if (alreadyAuthenticated(kong, conf.anonymous)) return;
    const header = kong.request.getHeader('authorization') ?? kong.request.getHeader('proxy-authorization');
    const parsed = header ? parseBasic(header) : undefined;
    if (parsed) {
      const credential = kong.entities.basicauth.get(parsed.username);
      const consumer = credential ? ownerOf(kong.entities, credential) : undefined;
      if (credential && consumer && hashBasicAuthPassword(parsed.password, consumer.id) === credential.password) {
        if (conf.hide_credentials) {
          kong.request.clearHeader('authorization');
          kong.request.clearHeader('proxy-authorization');
        }
        return setConsumer(kong, consumer, credential, credential.username as string);
      }
    }
    fallback(kong, conf);
  },
};

function fallback(kong: PluginContext, conf: Conf): void {
  if (conf.anonymous) {
    authenticateAnonymous(kong, conf.anonymous);
    return;
  }
  kong.response.error(401, 'Unauthorized', conf.challenge);
}

const BASIC = /^\s*basic\s+(\S+)\s*$/i;

function parseBasic(header: string): { username: string; password: string } | undefined {
  const m = BASIC.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString();
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
