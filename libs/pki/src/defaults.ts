// Default certificates, generated once into <prefix>/ssl and reused (as Kong does for listeners with `ssl` and
// no configured certificate). Several processes may start at once (control plane + data-plane workers), so the
// files are written to a temp name and linked into place: whoever loses the race reads the winner's pair.
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueCertificate, type PemPair } from './issue';

export type DefaultCertName = 'proxy' | 'admin' | 'status' | 'stream';

export interface StoredPair extends PemPair {
  readonly certPath: string;
  readonly keyPath: string;
}

export function defaultCertificatePaths(prefix: string, name: DefaultCertName): { certPath: string; keyPath: string } {
  const dir = join(prefix, 'ssl');
  return { certPath: join(dir, `${name}-default.crt`), keyPath: join(dir, `${name}-default.key`) };
}

export function ensureDefaultCertificate(prefix: string, name: DefaultCertName): StoredPair {
  const { certPath, keyPath } = defaultCertificatePaths(prefix, name);
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    mkdirSync(join(prefix, 'ssl'), { recursive: true, mode: 0o700 });
    const pair = issueCertificate({ commonName: 'localhost', altNames: ['localhost', '127.0.0.1', '::1'], usage: 'server' });
    // Key first: a reader that sees the certificate can rely on the key being there.
    publishOnce(keyPath, pair.key, 0o600);
    publishOnce(certPath, pair.cert, 0o644);
  }
  return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), certPath, keyPath };
}

function publishOnce(path: string, content: string, mode: number): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, content, { mode });
  try {
    linkSync(tmp, path); // fails with EEXIST when another process won
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(tmp);
  }
}
