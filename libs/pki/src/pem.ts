// kong.conf certificate values may be a path, an inline PEM, or a base64-encoded PEM.
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

export function loadPem(value: string, baseDir = process.cwd()): string {
  const trimmed = value.trim();
  if (trimmed.startsWith('-----BEGIN')) return trimmed + '\n';
  if (/^[A-Za-z0-9+/=\s]+$/.test(trimmed) && trimmed.length > 64) {
    const decoded = Buffer.from(trimmed, 'base64').toString('utf8');
    if (decoded.startsWith('-----BEGIN')) return decoded;
  }
  return readFileSync(isAbsolute(trimmed) ? trimmed : resolve(baseDir, trimmed), 'utf8');
}
