// Raw-socket robustness: a corpus of hostile inputs (smuggling and framing, malformed request lines and versions,
// oversized and duplicate headers, slow headers and bodies, hostile upstream answers) replayed against the proxy
// and the Admin API of one real `tollgate start` node, with admin_api_key and admin_access_allow set and short
// client timeouts. For each case: the expected status (or close), the node still serving a normal client on both
// ports, and exactly one proxy access-log line when the request reached the gateway (none when the parser refused it).
import { http } from '../support/http';
import { waitFor } from '../support/wait';
import { loopbackConf, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../support/cli-node';
import { ADMIN_KEY, CORPUS, type Case } from './corpus';
import { entriesFor } from './support/access-log';
import { rawRequest } from './support/raw-client';
import { startRawUpstream, type RawUpstream } from './support/raw-upstream';

const TOKEN = { 'kong-admin-token': ADMIN_KEY };

function pieces(request: string, n: number): string[] {
  const size = Math.ceil(request.length / n);
  return Array.from({ length: n }, (_, i) => request.slice(i * size, (i + 1) * size)).filter((p) => p !== '');
}

describe('raw-socket robustness corpus (proxy and Admin API of a running node)', () => {
  let node: RunningNode;
  let upstream: RawUpstream;
  let admin: string;

  beforeAll(async () => {
    upstream = await startRawUpstream();
    const prefix = tempPrefix();
    const conf = loopbackConf(prefix, {
      admin_api_key: ADMIN_KEY,
      admin_access_allow: '127.0.0.1',
      client_header_timeout: '1s',
      nginx_http_client_body_timeout: '1s',
      send_timeout: '1s',
      proxy_access_log_format: 'json', // the suite reads the lines as JSON
    });
    node = await startNode(['-c', writeConf(prefix, conf), '-p', prefix]);
    admin = `http://127.0.0.1:${node.port('admin_listen')}`;
    const svc = await http('POST', `${admin}/services`, { headers: TOKEN, body: { name: 'raw', url: `http://127.0.0.1:${upstream.port}`, retries: 0 } });
    expect(svc.status).toBe(201);
    expect((await http('POST', `${admin}/services/raw/routes`, { headers: TOKEN, body: { paths: ['/'], strip_path: false } })).status).toBe(201);
    await waitFor(async () => ((await http('GET', `http://127.0.0.1:${node.port('proxy_listen')}/warmup/ok`)).status === 200 ? true : undefined), 'the route to reach the proxy');
  });

  afterAll(async () => {
    if (node) await stopNode(node);
    await upstream?.close();
  });

  /** A well-behaved client on both ports, after every case. */
  async function stillServing(tag: string): Promise<void> {
    const proxied = await http('GET', `http://127.0.0.1:${node.port('proxy_listen')}/${tag}/ok`);
    expect([proxied.status, proxied.text]).toEqual([200, 'ok']);
    const status = await http('GET', `${admin}/status`, { headers: TOKEN });
    expect(status.status).toBe(200);
    // the probe's own line is written after the case's: once it is in, the case's lines are too
    await waitFor(async () => (entriesFor(node.prefix, `/${tag}`).length === 1 ? true : undefined), `the access line of ${tag}`);
  }

  it.each(CORPUS.map((c, i) => [`${c.on}: ${c.name}`, c, i] as const))('%s', async (_title, c: Case, i: number) => {
    const path = `/rb-${i}`;
    const port = node.port(c.on === 'proxy' ? 'proxy_listen' : 'admin_listen');
    const request = c.request.replaceAll('{P}', path);
    const result = await rawRequest(port, request, {
      parts: c.pieces ? pieces(request, c.pieces) : undefined,
      gapMs: c.gapMs,
      deadlineMs: c.deadlineMs ?? 4000,
      untilResponse: c.expect.closed !== true,
    });
    expect(result.status).toBe(c.expect.status);
    if (c.expect.closed) expect(result.closed).toBe(true);
    if (c.expect.has) expect(result.text).toContain(c.expect.has);
    if (c.expect.lacks) expect(result.text).not.toContain(c.expect.lacks);
    if (c.logged === 1) await waitFor(async () => (entriesFor(node.prefix, path).length >= 1 ? true : undefined), `the access line of ${path}`);

    await stillServing(`probe-${i}`);
    expect(node.child.exitCode).toBeNull();
    expect(entriesFor(node.prefix, path)).toHaveLength(c.logged);
  });

  it('a stalled body on the proxy is logged once, as nginx logs it: 408', () => {
    const i = CORPUS.findIndex((c) => c.on === 'proxy' && c.name.startsWith('stalled body'));
    expect(entriesFor(node.prefix, `/rb-${i}`).map((e) => e.response.status)).toEqual([408]);
  });

  it('the HTTP/2.0 request line on the proxy is logged with its 505', () => {
    const i = CORPUS.findIndex((c) => c.on === 'proxy' && c.name === 'HTTP/2.0 request line over HTTP/1');
    expect(entriesFor(node.prefix, `/rb-${i}`).map((e) => e.response.status)).toEqual([505]);
  });
});
