// Ordering, storing and renewing certificates: what Kong's kong/plugins/acme/client.lua does, over a storage
// (storage.ts) and a sink that keeps the issued certificates (the database's certificates and snis in traditional
// mode, the storage itself in DB-less mode, as Kong).
import { X509Certificate } from 'node:crypto';
import type { PluginLogger } from '../../types';
import type { AcmeConf } from './conf';
import { AcmeClient, newPrivateKey } from './protocol';
import { KEYS, type AcmeStorage } from './storage';

export interface CertKey {
  readonly cert: string;
  readonly key: string;
}

/** Where issued certificates go and are read back from. */
export interface CertificateSink {
  save(host: string, certkey: CertKey): Promise<void>;
  load(host: string): Promise<CertKey | null>;
}

/** DB-less and hybrid: the certificate is kept in the plugin's storage under `kong_acme:cert_key:<host>`. */
export function storageSink(st: AcmeStorage): CertificateSink {
  return {
    save: (host, certkey) => st.set(KEYS.certkeyPrefix + host, JSON.stringify({ key: certkey.key, cert: certkey.cert })),
    async load(host) {
      const raw = await st.get(KEYS.certkeyPrefix + host);
      if (!raw) return null;
      const parsed = JSON.parse(raw) as Partial<CertKey>;
      return parsed.cert && parsed.key ? { cert: parsed.cert, key: parsed.key } : null;
    },
  };
}

const DAY_SECONDS = 86400;
const LOCK_TIMEOUT_S = 30;
const now = () => Math.floor(Date.now() / 1000);

/**
 * Kong's api_uri backward compatibility (the pre-2.x default named the CA's base URL): `/directory` is appended
 * to a URL without a path. Kong appends it to any URL not ending in /directory; a directory at another path
 * (pebble's `/dir`) is taken as given here.
 */
export function directoryUrl(apiUri: string): string {
  if (apiUri.endsWith('/directory')) return apiUri;
  const u = new URL(apiUri);
  if (u.pathname !== '/' && u.pathname !== '') return apiUri;
  return `${apiUri.endsWith('/') ? apiUri : apiUri + '/'}directory`;
}

/** Kong's account_key: the private key (PEM) of a `keys` entity, by kid and optional key set name. */
export type AccountKeyResolver = (ref: { readonly key_id: string; readonly key_set?: string | null }) => Promise<string>;

/**
 * The account key of (api_uri, account_email): stored the first time, from config.account_key when it names a
 * `keys` entity, else created (RSA 4096, as Kong).
 */
export async function accountKey(conf: AcmeConf, st: AcmeStorage, resolve?: AccountKeyResolver): Promise<string> {
  const name = KEYS.account(conf.api_uri, conf.account_email);
  const stored = await st.get(name);
  if (stored) {
    const key = (JSON.parse(stored) as { key?: string }).key;
    if (!key) throw new Error('key found in account');
    return key;
  }
  let key: string;
  if (conf.account_key) {
    if (!resolve) throw new Error('config.account_key: no keys entity can be read in this process');
    key = await resolve(conf.account_key);
  } else {
    key = await newPrivateKey('rsa', 4096);
  }
  // another order may have created it meanwhile: the first one stored wins
  if (!(await st.add(name, JSON.stringify({ key })))) return accountKey(conf, st, resolve);
  return key;
}

export interface UpdateResult {
  /** false: not attempted (backoff, or another order for this host is running). */
  readonly attempted: boolean;
  readonly error?: string;
}

/** Kong's update_certificate: back-off check, per-host lock, order, save. `key`: the previous key on renewal. */
export async function updateCertificate(conf: AcmeConf, host: string, key: string | null, st: AcmeStorage, sink: CertificateSink, log: PluginLogger, resolve?: AccountKeyResolver): Promise<UpdateResult> {
  const backoff = await st.get(KEYS.backoff(host)).catch((err: Error) => { log.warn(`failed to read backoff status for ${host} : ${err.message}`); return null; });
  if (backoff && Number.isFinite(Number(backoff))) {
    const wait = Number(backoff) - now();
    return { attempted: false, error: `please try again in ${wait} seconds for host ${host} because of previous failure; this is configurable with config.fail_backoff_minutes` };
  }
  let locked: boolean;
  try {
    locked = await st.add(KEYS.lock(host), 'placeholder', LOCK_TIMEOUT_S);
  } catch (err) {
    return { attempted: false, error: `can't lock ${host}: ${(err as Error).message}` };
  }
  if (!locked) {
    log.info(`update_certificate for ${host} is already running`);
    return { attempted: false };
  }
  try {
    const client = new AcmeClient({
      directoryUrl: directoryUrl(conf.api_uri), email: conf.account_email, accountKey: await accountKey(conf, st, resolve),
      eabKid: conf.eab_kid, eabHmacKey: conf.eab_hmac_key,
    });
    const certKey = key ?? (await newPrivateKey(conf.cert_type, conf.rsa_key_size));
    const challenges = {
      publish: (token: string, value: string) => st.set(KEYS.challenge(token), value, 3600),
      withdraw: (token: string) => st.delete(KEYS.challenge(token)),
    };
    let cert: string;
    try {
      cert = await client.orderCertificate(host, certKey, challenges, conf.preferred_chain);
    } catch (err) {
      throw new Error(`could not create certificate for host: ${host} err: ${(err as Error).message}`);
    }
    await sink.save(host, { cert, key: certKey });
    return { attempted: true };
  } catch (err) {
    // Kong sets the back-off after every attempt in traditional mode; only a failure does here, so that a
    // renewal right after an order is not refused
    const wait = conf.fail_backoff_minutes * 60;
    if (wait > 0) await st.set(KEYS.backoff(host), String(now() + wait), wait).catch(() => {});
    return { attempted: true, error: (err as Error).message };
  } finally {
    await st.delete(KEYS.lock(host)).catch((err: Error) => log.warn(`failed to delete update_certificate lock for ${host}: ${err.message}`));
  }
}

/** Kong's store_renew_config: the host is checked by every renewal run from now on. */
export function storeRenewConfig(st: AcmeStorage, host: string): Promise<void> {
  return st.set(KEYS.renewPrefix + host, JSON.stringify({ host, expire_at: now() + DAY_SECONDS * 90 }));
}

export async function loadRenewHosts(st: AcmeStorage): Promise<string[]> {
  return (await st.list(KEYS.renewPrefix)).map((k) => k.slice(KEYS.renewPrefix.length)).sort();
}

/** Kong's renew_certificate_storage: renews every host whose certificate ends within renew_threshold_days. */
export async function renewCertificates(conf: AcmeConf, st: AcmeStorage, sink: CertificateSink, log: PluginLogger, resolve?: AccountKeyResolver): Promise<void> {
  const keys = await st.list(KEYS.renewPrefix);
  await st.set(KEYS.renewLastRun, new Date().toISOString().replace('T', ' ').slice(0, 19)).catch(() => {});
  const threshold = DAY_SECONDS * conf.renew_threshold_days;
  for (const renewKey of keys) {
    try {
      const raw = await st.get(renewKey);
      if (!raw) continue;
      const renew = JSON.parse(raw) as { host: string; expire_at: number };
      if (renew.expire_at - threshold > now()) {
        log.info(`certificate for host ${renew.host} is not due for renewal`);
        continue;
      }
      const certkey = await sink.load(renew.host);
      if (!certkey) {
        log.warn(`deleting renewal config for host: ${renew.host}`);
        await st.delete(renewKey);
        continue;
      }
      if (new Date(new X509Certificate(certkey.cert).validTo).getTime() / 1000 - threshold > now()) {
        log.info(`certificate for ${renew.host} is not due for renewal`);
        continue;
      }
      log.info(`renew certificate for host ${renew.host}`);
      const result = await updateCertificate(conf, renew.host, certkey.key, st, sink, log, resolve);
      if (result.error) log.error(`failed to renew certificate: ${result.error}`);
    } catch (err) {
      log.error(`renewal of ${renewKey} failed: ${(err as Error).message}`);
    }
  }
}

const stamp = (d: Date) => d.toISOString().replace('T', ' ').slice(0, 19);
const hexPairs = (hex: string) => hex.toUpperCase().match(/../g)!.join(':');

/** Kong's parse_certkey: what GET /acme/certificates shows of a certificate. */
export function describeCertificate(certkey: CertKey): Record<string, unknown> {
  const cert = new X509Certificate(certkey.cert);
  const cn = (dn: string) => /(?:^|\n)CN=([^\n]*)/.exec(dn)?.[1];
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  const t = Date.now();
  const serial = cert.serialNumber.replace(/^(00)+(?=..)/, '');
  return {
    digest: cert.fingerprint,
    host: cn(cert.subject) ?? cert.subjectAltName?.split(', ')[0]?.replace(/^[^:]*:/, '') ?? null,
    issuer_cn: cn(cert.issuer) ?? null,
    not_before: stamp(notBefore),
    not_after: stamp(notAfter),
    valid: notBefore.getTime() < t && notAfter.getTime() > t,
    serial_number: hexPairs(serial.length % 2 ? '0' + serial : serial),
    pubkey_type: cert.publicKey.asymmetricKeyType === 'ec' ? 'id-ecPublicKey' : 'rsaEncryption',
  };
}
