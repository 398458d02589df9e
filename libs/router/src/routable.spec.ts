// isHttpRoutable: the rule the proxy compiler and route-match explain share.
import type { RouteRow } from '@tollgate/declarative/snapshot';
import { isHttpRoutable } from './routable';

const route = (over: Partial<Record<string, unknown>>) => ({ id: 'r', paths: ['/'], ...over }) as unknown as RouteRow;

describe('isHttpRoutable', () => {
  it('takes HTTP-family protocols (http by default), not stream ones', () => {
    const any = () => true;
    expect(isHttpRoutable(route({}), any)).toBe(true);
    expect(isHttpRoutable(route({ protocols: ['grpcs'] }), any)).toBe(true);
    expect(isHttpRoutable(route({ protocols: ['https'] }), any)).toBe(true);
    expect(isHttpRoutable(route({ protocols: ['tcp', 'tls'] }), any)).toBe(false);
    expect(isHttpRoutable(route({ protocols: ['udp'] }), any)).toBe(false);
  });

  it('leaves out a route whose service is not usable (disabled); a route without a service stays', () => {
    const enabled = new Set(['on']);
    const usable = (id: string) => enabled.has(id);
    expect(isHttpRoutable(route({ service: { id: 'on' } }), usable)).toBe(true);
    expect(isHttpRoutable(route({ service: { id: 'off' } }), usable)).toBe(false);
    expect(isHttpRoutable(route({ service: null }), usable)).toBe(true);
  });
});
