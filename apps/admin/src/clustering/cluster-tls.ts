// TLS material of the cluster listener. Every connection is mutual TLS:
//   shared: the only trust anchor is cluster_cert itself, and the client must present exactly that certificate
//           (SHA-256 fingerprint compare, as Kong's digest check);
//   pki:    the client certificate must chain to cluster_ca_cert.
// OpenSSL refuses a certificate that does not verify during the handshake, so such a data plane never reaches
// HTTP and never appears in any listing.
import { X509Certificate } from 'node:crypto';
import type { TlsOptions } from 'node:tls';
import type { Settings } from '@tollgate/config';
import { loadPem } from '@tollgate/pki';

export type ClusterTlsSettings = Pick<Settings, 'prefix' | 'cluster_mtls' | 'cluster_cert' | 'cluster_cert_key' | 'cluster_ca_cert'>;

export interface ClusterServerTls {
  readonly options: TlsOptions;
  /** shared mode: the fingerprint a client certificate must have; null in pki mode. */
  readonly requiredFingerprint: string | null;
}

const expected = (message: string) => Object.assign(new Error(message), { expected: true });

export function clusterServerTls(settings: ClusterTlsSettings): ClusterServerTls {
  if (!settings.cluster_cert || !settings.cluster_cert_key) throw expected('cluster certificate and key must be provided to use Hybrid mode');
  const cert = loadPem(settings.cluster_cert, settings.prefix);
  const key = loadPem(settings.cluster_cert_key, settings.prefix);
  if (settings.cluster_mtls === 'pki') {
    if (!settings.cluster_ca_cert) throw expected('cluster_ca_cert must be specified when cluster_mtls = "pki"');
    const ca = loadPem(settings.cluster_ca_cert, settings.prefix);
    return { options: { cert, key, ca, requestCert: true, rejectUnauthorized: true }, requiredFingerprint: null };
  }
  return {
    options: { cert, key, ca: cert, requestCert: true, rejectUnauthorized: true },
    requiredFingerprint: new X509Certificate(cert).fingerprint256,
  };
}
