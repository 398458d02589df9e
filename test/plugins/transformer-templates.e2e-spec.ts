// request-transformer template expressions on a real `tollgate start` node (DB-less): values rendered from the
// request the router matched (uri_captures of a regex route), headers, query_params; Kong's escape; a missing
// value renders empty; an expression that fails at run time fails that request with Kong's 500.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEchoUpstream, type EchoUpstream } from '@tollgate/plugins/testing';
import { loopbackConf, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../support/cli-node';
import { http } from '../support/http';
import { waitFor } from '../support/wait';

describe('request-transformer templates on a running node', () => {
  let node: RunningNode;
  let upstream: EchoUpstream;
  let proxy: string;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    const prefix = tempPrefix();
    const file = join(prefix, 'kong.yml');
    writeFileSync(file, [
      '_format_version: "3.0"',
      'services:',
      `- name: echo`,
      `  url: http://127.0.0.1:${upstream.port}`,
      '  routes:',
      '  - name: users',
      '    paths: ["~/users/(?<id>\\\\d+)/items/(\\\\d+)$"]',
      '    plugins:',
      '    - name: request-transformer',
      '      config:',
      '        replace:',
      '          uri: /u/$(uri_captures.id)/i/$(uri_captures[2])',
      '        add:',
      '          headers:',
      '          - "x-page:$(query_params[\\"page\\"])"',
      '          - "x-key:$(headers.x_api_key)"',
      "          - \"x-literal:$('$(headers.x_api_key)')\"",
      '          - "x-missing:[$(headers.nothing)]"',
      '          querystring:',
      '          - "from_header:$(headers[\\"X-Api-Key\\"] and headers[\\"X-Api-Key\\"]:upper())"',
      '  - name: failing',
      '    paths: ["/failing"]',
      '    plugins:',
      '    - name: request-transformer',
      '      config:',
      '        add:',
      '          headers:',
      '          - "x-bad:$(headers.nothing:upper())"',
      '',
    ].join('\n'));
    node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix, { database: 'off', declarative_config: file })), '-p', prefix]);
    proxy = `http://127.0.0.1:${node.port('proxy_listen')}`;
    await waitFor(async () => ((await http('GET', `${proxy}/users/1/items/2`)).status === 200 ? true : undefined), 'the file to serve');
  });

  afterAll(async () => {
    if (node) await stopNode(node);
    await upstream?.close();
  });

  it('renders uri_captures (named and positional), query_params and headers', async () => {
    const r = await http('GET', `${proxy}/users/42/items/7?page=3`, { headers: { 'x-api-key': 'abc' } });
    expect(r.status).toBe(200);
    expect(r.json.path).toBe('/u/42/i/7');
    expect(r.json.headers['x-page']).toBe('3');
    expect(r.json.headers['x-key']).toBe('abc');
    expect(r.json.query).toEqual({ page: '3', from_header: 'ABC' });
  });

  it("a quoted template is Kong's escape; a missing value renders empty", async () => {
    const r = await http('GET', `${proxy}/users/1/items/2`);
    expect(r.json.headers['x-literal']).toBe('$(headers.x_api_key)');
    expect(r.json.headers['x-missing']).toBe('[]');
    expect(r.json.headers['x-page']).toBe('');
  });

  it("an expression that fails at run time answers Kong's 500 and logs the template", async () => {
    const r = await http('GET', `${proxy}/failing`);
    expect(r.status).toBe(500);
    expect(r.json.message).toBe('An unexpected error occurred');
    await waitFor(async () => (node.logs.some((l) => l.includes('failed to render the template $(headers.nothing:upper())')) ? true : undefined), 'the render error in the log');
  });
});
