// A small ACME (RFC 8555) client: account, order, HTTP-01 authorizations, finalize, download. Requests are JWS
// (jose) over node:https, verifying the server with the node's trusted CAs (lua_ssl_trusted_certificate).
import { X509Certificate, createHash, createHmac, createPrivateKey, createPublicKey, generateKeyPair, sign, type KeyObject } from 'node:crypto';
import { request } from 'node:https';
import { isIP } from 'node:net';
import type { JWK } from 'jose';
import { jose } from '../../lazy-deps';
import { trustedCertificates } from '@tollgate/pki';

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

function fetchOnce(method: string, url: string, body?: string, accept?: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const ca = trustedCertificates();
    const req = request({
      method, hostname: u.hostname, port: u.port || 443, path: u.pathname + u.search,
      headers: { 'user-agent': 'tollgate-acme', ...(body !== undefined ? { 'content-type': 'application/jose+json', 'content-length': Buffer.byteLength(body) } : {}), ...(accept ? { accept } : {}) },
      ...(ca ? { ca: [...ca] } : {}),
      timeout: 30_000,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout talking to ${u.host}`)));
    req.on('error', reject);
    req.end(body);
  });
}

const header = (a: HttpAnswer, name: string) => {
  const v = a.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export class AcmeError extends Error {}

function problem(a: HttpAnswer, what: string): AcmeError {
  let detail = a.body.toString('utf8');
  try {
    const p = JSON.parse(detail) as { type?: string; detail?: string };
    detail = `${p.type ?? ''} ${p.detail ?? ''}`.trim();
  } catch { /* not a problem document */ }
  return new AcmeError(`${what}: ${a.status} ${detail}`);
}

interface Directory {
  newNonce: string;
  newAccount: string;
  newOrder: string;
  meta?: { termsOfService?: string; externalAccountRequired?: boolean };
}

interface Order {
  status: string;
  authorizations: string[];
  finalize: string;
  certificate?: string;
  error?: unknown;
}

interface Authorization {
  status: string;
  identifier: { type: string; value: string };
  challenges: Array<{ type: string; url: string; token: string; status: string; error?: { detail?: string } }>;
}

export interface AcmeAccountOptions {
  readonly directoryUrl: string;
  readonly email: string;
  /** PEM (PKCS#8) of the account key. */
  readonly accountKey: string;
  readonly eabKid?: string | null;
  readonly eabHmacKey?: string | null;
}

/** Publishes and withdraws the key authorization of an HTTP-01 challenge (in the plugin's storage). */
export interface ChallengeStore {
  publish(token: string, keyAuthorization: string): Promise<void>;
  withdraw(token: string): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const b64u = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export class AcmeClient {
  private directory: Directory | null = null;
  private nonce: string | null = null;
  private kid: string | null = null;
  private key!: KeyObject;
  private jwk!: JWK;
  private alg = 'RS256';

  constructor(private readonly opts: AcmeAccountOptions) {}

  private async init(): Promise<Directory> {
    if (this.directory) return this.directory;
    const a = await fetchOnce('GET', this.opts.directoryUrl);
    if (a.status !== 200) throw problem(a, `can't fetch directory ${this.opts.directoryUrl}`);
    this.directory = JSON.parse(a.body.toString('utf8')) as Directory;
    this.key = createPublicKey(this.opts.accountKey);
    const jwk = await jose().exportJWK(this.key);
    this.alg = jwk.kty === 'EC' ? 'ES256' : 'RS256';
    this.jwk = jwk.kty === 'EC' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y } : { e: jwk.e, kty: jwk.kty, n: jwk.n };
    return this.directory;
  }

  /** RFC 7638 thumbprint of the account key (members in lexical order). */
  private thumbprint(): string {
    return b64u(createHash('sha256').update(JSON.stringify(this.jwk)).digest());
  }

  private async newNonce(): Promise<string> {
    if (this.nonce) {
      const n = this.nonce;
      this.nonce = null;
      return n;
    }
    const a = await fetchOnce('HEAD', this.directory!.newNonce);
    const n = header(a, 'replay-nonce');
    if (!n) throw new AcmeError('ACME server gave no nonce');
    return n;
  }

  /** A signed POST (payload null: POST-as-GET), retried once on badNonce. */
  private async post(url: string, payload: unknown, accept?: string, useJwk = false): Promise<HttpAnswer> {
    for (let attempt = 0; ; attempt++) {
      const nonce = await this.newNonce();
      const protectedHeader = { alg: this.alg, nonce, url, ...(useJwk || !this.kid ? { jwk: this.jwk } : { kid: this.kid }) };
      const bytes = payload === null ? new Uint8Array(0) : new TextEncoder().encode(JSON.stringify(payload));
      const privateKey = await jose().importPKCS8(this.opts.accountKey, this.alg);
      const jws = await new (jose().FlattenedSign)(bytes).setProtectedHeader(protectedHeader).sign(privateKey);
      const a = await fetchOnce('POST', url, JSON.stringify(jws), accept);
      const next = header(a, 'replay-nonce');
      if (next) this.nonce = next;
      if (a.status === 400 && attempt < 2 && a.body.toString('utf8').includes('badNonce')) continue;
      return a;
    }
  }

  private externalAccountBinding(url: string): unknown {
    const kid = this.opts.eabKid;
    const hmac = this.opts.eabHmacKey;
    if (!kid || !hmac) return undefined;
    const protectedB64 = b64u(JSON.stringify({ alg: 'HS256', kid, url }));
    const payloadB64 = b64u(JSON.stringify(this.jwk));
    const signature = createHmac('sha256', Buffer.from(hmac, 'base64url')).update(`${protectedB64}.${payloadB64}`).digest();
    return { protected: protectedB64, payload: payloadB64, signature: b64u(signature) };
  }

  /** newAccount (or finds the existing one for this key). */
  async account(): Promise<void> {
    const dir = await this.init();
    if (this.kid) return;
    const payload: Record<string, unknown> = { termsOfServiceAgreed: true, contact: [`mailto:${this.opts.email}`] };
    const eab = this.externalAccountBinding(dir.newAccount);
    if (eab) payload.externalAccountBinding = eab;
    const a = await this.post(dir.newAccount, payload, undefined, true);
    if (a.status !== 200 && a.status !== 201) throw problem(a, 'failed to create account');
    this.kid = header(a, 'location') ?? null;
    if (!this.kid) throw new AcmeError('ACME server gave no account URL');
  }

  private async poll<T extends { status: string }>(url: string, done: (v: T) => boolean, what: string): Promise<T> {
    const deadline = Date.now() + 90_000;
    for (let wait = 250; ; wait = Math.min(wait * 2, 2000)) {
      const a = await this.post(url, null);
      if (a.status !== 200) throw problem(a, what);
      const v = JSON.parse(a.body.toString('utf8')) as T;
      if (done(v)) return v;
      if (Date.now() > deadline) throw new AcmeError(`${what}: still ${v.status} after 90 s`);
      await sleep(wait);
    }
  }

  /** Orders a certificate for `host` with `keyPem` (PKCS#8); returns the PEM chain. */
  async orderCertificate(host: string, keyPem: string, challenges: ChallengeStore, preferredChain?: string | null): Promise<string> {
    await this.account();
    const dir = this.directory!;
    const identifier = { type: isIP(host) ? 'ip' : 'dns', value: host };
    const created = await this.post(dir.newOrder, { identifiers: [identifier] });
    if (created.status !== 201) throw problem(created, 'failed to create order');
    const orderUrl = header(created, 'location')!;
    let order = JSON.parse(created.body.toString('utf8')) as Order;

    for (const authzUrl of order.authorizations) {
      const a = await this.post(authzUrl, null);
      if (a.status !== 200) throw problem(a, 'failed to fetch authorization');
      const authz = JSON.parse(a.body.toString('utf8')) as Authorization;
      if (authz.status === 'valid') continue;
      const challenge = authz.challenges.find((c) => c.type === 'http-01');
      if (!challenge) throw new AcmeError(`no http-01 challenge offered for ${authz.identifier.value}`);
      await challenges.publish(challenge.token, `${challenge.token}.${this.thumbprint()}`);
      try {
        const started = await this.post(challenge.url, {});
        if (started.status !== 200) throw problem(started, 'failed to start challenge');
        const result = await this.poll<Authorization>(authzUrl, (v) => v.status !== 'pending', 'challenge');
        if (result.status !== 'valid') {
          const failed = result.challenges.find((c) => c.type === 'http-01');
          throw new AcmeError(`challenge ${failed?.status ?? result.status}: ${failed?.error?.detail ?? 'authorization ' + result.status}`);
        }
      } finally {
        await challenges.withdraw(challenge.token).catch(() => {});
      }
    }

    const finalized = await this.post(order.finalize, { csr: b64u(certificateRequest(host, keyPem)) });
    if (finalized.status !== 200) throw problem(finalized, 'failed to finalize order');
    order = await this.poll<Order>(orderUrl, (v) => v.status === 'valid' || v.status === 'invalid', 'order');
    if (order.status !== 'valid' || !order.certificate) throw new AcmeError(`order ${order.status}: ${JSON.stringify(order.error ?? null)}`);
    const cert = await this.post(order.certificate, null, 'application/pem-certificate-chain');
    if (cert.status !== 200) throw problem(cert, 'failed to download certificate');
    const chain = cert.body.toString('utf8');
    return preferredChain ? await this.preferred(cert, chain, preferredChain) : chain;
  }

  /** Kong's preferred_chain: an alternate chain (Link rel="alternate") whose top issuer's CN is the name given. */
  private async preferred(first: HttpAnswer, chain: string, name: string): Promise<string> {
    if (topIssuerCn(chain) === name) return chain;
    const links = ([] as string[]).concat(first.headers.link ?? []);
    for (const link of links) {
      for (const m of link.matchAll(/<([^>]+)>\s*;\s*rel="?alternate"?/g)) {
        const alt = await this.post(m[1], null, 'application/pem-certificate-chain');
        if (alt.status === 200 && topIssuerCn(alt.body.toString('utf8')) === name) return alt.body.toString('utf8');
      }
    }
    return chain;
  }
}

function topIssuerCn(chain: string): string | undefined {
  const pems = chain.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
  const last = pems[pems.length - 1];
  if (!last) return undefined;
  return /CN=([^\n]+)/.exec(new X509Certificate(last).issuer)?.[1];
}

/**
 * A new private key (PKCS#8 PEM): RSA of `bits`, or P-256 (Kong's cert_type ecc). Generated off the event loop:
 * an RSA 4096 account key takes seconds, and the process also serves the Admin API.
 */
export function newPrivateKey(type: 'rsa' | 'ecc', bits: number): Promise<string> {
  const encoding = { privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } } as const;
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, _pub: string, priv: string) => (err ? reject(err) : resolve(priv));
    if (type === 'rsa') generateKeyPair('rsa', { modulusLength: bits, ...encoding }, done);
    else generateKeyPair('ec', { namedCurve: 'prime256v1', ...encoding }, done);
  });
}

// ----- a PKCS#10 request in DER (node:crypto signs; node-forge cannot hold EC keys) -----

function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const n = body.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes = [parts[0] * 40 + parts[1]];
  for (const p of parts.slice(2)) {
    const chunk = [p & 0x7f];
    for (let v = p >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}

const SEQ = 0x30;
const SET = 0x31;

function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  const halves = ip.split('::');
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length > 1 && halves[1] ? halves[1].split(':') : [];
  const groups = [...head, ...Array(8 - head.length - tail.length).fill('0'), ...tail];
  return Buffer.from(groups.flatMap((g) => { const v = parseInt(g, 16); return [v >> 8, v & 0xff]; }));
}

/** CSR for one host: CN and subjectAltName (dNSName or iPAddress), signed with SHA-256. */
export function certificateRequest(host: string, keyPem: string): Buffer {
  const key = createPrivateKey(keyPem);
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const subject = der(SEQ, der(SET, der(SEQ, oid('2.5.4.3'), der(0x0c, Buffer.from(host)))));
  const altName = isIP(host) ? der(0x87, ipBytes(host)) : der(0x82, Buffer.from(host));
  const extensions = der(SEQ, der(SEQ, oid('2.5.29.17'), der(0x04, der(SEQ, altName))));
  const attributes = der(0xa0, der(SEQ, oid('1.2.840.113549.1.9.14'), der(SET, extensions)));
  const info = der(SEQ, der(0x02, Buffer.from([0])), subject, spki, attributes);
  const ec = key.asymmetricKeyType === 'ec';
  const algorithm = ec ? der(SEQ, oid('1.2.840.10045.4.3.2')) : der(SEQ, oid('1.2.840.113549.1.1.11'), der(0x05));
  const signature = sign('sha256', info, key);
  return der(SEQ, info, algorithm, der(0x03, Buffer.from([0]), signature));
}
