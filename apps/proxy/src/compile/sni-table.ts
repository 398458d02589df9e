// Certificates by SNI, built once per config: exact names first, then `*.example.com`, then `example.*`
// (Kong's order). Secure contexts are created here, never during a handshake.
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Row } from '@tollgate/declarative/snapshot';
import type { SniTable } from './types';

interface CertificateRow extends Row {
  readonly cert?: string;
  readonly key?: string;
  readonly cert_alt?: string | null;
  readonly key_alt?: string | null;
  readonly snis?: readonly string[] | null;
}

class CompiledSniTable implements SniTable {
  constructor(
    private readonly exact: ReadonlyMap<string, SecureContext>,
    /** keyed by the suffix after `*`, e.g. `.example.com` */
    private readonly leftWild: ReadonlyMap<string, SecureContext>,
    /** keyed by the prefix before `*`, e.g. `example.` */
    private readonly rightWild: ReadonlyMap<string, SecureContext>,
  ) {}

  get size(): number {
    return this.exact.size + this.leftWild.size + this.rightWild.size;
  }

  find(serverName: string): SecureContext | null {
    const name = serverName.toLowerCase();
    const hit = this.exact.get(name);
    if (hit) return hit;
    if (this.leftWild.size > 0) {
      // `*.x.com` covers a.x.com and a.b.x.com (Kong wildcards span labels); longest suffix wins.
      for (let dot = name.indexOf('.'); dot !== -1; dot = name.indexOf('.', dot + 1)) {
        const ctx = this.leftWild.get(name.slice(dot));
        if (ctx) return ctx;
      }
    }
    if (this.rightWild.size > 0) {
      for (let dot = name.lastIndexOf('.'); dot > 0; dot = name.lastIndexOf('.', dot - 1)) {
        const ctx = this.rightWild.get(name.slice(0, dot + 1));
        if (ctx) return ctx;
      }
    }
    return null;
  }
}

export function compileSniTable(
  certificates: readonly Row[] | undefined,
  snis: readonly Row[] | undefined,
): SniTable {
  const contexts = new Map<string, SecureContext>();
  const contextFor = (certId: string): SecureContext | null => {
    const cached = contexts.get(certId);
    if (cached) return cached;
    const row = certificates?.find((c) => c.id === certId) as CertificateRow | undefined;
    if (!row?.cert || !row.key) return null;
    const ctx = createSecureContext({
      cert: row.cert_alt ? [row.cert, row.cert_alt] : row.cert,
      key: row.key_alt && row.key ? [row.key, row.key_alt] : row.key,
    });
    contexts.set(certId, ctx);
    return ctx;
  };

  const exact = new Map<string, SecureContext>();
  const leftWild = new Map<string, SecureContext>();
  const rightWild = new Map<string, SecureContext>();
  const add = (rawName: string, certId: string) => {
    const ctx = contextFor(certId);
    if (!ctx) return;
    const name = rawName.toLowerCase();
    if (name.startsWith('*.')) leftWild.set(name.slice(1), ctx);
    else if (name.endsWith('.*')) rightWild.set(name.slice(0, -1), ctx);
    else exact.set(name, ctx);
  };

  for (const sni of snis ?? []) {
    const certificate = sni.certificate as { id?: string } | null | undefined;
    if (typeof sni.name === 'string' && certificate?.id) add(sni.name, certificate.id);
  }
  // Certificates may also carry their names inline (the Admin API's convenience field).
  for (const cert of (certificates ?? []) as CertificateRow[]) {
    for (const name of cert.snis ?? []) if (!exact.has(name) && !name.includes('*')) add(name, cert.id);
  }
  return new CompiledSniTable(exact, leftWild, rightWild);
}
