// rate-limiting with policy redis (a real Redis at 127.0.0.1:6379): two real `tollgate` nodes share one limit;
// fault_tolerant decides what happens when Redis is unreachable.
import { http } from '../support/http';
import { awayFromWindowEdge, createKit, type Kit } from './support/kit';

const REDIS = { host: '127.0.0.1', port: 6379 };

describe('rate-limiting redis policy (two nodes)', () => {
  const kits: Kit[] = [];
  const kit = async () => {
    const k = await createKit();
    kits.push(k);
    return k;
  };
  afterAll(async () => {
    await Promise.all(kits.map((k) => k.close()));
  });

  it('two gateway nodes share one counter: 5 per minute across both', async () => {
    const [a, c] = await Promise.all([kit(), kit()]);
    // one configuration for both nodes; fresh route/service ids make the Redis keys unique to this run
    c.builder = a.builder;
    const service = a.builder.service(a.upstream.port);
    const route = a.builder.route(service, ['/shared']);
    a.builder.plugin('rate-limiting', { minute: 5, hour: 100, policy: 'redis', redis: REDIS, limit_by: 'ip' }, { route });
    await Promise.all([a.start(), c.start()]);
    await awayFromWindowEdge();
    const seen: Array<[number, string | undefined]> = [];
    for (let i = 0; i < 7; i++) {
      const res = await (i % 2 === 0 ? a : c).get('/shared/x');
      seen.push([res.status, res.headers['x-ratelimit-remaining-minute'] as string | undefined]);
    }
    expect(seen).toEqual([[200, '4'], [200, '3'], [200, '2'], [200, '1'], [200, '0'], [429, '0'], [429, '0']]);
  });

  describe('Redis unreachable', () => {
    let node: Kit;
    beforeAll(async () => {
      node = await kit();
      const b = node.builder;
      const service = b.service(node.upstream.port);
      for (const faultTolerant of [true, false]) {
        const route = b.route(service, [`/down-${faultTolerant}`]);
        b.plugin('rate-limiting', { minute: 5, policy: 'redis', redis: { host: '127.0.0.1', port: 1, timeout: 200 }, fault_tolerant: faultTolerant }, { route });
      }
      await node.start();
    });

    it.each([
      [true, 200],
      [false, 500],
    ])('fault_tolerant=%s -> %i', async (faultTolerant, status) => {
      const res = await http('GET', `${node.proxy}/down-${faultTolerant}/x`);
      expect(res.status).toBe(status);
      expect(res.headers['x-ratelimit-limit-minute']).toBeUndefined();
      if (status === 500) expect(res.json.message).toBe('An unexpected error occurred');
    });
  });
});
