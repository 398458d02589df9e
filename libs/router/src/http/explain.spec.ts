// explainHttpMatch over the router's own table of cases: its winner is always match()'s, a losing route that
// matched every condition lost on priority, and a route that failed a condition names that condition.
import { httpFieldCases, type HttpCase } from '../cases/http-cases';
import { priorityCases } from '../cases/priority-cases';
import { route } from '../cases/route-factory';
import { compileHttpRouter, explainHttpMatch, isRankedRouter, type HttpRequestInput } from '../index';

function request(partial: Partial<HttpRequestInput>): HttpRequestInput {
  return { protocol: 'http', method: 'GET', host: 'example.com', path: '/', headers: {}, port: 8000, ...partial };
}

function explainCase(c: HttpCase) {
  const router = compileHttpRouter(c.routes.map(route));
  if (!isRankedRouter(router)) throw new Error('compileHttpRouter must expose its ranking');
  return { ...explainHttpMatch(router, request(c.request)), routed: new Set(router.ranked.map((m) => m.route)).size };
}

describe('route-match explain over the router cases', () => {
  it.each([...httpFieldCases, ...priorityCases].map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const explained = explainCase(c);
    expect(explained.match?.route.name ?? null).toBe(c.expect);
    const names = explained.candidates.map((x) => x.route.name);
    expect(new Set(names).size).toBe(names.length); // one entry per route
    expect(names).not.toContain(c.expect);
    // every route in the router is accounted for: the winner, or a candidate with a reason
    expect(names.length + (c.expect === null ? 0 : 1)).toBe(explained.routed);
    for (const cand of explained.candidates) expect(cand.failed[0]).toBe(cand.reason);
  });

  it('names the condition that failed, closest routes first', () => {
    const explained = explainCase({
      name: 'mixed',
      routes: [
        { name: 'wrong-host', hosts: ['other.test'], paths: ['/v1'] },
        { name: 'wrong-method', methods: ['POST'], paths: ['/v1'] },
        { name: 'wrong-header', headers: { 'x-version': ['2'] }, paths: ['/v1'] },
        { name: 'regex', paths: ['~/v1/[0-9]+$'] },
        { name: 'wrong-path', paths: ['/v2'] },
        { name: 'both-wrong', hosts: ['other.test'], methods: ['POST'] },
        { name: 'winner', hosts: ['api.test'], paths: ['/v1'] },
        { name: 'catch-all', paths: ['/'] },
      ],
      request: { host: 'api.test', path: '/v1/users', headers: { 'x-version': '1' } },
      expect: 'winner',
    });
    expect(explained.match?.route.name).toBe('winner');
    const reasons = Object.fromEntries(explained.candidates.map((c) => [c.route.name, c.reason]));
    expect(reasons).toEqual({
      'wrong-host': 'host mismatch',
      'wrong-method': 'method not allowed',
      'wrong-header': 'header mismatch',
      regex: 'regex not matching',
      'wrong-path': 'path mismatch',
      'both-wrong': 'host mismatch',
      'catch-all': 'lower priority than the winner',
    });
    expect(explained.candidates[0].route.name).toBe('catch-all');
    expect(explained.candidates[explained.candidates.length - 1].route.name).toBe('both-wrong');
    expect(explained.candidates.find((c) => c.route.name === 'both-wrong')?.failed).toEqual(['host mismatch', 'method not allowed']);
  });
});
