// The reference's strip_path / path_handling table (§1.6): service path, route path (null: no paths),
// request path, strip_path, expected v0, expected v1.
export interface UpstreamPathRow {
  readonly servicePath: string;
  readonly routePath: string | null;
  readonly request: string;
  readonly strip: boolean;
  readonly v0: string;
  readonly v1: string;
}

function row(servicePath: string, routePath: string | null, request: string, strip: boolean, v0: string, v1: string): UpstreamPathRow {
  return { servicePath, routePath, request, strip, v0, v1 };
}

export const upstreamPathRows: UpstreamPathRow[] = [
  row('/s', '/fv', '/fv', true, '/s', '/s'),
  row('/s', '/fv', '/fv', false, '/s/fv', '/sfv'),
  row('/s', '/fv', '/fvreq', true, '/s/req', '/sreq'),
  row('/s', '/fv', '/fvreq', false, '/s/fvreq', '/sfvreq'),
  row('/s', '/fv', '/fv/req', true, '/s/req', '/s/req'),
  row('/s', '/fv', '/fv/req', false, '/s/fv/req', '/sfv/req'),
  row('/s', '/fv/', '/fv/', true, '/s/', '/s'),
  row('/s', '/fv/', '/fv/req', true, '/s/req', '/sreq'),
  row('/s', '/', '/req', true, '/s/req', '/sreq'),
  row('/s', '/', '/', true, '/s', '/s'),
  row('/s', '/', '/', false, '/s', '/s'),
  row('/fit/', '/fv', '/fv', true, '/fit', '/fit/'),
  row('/fit/', '/fv', '/fv/req', true, '/fit/req', '/fit/req'),
  row('/fit/', '/fv', '/fv', false, '/fit/fv', '/fit/fv'),
  row('/fit/', '/fv/', '/fv/', true, '/fit/', '/fit/'),
  row('/', '/fv', '/fv', true, '/', '/'),
  row('/', '/fv', '/fvreq', true, '/req', '/req'),
  row('/', '/fv', '/fv/req', false, '/fv/req', '/fv/req'),
  row('/', null, '/x/y', true, '/x/y', '/x/y'),
  row('/', null, '/x/y', false, '/x/y', '/x/y'),
];
