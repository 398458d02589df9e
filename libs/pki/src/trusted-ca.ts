// lua_ssl_trusted_certificate: the CAs that verify an upstream's certificate when its service has tls_verify on and
// no ca_certificates of its own, azure-functions' with https_verify, and the acme plugin's ACME server (Kong's
// lua_ssl_trusted_certificate covers every outgoing TLS of the Lua code). Read once when a data plane or control
// plane starts; undefined keeps Node's bundled root CAs, which is what `system` alone means.
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';

let trusted: readonly string[] | undefined;

export function setTrustedCertificates(list: readonly string[] | undefined): void {
  trusted = readTrustedCertificates(list);
}

/** The PEM texts a lua_ssl_trusted_certificate list names; undefined for Node's bundled root CAs (`system` alone).
 *  Also what verifies PostgreSQL with pg_ssl_verify, as in Kong. */
export function readTrustedCertificates(list: readonly string[] | undefined): readonly string[] | undefined {
  if (!list || list.length === 0 || (list.length === 1 && list[0] === 'system')) return undefined;
  return Object.freeze(list.flatMap((item) => (item === 'system' ? [...rootCertificates] : [readFileSync(item, 'utf8')])));
}

export function trustedCertificates(): readonly string[] | undefined {
  return trusted;
}
