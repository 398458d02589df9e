// The flat-list adapters apply plugin header changes exactly, keep untouched lists as they are.
import { compilePluginChains } from '../chains';
import { PluginRun } from '../pipeline/plugin-run';
import { loadPlugins } from '../registry';
import { SnapshotBuilder } from '../testing/snapshot-builder';
import type { HostRequest } from '../pipeline/host';
import { applyRequestHeaderChanges, runHeaderFilterOnList } from './flat-headers';

function runFor(plugins: Array<[string, Record<string, unknown>]>) {
  const registry = loadPlugins(['bundled']);
  const b = new SnapshotBuilder(registry);
  const s = b.service(1);
  const r = b.route(s, ['/']);
  for (const [name, config] of plugins) b.plugin(name, config, { route: r });
  const chains = compilePluginChains(b.build(), registry);
  const host: HostRequest = {
    method: 'GET', protocol: 'http', scheme: 'http', host: 'h', rawPath: '/', upstreamPath: '/', rawQuery: '',
    headers: { 'x-a': '1' }, clientIp: '127.0.0.1', readBody: async () => Buffer.alloc(0),
  };
  return new PluginRun(chains, host, { id: r.id, name: null, row: r }, { id: s.id, name: null, row: s }, 'rid', { debug() {}, info() {}, warn() {}, error() {} }, 0);
}

describe('flat header adapters', () => {
  it('applyRequestHeaderChanges replaces, removes and appends', () => {
    const run = runFor([]);
    run.request.setHeader('X-A', 'new');
    run.request.clearHeader('x-gone');
    run.request.setHeader('x-multi', ['1', '2']);
    const list = ['Host', 'h', 'X-A', 'old', 'X-Gone', 'bye', 'x-a', 'old2'];
    expect(applyRequestHeaderChanges(run, list)).toEqual(['Host', 'h', 'x-a', 'new', 'x-multi', '1', 'x-multi', '2']);
  });

  it('applyRequestHeaderChanges keeps the list\'s own fields first and says where the plugins\' start', () => {
    const run = runFor([]);
    run.request.setHeader('X-Consumer-ID', 'c1');
    run.request.setHeader('x-b', '2');
    // same lengths as changed names but other names (x-consumer-ix, x-c) stay; changed ones in any case go
    const list = ['Host', 'h', 'X-Consumer-IX', 'keep', 'X-B', 'old', 'x-c', '3', 'x-consumer-id', 'spoofed'];
    expect(applyRequestHeaderChanges(run, list)).toEqual(['Host', 'h', 'X-Consumer-IX', 'keep', 'x-c', '3', 'x-consumer-id', 'c1', 'x-b', '2']);
    expect(run.request.upstreamFieldsAt).toBe(6);
  });

  it('applyRequestHeaderChanges leaves a first-pair Host to the host, and says its fields start there', () => {
    const run = runFor([]);
    run.request.setHeader('Host', 'plugin.example');
    run.request.setHeader('x-a', '1');
    expect(applyRequestHeaderChanges(run, ['Host', 'h', 'host', 'dup'])).toEqual(['Host', 'h', 'host', 'dup', 'x-a', '1']);
    expect(run.request.upstreamFieldsAt).toBe(0); // the host writes the plugin's Host into the first pair
    // a list that does not start with the host's Host gets the plugin's like any other field
    expect(applyRequestHeaderChanges(run, ['x-a', '0', 'host', 'h'])).toEqual(['host', 'plugin.example', 'x-a', '1']);
    expect(run.request.upstreamFieldsAt).toBe(0);
  });

  it('without changes the whole list is the host\'s', () => {
    const run = runFor([]);
    expect(applyRequestHeaderChanges(run, ['Host', 'h', 'x-a', '1'])).toEqual(['Host', 'h', 'x-a', '1']);
    expect(run.request.upstreamFieldsAt).toBe(4);
  });

  it('an untouched request keeps its list object', () => {
    const run = runFor([]);
    const list = ['Host', 'h'];
    expect(applyRequestHeaderChanges(run, list)).toBe(list);
  });

  it('runHeaderFilterOnList applies queued access headers and header_filter changes', () => {
    const run = runFor([['response-transformer', { remove: { headers: ['x-powered-by'] }, add: { headers: ['x-added:1'] } }]]);
    run.response.setHeader('X-RateLimit-Limit-Minute', '5');
    const out = runHeaderFilterOnList(run, 200, ['Content-Type', 'text/plain', 'X-Powered-By', 'php', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2']);
    expect(out).toEqual(['Content-Type', 'text/plain', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'x-ratelimit-limit-minute', '5', 'x-added', '1']);
    expect(run.response.getStatus()).toBe(200);
  });

  it('without header work the list is returned as is', () => {
    const run = runFor([['key-auth', {}]]);
    const list = ['Content-Type', 'text/plain'];
    expect(runHeaderFilterOnList(run, 204, list)).toBe(list);
    expect(run.response.getStatus()).toBe(204);
  });

  it('access-only headers are appended to the upstream list as they are (no round trip)', () => {
    const run = runFor([['key-auth', {}]]);
    run.response.setHeader('X-RateLimit-Limit-Minute', '5');
    run.response.setHeader('RateLimit-Remaining', ['4']);
    const list = ['Content-Type', 'text/plain', 'Set-Cookie', 'a=1', 'Via', 'x', 'Set-Cookie', 'b=2'];
    const out = runHeaderFilterOnList(run, 200, list);
    expect(out).toBe(list);
    expect(out).toEqual(['Content-Type', 'text/plain', 'Set-Cookie', 'a=1', 'Via', 'x', 'Set-Cookie', 'b=2', 'x-ratelimit-limit-minute', '5', 'ratelimit-remaining', '4']);
    expect(run.response.queued).toBeNull();
  });

  // each row: queued changes -> the list after header_filter, when the fast path cannot apply
  const table: Array<[string, Array<[string, string | null]>, string[]]> = [
    ['an upstream header of the same name is replaced in place', [['x-ratelimit-limit-minute', '5']],
      ['Content-Type', 'text/plain', 'X-RateLimit-Limit-Minute', '5', 'Via', 'x']],
    ['a cleared header is removed', [['via', null]], ['Content-Type', 'text/plain', 'X-RateLimit-Limit-Minute', '9']],
    ['the same name twice keeps the last value', [['x-a', '1'], ['x-a', '2']],
      ['Content-Type', 'text/plain', 'X-RateLimit-Limit-Minute', '9', 'Via', 'x', 'x-a', '2']],
  ];
  it.each(table)('%s', (_title, changes, expected) => {
    const run = runFor([['key-auth', {}]]);
    for (const [name, value] of changes) {
      if (value === null) run.response.clearHeader(name);
      else run.response.setHeader(name, value);
    }
    expect(runHeaderFilterOnList(run, 200, ['Content-Type', 'text/plain', 'X-RateLimit-Limit-Minute', '9', 'Via', 'x'])).toEqual(expected);
  });

  it('access-only headers whose name the upstream sent in another case take the round trip', () => {
    const run = runFor([['key-auth', {}]]);
    run.response.setHeader('RateLimit-Reset', '7');
    const list = ['Content-Type', 'text/plain', 'RATELIMIT-RESET', '1', 'ratelimit-limit', '2'];
    const out = runHeaderFilterOnList(run, 200, list);
    expect(out).not.toBe(list);
    expect(out).toEqual(['Content-Type', 'text/plain', 'RATELIMIT-RESET', '7', 'ratelimit-limit', '2']);
  });

  it('a log plugin still sees the response headers', () => {
    const run = runFor([['key-auth', {}], ['file-log', { path: '/dev/null' }]]);
    run.response.setHeader('X-RateLimit-Limit-Minute', '5');
    runHeaderFilterOnList(run, 200, ['Content-Type', 'text/plain']);
    expect(run.response.getHeader('x-ratelimit-limit-minute')).toBe('5');
    expect(run.response.getHeader('content-type')).toBe('text/plain');
  });
});

