// Plugins on the real data plane (apps/proxy): access exits with Kong's headers, auth + consumer headers,
// consumer-scoped configs after authentication, request/response rewriting (buffered bodies), the log phase.
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeFileLogStreams } from '@tollgate/plugins';
import { SnapshotBuilder, startEchoUpstream, type EchoUpstream } from '@tollgate/plugins/testing';
import { startTestDataPlane, type TestDataPlane } from '../proxy/support/data-plane';
import { http } from '../support/http';
import { eventually } from './support/kit';

describe('plugins on the data plane', () => {
  let upstream: EchoUpstream;
  let dp: TestDataPlane;
  let base: string;
  let consumerId: string;
  const logFile = join(mkdtempSync(join(tmpdir(), 'tollgate-dp-log-')), 'log.json');

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    const b = new SnapshotBuilder();
    const s = b.service(upstream.port, { name: 'svc' });
    const keyed = b.route(s, ['/keyed'], { name: 'keyed' });
    const plain = b.route(s, ['/plain']);
    const transform = b.route(s, ['/transform']);
    const terminated = b.route(s, ['/terminated']);
    const gold = b.consumer('gold', { custom_id: 'g1' });
    const free = b.consumer('free');
    consumerId = gold.id;
    b.keyAuth(gold, 'gold-key');
    b.keyAuth(free, 'free-key');
    b.plugin('key-auth', {}, { route: keyed });
    b.plugin('rate-limiting', { minute: 100 }, { route: keyed });
    b.plugin('rate-limiting', { minute: 200 }, { route: keyed, consumer: gold });
    b.plugin('file-log', { path: logFile }, { route: keyed });
    b.plugin('request-transformer', { http_method: 'PUT', add: { headers: ['x-added:1'], querystring: ['q:2'], body: ['extra:yes'] } }, { route: transform });
    b.plugin('response-transformer', { add: { json: ['gateway:tollgate'], headers: ['x-res:1'] }, remove: { json: ['headers'] } }, { route: transform });
    b.plugin('request-termination', { status_code: 451, message: 'legal' }, { route: terminated });
    void plain;
    dp = await startTestDataPlane({ hash: 'plugins-1', version: 1, config: b.build() });
    base = `http://127.0.0.1:${dp.port}`;
  });
  afterAll(async () => {
    await dp?.dp.close({ graceful: false });
    await upstream.close();
    await closeFileLogStreams();
  });

  it('key-auth 401 is Kong-shaped, with Kong response headers', async () => {
    const res = await http('GET', `${base}/keyed/x`);
    expect(res.status).toBe(401);
    expect(res.json.message).toBe('No API key found in request');
    expect(res.json.request_id).toBe(res.headers['x-kong-request-id']);
    expect(res.headers['www-authenticate']).toBe('Key realm="kong"');
    expect(res.headers.server).toMatch(/^tollgate\//);
    expect(res.headers['x-kong-response-latency']).toMatch(/^\d+$/);
    expect(res.headers['x-ratelimit-limit-minute']).toBeUndefined();
  });

  it('an authenticated request reaches the upstream with consumer headers and the consumer rate limit', async () => {
    const res = await http('GET', `${base}/keyed/x`, { headers: { apikey: 'gold-key' } });
    expect(res.status).toBe(200);
    expect(res.json.headers['x-consumer-id']).toBe(consumerId);
    expect(res.json.headers['x-consumer-username']).toBe('gold');
    expect(res.json.headers['x-consumer-custom-id']).toBe('g1');
    expect(res.headers['x-ratelimit-limit-minute']).toBe('200');
    expect(res.headers['x-kong-upstream-latency']).toMatch(/^\d+$/);
    const free = await http('GET', `${base}/keyed/x`, { headers: { apikey: 'free-key' } });
    expect(free.headers['x-ratelimit-limit-minute']).toBe('100');
    expect(free.headers['x-ratelimit-remaining-minute']).toBe('99');
  });

  it('the log phase writes file-log entries after the responses', async () => {
    const lines = await eventually(() => {
      if (!existsSync(logFile)) return undefined;
      const l = readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((x) => JSON.parse(x));
      return l.length >= 3 ? l : undefined;
    });
    expect(lines.map((l) => l.response.status)).toEqual([401, 200, 200]);
    expect(lines[1].consumer.username).toBe('gold');
    expect(lines[1].route.name).toBe('keyed');
  });

  it('request-transformer: method, header, query and buffered JSON body reach the upstream', async () => {
    const res = await http('POST', `${base}/transform/x?a=1`, { body: { keep: 1 } });
    expect(res.status).toBe(200);
    const doc = JSON.parse(res.text);
    expect(doc.gateway).toBe('tollgate');
    expect(doc.headers).toBeUndefined();
    expect(doc.method).toBe('PUT');
    expect(doc.query).toEqual({ a: '1', q: '2' });
    expect(JSON.parse(doc.body)).toEqual({ keep: 1, extra: 'yes' });
    expect(res.headers['x-res']).toBe('1');
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.text));
  });

  it('request-termination answers without the upstream', async () => {
    const before = upstream.requests;
    const res = await http('GET', `${base}/terminated/x`);
    expect(res.status).toBe(451);
    expect(res.text).toBe('{"message":"legal"}');
    expect(upstream.requests).toBe(before);
  });

  it('a route without plugins is proxied untouched', async () => {
    const res = await http('GET', `${base}/plain/x`, { headers: { apikey: 'x' } });
    expect(res.status).toBe(200);
    expect(res.json.headers['x-consumer-id']).toBeUndefined();
    expect(res.json.headers.apikey).toBe('x');
  });
});
