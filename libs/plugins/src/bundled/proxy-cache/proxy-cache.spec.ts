import { createHash } from 'node:crypto';
import { LruTextCache } from '../../node-cache/lru';
import { buildCacheKey, paramsKey, parseArgs, prefixOf } from './cache-key';
import { parseDirectives, resourceTtl } from './cache-control';
import { mediaTypeMatches, parseMediaType } from './content-type';

describe("proxy-cache's cache key (Kong's cache_key.lua)", () => {
  it.each([
    [null, null, 'default'],
    [null, 'r1', 'r1'],
    ['c1', 'r1', 'c1:r1'],
    ['c1', null, 'default'],
  ])('prefix of consumer %s and route %s is %s', (consumer, route, expected) => {
    expect(prefixOf(consumer, route)).toBe(expected);
  });

  it('all arguments sorted by name, repeated values sorted and joined, a bare name alone', () => {
    expect(paramsKey(parseArgs('b=2&a=1&a=0&flag&c=x+y%21'), null)).toBe('a=0,1:b=2:c=x y!:flag');
    expect(paramsKey(parseArgs('b=2&a=1'), ['b', 'z'])).toBe('b=2');
    expect(paramsKey(parseArgs(''), null)).toBe('');
  });

  it('is the SHA-256 hex of the five parts', () => {
    const key = buildCacheKey({ consumerId: null, routeId: 'r', method: 'GET', uri: 'GET /x', query: parseArgs('a=1'), headers: (n) => (n === 'x-lang' ? 'en' : undefined) }, { varyQueryParams: null, varyHeaders: ['X_Lang'] });
    expect(key).toBe(createHash('sha256').update('r|GET|GET /x|a=1|X_Lang=en').digest('hex'));
  });
});

describe('Cache-Control directives', () => {
  it('parses names lower-cased, numbers as numbers, bare directives as true', () => {
    const cc = parseDirectives(['Max-Age=60, no-cache', 'x="q"']);
    expect([...cc]).toEqual([['max-age', 60], ['no-cache', true], ['x', '"q"']]);
  });

  it('TTL: s-maxage, then max-age, then Expires; never negative', () => {
    const now = 1_700_000_000;
    expect(resourceTtl(parseDirectives('max-age=10, s-maxage=20'), undefined, now)).toBe(20);
    expect(resourceTtl(parseDirectives('max-age=10'), undefined, now)).toBe(10);
    expect(resourceTtl(parseDirectives(undefined), new Date((now + 30) * 1000).toUTCString(), now)).toBe(30);
    expect(resourceTtl(parseDirectives(undefined), new Date((now - 30) * 1000).toUTCString(), now)).toBe(0);
    expect(resourceTtl(parseDirectives('public'), undefined, now)).toBe(0);
  });
});

describe('content type matching', () => {
  const matches = (actual: string, expected: string) => mediaTypeMatches(parseMediaType(actual)!, parseMediaType(expected)!);
  it('type and subtype case-insensitive, wildcards, exactly the same parameters', () => {
    expect(matches('Application/JSON', 'application/json')).toBe(true);
    expect(matches('text/html', 'text/*')).toBe(true);
    expect(matches('text/html', '*')).toBe(true);
    expect(matches('application/json; charset=utf-8', 'application/json')).toBe(false);
    expect(matches('application/json; Charset=utf-8', 'application/json; charset=utf-8')).toBe(true);
    expect(matches('application/json; charset=UTF-8', 'application/json; charset=utf-8')).toBe(false);
    expect(parseMediaType('not a type')).toBeNull();
  });
});

describe('LruTextCache', () => {
  it('evicts the least recently used entry when the bound is reached, and honours expiry', () => {
    const value = 'v'.repeat(400); // ~ 64 + 2 + 800 bytes
    const lru = new LruTextCache(2000);
    expect(lru.set('a', value, 0)).toBe(true);
    lru.set('b', value, 0);
    expect(lru.get('a')).toBe(value); // a is now the most recent
    lru.set('c', value, 0);
    expect([lru.get('a'), lru.get('b'), lru.get('c')]).toEqual([value, null, value]);
    expect(lru.bytes).toBeLessThanOrEqual(2000);
    expect(lru.set('huge', 'x'.repeat(2000), 0)).toBe(false);
    lru.set('short', 'x', 1, 1000);
    expect(lru.get('short', 1999)).toBe('x');
    expect(lru.get('short', 2000)).toBeNull();
    expect(lru.delete('a')).toBe(true);
    lru.clear();
    expect([lru.size, lru.bytes]).toEqual([0, 0]);
  });
});
