// Cluster mTLS material for `cluster_mtls = shared`: one pair that control plane and data planes all present,
// the equivalent of `kong hybrid gen_cert` (CN kong_clustering, so Kong-style tooling recognises it).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { issueCertificate, type PemPair } from './issue';

export const CLUSTER_COMMON_NAME = 'kong_clustering';

export function generateClusterCertificate(days = 3 * 365): PemPair {
  return issueCertificate({ commonName: CLUSTER_COMMON_NAME, altNames: [CLUSTER_COMMON_NAME], days, usage: 'both' });
}

export function writeClusterCertificate(certPath: string, keyPath: string, opts: { days?: number; force?: boolean } = {}): PemPair {
  if (!opts.force && (existsSync(certPath) || existsSync(keyPath))) {
    throw new Error(`refusing to overwrite existing ${existsSync(certPath) ? certPath : keyPath} (use --force)`);
  }
  const pair = generateClusterCertificate(opts.days);
  mkdirSync(dirname(certPath), { recursive: true });
  mkdirSync(dirname(keyPath), { recursive: true });
  writeFileSync(keyPath, pair.key, { mode: 0o600 });
  writeFileSync(certPath, pair.cert, { mode: 0o644 });
  return pair;
}
