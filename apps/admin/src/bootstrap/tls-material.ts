import type { TlsOptions } from 'node:tls';
import type { Settings } from '@tollgate/config';
import { ensureDefaultCertificate, loadPem } from '@tollgate/pki';

export interface CertificatePair {
  readonly cert: string;
  readonly key: string;
}

/** Supplies the certificate used when `admin_ssl_cert` is unset; libs/pki's generated default unless injected. */
export type DefaultCertificateProvider = (prefix: string, kind: 'admin') => CertificatePair | Promise<CertificatePair>;

type TlsSettings = Pick<Settings, 'prefix' | 'admin_ssl_cert' | 'admin_ssl_cert_key' | 'admin_ssl_client_ca'>;

/** TLS options shared by every `ssl` admin listener; mutual TLS when `admin_ssl_client_ca` is set. */
export async function adminTlsOptions(
  settings: TlsSettings,
  defaultCertificate: DefaultCertificateProvider = ensureDefaultCertificate,
): Promise<TlsOptions> {
  const certs = settings.admin_ssl_cert ?? [];
  const keys = settings.admin_ssl_cert_key ?? [];
  let options: TlsOptions;
  if (certs.length > 0) {
    if (certs.length !== keys.length) {
      throw new Error(`admin_ssl_cert was specified ${certs.length} times while admin_ssl_cert_key was specified ${keys.length} times`);
    }
    options = { cert: certs.map((c) => loadPem(c, settings.prefix)), key: keys.map((k) => loadPem(k, settings.prefix)) };
  } else {
    const pair = await defaultCertificate(settings.prefix, 'admin');
    options = { cert: pair.cert, key: pair.key };
  }
  if (settings.admin_ssl_client_ca) {
    // rejectUnauthorized: a client without a certificate signed by this CA fails the handshake itself.
    options = { ...options, ca: loadPem(settings.admin_ssl_client_ca, settings.prefix), requestCert: true, rejectUnauthorized: true };
  }
  return options;
}
