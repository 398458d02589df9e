// A realistic route set for the benchmark: most routes name a host and a prefix path, some use wildcard
// hosts, regex paths, headers or methods; a few are hostless. Deterministic, so runs are comparable.
import type { RouteRow } from '@tollgate/declarative/snapshot';

function uuid(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}

function row(i: number, fields: Partial<RouteRow>): RouteRow {
  return {
    id: uuid(i), name: `r${i}`, protocols: ['http', 'https'], methods: null, hosts: null, paths: null, headers: null,
    snis: null, sources: null, destinations: null, regex_priority: 0, strip_path: true, preserve_host: false,
    path_handling: 'v0', https_redirect_status_code: 426, request_buffering: true, response_buffering: true,
    created_at: 1700000000 + i, service: { id: uuid(1_000_000 + i) },
    ...fields,
  };
}

/** Route i, by i % 20: 12 host+prefix, 2 wildcard host, 2 regex, 2 header, 1 method+prefix, 1 hostless prefix. */
export function routeMix(count: number): RouteRow[] {
  const routes: RouteRow[] = [];
  for (let i = 0; i < count; i++) {
    const host = `svc${i % 997}.example.com`;
    const kind = i % 20;
    if (kind < 12) routes.push(row(i, { hosts: [host], paths: [`/api/v${i % 3}/resource${i}`] }));
    else if (kind < 14) routes.push(row(i, { hosts: [`*.tenant${i}.example.net`], paths: ['/'] }));
    else if (kind < 16) routes.push(row(i, { hosts: [host], paths: [`~/items${i}/(?<id>\\d+)$`], regex_priority: i % 5 }));
    else if (kind < 18) routes.push(row(i, { hosts: [host], paths: [`/h/resource${i}`], headers: { 'x-tenant': [`t${i}`] } }));
    else if (kind < 19) routes.push(row(i, { methods: ['GET', 'POST'], hosts: [host], paths: [`/m/resource${i}`] }));
    else routes.push(row(i, { paths: [`/public/resource${i}`] }));
  }
  return routes;
}
