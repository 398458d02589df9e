// Host and SNI patterns shared by the HTTP and stream routers: exact names and the two wildcard forms.
import { hostPort, hostWithoutPort } from './host';

export type NameMatchKind = 'exact' | 'suffix' | 'prefix';

export interface NamePattern {
  readonly kind: NameMatchKind;
  /** exact: the name; suffix (`*.x.com`): `.x.com`; prefix (`x.*`): `x.` — all lower case. */
  readonly key: string;
}

export interface HostPattern extends NamePattern {
  /** Port the route's host names (`a.com:8000`), or null for any port. */
  readonly port: number | null;
  /** The route's host value as configured, reported as the matched host. */
  readonly label: string;
}

function namePattern(name: string): NamePattern {
  const lower = name.toLowerCase();
  if (lower.startsWith('*')) return { kind: 'suffix', key: lower.slice(1) };
  if (lower.endsWith('*')) return { kind: 'prefix', key: lower.slice(0, -1) };
  return { kind: 'exact', key: lower };
}

export function hostPattern(host: string): HostPattern {
  const name = namePattern(hostWithoutPort(host));
  return { kind: name.kind, key: name.key, port: hostPort(host), label: host };
}

/** SNIs compare without a trailing dot. */
export function normalizeSni(sni: string): string {
  const lower = sni.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

export function sniPattern(sni: string): NamePattern {
  return namePattern(normalizeSni(sni));
}

export function nameMatches(p: NamePattern, name: string): boolean {
  if (p.kind === 'exact') return name === p.key;
  if (p.kind === 'suffix') return name.endsWith(p.key);
  return name.startsWith(p.key);
}
