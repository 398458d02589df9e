// Tollgate's identity on the wire (DESIGN.md "Compatibility identity"): Server and Via carry tollgate/<release>.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function readRelease(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../../../package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const TOLLGATE_RELEASE = readRelease();
export const SERVER_TOKEN = `tollgate/${TOLLGATE_RELEASE}`;
/** Via entries by the HTTP version of the hop (Kong writes `1.1 kong/x`, `2 kong/x`). */
export const VIA_1_1 = `1.1 ${SERVER_TOKEN}`;
export const VIA_1_0 = `1.0 ${SERVER_TOKEN}`;
export const VIA_2 = `2 ${SERVER_TOKEN}`;

export function viaFor(httpVersion: string): string {
  return httpVersion === '1.1' ? VIA_1_1 : httpVersion === '2.0' ? VIA_2 : VIA_1_0;
}
