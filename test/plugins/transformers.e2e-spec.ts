// request-transformer and response-transformer with real traffic.
import { request as httpRequest } from 'node:http';
import { createKit, type Kit } from './support/kit';
import { waitFor } from '../support/wait';

describe('transformers (proxy)', () => {
  let kit: Kit;

  beforeAll(async () => {
    kit = await createKit();
    const b = kit.builder;
    const s = b.service(kit.upstream.port);
    b.plugin('request-transformer', {
      http_method: 'PUT',
      remove: { headers: ['x-drop'], querystring: ['drop'], body: ['secret'] },
      rename: { headers: ['x-old:x-new'], querystring: ['old:new'], body: ['a:b'] },
      replace: { headers: ['x-rep:replaced'], querystring: ['rep:replaced'], body: ['rep:replaced'] },
      add: { headers: ['x-add:added', 'x-exists:not-used'], querystring: ['add:added'], body: ['added:yes'] },
      append: { headers: ['x-app:one'], querystring: ['app:two'], body: [] },
    }, { route: b.route(s, ['/req']) });
    b.plugin('response-transformer', {
      remove: { headers: ['x-powered-by'], json: ['path'] },
      rename: { headers: ['content-type:x-was-type'], json: [] },
      add: { headers: ['x-added:1'], json: ['flag:true', 'count:3', 'label:hi'], json_types: ['boolean', 'number', 'string'] },
      append: { headers: ['x-multi:a', 'x-multi:b'], json: [] },
    }, { route: b.route(s, ['/res']) });
    await kit.start();
  });
  afterAll(() => kit.close());

  it('request-transformer rewrites method, headers, query and JSON body in Kong order', async () => {
    const res = await kit.send('POST', '/req/x?drop=1&old=o&rep=r&keep=k', {
      body: { secret: 's', a: 'A', rep: 'r', keep: 1 },
      headers: { 'x-drop': '1', 'x-old': 'o', 'x-rep': 'r', 'x-exists': 'mine' },
    });
    expect(res.status).toBe(200);
    const up = res.json;
    expect(up.method).toBe('PUT');
    expect(up.query).toEqual({ new: 'o', rep: 'replaced', keep: 'k', add: 'added', app: 'two' });
    expect(up.headers['x-drop']).toBeUndefined();
    expect(up.headers['x-old']).toBeUndefined();
    expect(up.headers['x-new']).toBe('o');
    expect(up.headers['x-rep']).toBe('replaced');
    expect(up.headers['x-add']).toBe('added');
    expect(up.headers['x-exists']).toBe('mine');
    expect(up.headers['x-app']).toBe('one');
    expect(JSON.parse(up.body)).toEqual({ b: 'A', rep: 'replaced', keep: 1, added: 'yes' });
  });

  it('request-transformer forwards a JSON body nested past 1000 levels as it came (cjson would not decode it; it was a 500)', async () => {
    const deep = '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000);
    const res = await kit.send('POST', '/req/deep', { body: deep, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    expect(res.json.body).toBe(deep);
    expect(res.json.headers['x-add']).toBe('added'); // the rest of the plugin still applied
  });

  it('response-transformer edits headers and the JSON body', async () => {
    const res = await kit.get('/res/x', { 'x-powered-by': 'ignored' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBeUndefined();
    expect(res.headers['x-was-type']).toBe('application/json');
    expect(res.headers['x-added']).toBe('1');
    expect(res.headers['x-multi']).toBe('a, b');
    const doc = JSON.parse(res.text);
    expect(doc.path).toBeUndefined();
    expect(doc.method).toBe('GET');
    expect(doc.flag).toBe(true);
    expect(doc.count).toBe(3);
    expect(doc.label).toBe('hi');
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.text));
  });
});

describe('a body a plugin reads is held in memory only up to client_body_buffer_size', () => {
  let kit: Kit;
  /** The upstream's request count, from its echo of each request (a refused body never reaches it). */
  const upstreamSeen = () => kit.upstream.requests;

  beforeAll(async () => {
    kit = await createKit({ conf: { client_body_buffer_size: '64k' } });
    const b = kit.builder;
    const s = b.service(kit.upstream.port);
    b.plugin('request-transformer', { add: { body: ['added:yes'] } }, { route: b.route(s, ['/edit']) });
    b.route(s, ['/plain']);
    await kit.start();
  });
  afterAll(() => kit.close());

  /** A POST written in `chunks` pieces of `size` bytes, with Content-Length or chunked; the status, or 'reset'. */
  function post(path: string, size: number, chunks: number, chunked: boolean): Promise<{ status: number | 'reset'; body: string; connection?: string }> {
    return new Promise((resolve) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (!chunked) headers['content-length'] = String(size * chunks);
      const req = httpRequest(`${kit.proxy}${path}`, { method: 'POST', headers, agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body, connection: res.headers.connection }));
        res.on('error', () => resolve({ status: res.statusCode!, body, connection: res.headers.connection }));
      });
      req.on('error', () => resolve({ status: 'reset', body: '' }));
      const piece = Buffer.alloc(size, 'a');
      let sent = 0;
      const next = () => {
        while (sent < chunks) {
          sent++;
          if (!req.write(piece)) return void req.once('drain', next);
        }
        req.end();
      };
      next();
    });
  }

  it('under the limit the plugin edits it; over it (declared or chunked) the request is 413 and never reaches the upstream', async () => {
    const small = await kit.send('POST', '/edit/small', { body: { a: 'x'.repeat(30_000) } });
    expect(small.status).toBe(200);
    expect(JSON.parse(small.json.body)).toMatchObject({ added: 'yes' });

    const before = upstreamSeen();
    for (const chunked of [false, true]) {
      const r = await post('/edit/big', 64 * 1024, 160, chunked); // 10 MiB
      expect(r.status).toBe(413);
      expect(JSON.parse(r.body)).toEqual({ message: 'Payload too large', request_id: expect.any(String) });
      expect(r.connection).toBe('close');
    }
    expect(upstreamSeen()).toBe(before);
    await waitFor(async () => (kit.node!.logs.some((l) => l.includes('request body larger than 65536 bytes (client_body_buffer_size)')) ? true : undefined), 'the log line');
    // a route whose plugins do not read the body still streams a body of any size; the node goes on serving
    const streamed = await post('/plain/big', 64 * 1024, 160, true);
    expect(streamed.status).toBe(200);
    expect((await kit.send('POST', '/edit/after', { body: { b: 1 } })).status).toBe(200);
  });
});
