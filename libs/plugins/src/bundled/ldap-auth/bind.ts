// One LDAP simple bind as Kong's ldap-auth does it: `<attribute>=<username>,<base_dn>` with the given password,
// over ldap, ldaps or ldap + StartTLS. Connections are kept `keepalive` ms after use and reused, one bind at a
// time each (LDAP forbids a bind while other operations are outstanding on the connection).
import type { Client } from 'ldapts';
import { ldapts } from '../../lazy-deps';

export interface BindTarget {
  readonly ldap_host: string;
  readonly ldap_port: number;
  readonly ldaps: boolean;
  readonly start_tls: boolean;
  readonly verify_ldap_host: boolean;
  readonly base_dn: string;
  readonly attribute: string;
  readonly timeout: number;
  readonly keepalive: number;
}

interface Idle { readonly client: Client; readonly timer: NodeJS.Timeout }

// pool key (host, port, TLS mode: as Kong keeps StartTLS connections in their own pool) -> idle connections
const idle = new Map<string, Idle[]>();
const MAX_IDLE_PER_TARGET = 16;

const poolKey = (t: BindTarget) => `${t.ldap_host}:${t.ldap_port}:${t.ldaps ? 'ldaps' : t.start_tls ? 'starttls' : 'ldap'}:${t.verify_ldap_host}`;

async function connect(t: BindTarget): Promise<Client> {
  const tlsOptions = { rejectUnauthorized: t.verify_ldap_host, servername: t.ldap_host };
  const client = new (ldapts().Client)({
    url: `${t.ldaps ? 'ldaps' : 'ldap'}://${t.ldap_host}:${t.ldap_port}`,
    timeout: t.timeout,
    connectTimeout: t.timeout,
    ...(t.ldaps ? { tlsOptions } : {}),
  });
  if (t.start_tls) await client.startTLS(tlsOptions);
  return client;
}

function checkout(key: string): Client | undefined {
  const list = idle.get(key);
  const entry = list?.pop();
  if (!entry) return undefined;
  clearTimeout(entry.timer);
  return entry.client;
}

function release(key: string, client: Client, keepaliveMs: number): void {
  const list = idle.get(key) ?? [];
  if (keepaliveMs <= 0 || list.length >= MAX_IDLE_PER_TARGET || !client.isConnected) {
    void client.unbind().catch(() => undefined);
    return;
  }
  const entry: Idle = {
    client,
    timer: setTimeout(() => {
      const current = idle.get(key);
      if (current) idle.set(key, current.filter((e) => e !== entry));
      void client.unbind().catch(() => undefined);
    }, keepaliveMs).unref(),
  };
  list.push(entry);
  idle.set(key, list);
}

/** true: bound; false: wrong credentials; throws when the server cannot be reached or answers otherwise. */
export async function ldapBind(target: BindTarget, username: string, password: string): Promise<boolean> {
  const key = poolKey(target);
  const reused = checkout(key);
  const client = reused ?? (await connect(target));
  const dn = `${target.attribute}=${username},${target.base_dn}`;
  try {
    await client.bind(dn, password);
    release(key, client, target.keepalive);
    return true;
  } catch (err) {
    if (err instanceof ldapts().InvalidCredentialsError) {
      release(key, client, target.keepalive);
      return false;
    }
    void client.unbind().catch(() => undefined);
    // a kept connection the server closed meanwhile: one retry on a fresh one
    if (reused) return ldapBind({ ...target }, username, password);
    throw err;
  }
}
