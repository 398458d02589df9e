// ai-proxy through a real `tollgate start` node: OpenAI-format requests reach a local provider in OpenAI's,
// Anthropic's, Mistral's and Ollama's own formats (URL, auth, headers, body), answers come back in OpenAI's format,
// streams are translated chunk by chunk, and token usage reaches http-log and the Prometheus ai_llm_* metrics.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { issueCertificate } from '@tollgate/pki';
import { http as request } from '../../support/http';
import { createKit, eventually, type Kit } from '../support/kit';
import { startLogNode, type LogNode } from '../support/log-node';
import { dataOf, readStream, startLlmServer, type LlmServer } from './llm-server';

interface Collector { url: string; bodies: any[]; close(): Promise<void> }

async function startCollector(): Promise<Collector> {
  const bodies: any[] = [];
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (p: Buffer) => parts.push(p));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(parts).toString()));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/logs`,
    bodies,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

const chat = (content: string, extra: Record<string, unknown> = {}) => ({ messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content }], ...extra });

describe('ai-proxy on a running node', () => {
  let kit: Kit;
  let llm: LlmServer;
  /** The same provider over HTTPS (a real provider's URL is https://), behind the same plain http service. */
  let llmTls: LlmServer;
  let logs: Collector;
  /** The (first) log entry of the request to `uri` (each test sends to its own uri). */
  const logOf = (uri: string) => eventually(() => logs.bodies.find((b) => b.request.uri === uri), 20_000);

  beforeAll(async () => {
    [llm, llmTls, logs] = await Promise.all([
      startLlmServer(), startLlmServer({ tls: issueCertificate({ commonName: '127.0.0.1', altNames: ['127.0.0.1'] }) }), startCollector(),
    ]);
    kit = await createKit();
    const b = kit.builder;
    const s = b.service(kit.upstream.port, { name: 'llm' });
    const logged = (name: string, paths: string[], config: Record<string, unknown>) => {
      const r = b.route(s, paths, { name });
      b.plugin('ai-proxy', config, { route: r });
      b.plugin('http-log', { http_endpoint: logs.url }, { route: r });
      return r;
    };
    const openai = (route_type: string, options: Record<string, unknown> = {}) => ({
      route_type,
      auth: { header_name: 'Authorization', header_value: 'Bearer sk-test' },
      model: { provider: 'openai', name: 'gpt-4o', options: { upstream_url: `${llm.url}${route_type === 'llm/v1/chat' ? '/v1/chat/completions' : '/v1/completions'}`, ...options } },
      logging: { log_statistics: true, log_payloads: true },
    });
    logged('openai-chat', ['/openai-chat'], openai('llm/v1/chat', { temperature: 0.5, top_k: 40, input_cost: 2.5, output_cost: 10 }));
    logged('openai-completions', ['/openai-completions'], openai('llm/v1/completions'));
    logged('openai-https', ['/openai-https'], { ...openai('llm/v1/chat'), model: { provider: 'openai', name: 'gpt-4o', options: { upstream_url: `${llmTls.url}/v1/chat/completions` } } });
    logged('openai-deny', ['/openai-deny'], { ...openai('llm/v1/chat'), response_streaming: 'deny' });
    logged('openai-stream', ['/openai-stream'], openai('llm/v1/chat'));
    logged('openai-bad', ['/openai-bad'], { ...openai('llm/v1/chat'), model: { provider: 'openai', name: 'gpt-4o', options: { upstream_url: `${llm.url}/bad/v1/chat/completions` } } });
    logged('openai-denied', ['/openai-denied'], { ...openai('llm/v1/chat'), model: { provider: 'openai', name: 'gpt-4o', options: { upstream_url: `${llm.url}/denied/v1/chat/completions` } } });
    logged('openai-any-model', ['/openai-any-model'], { route_type: 'llm/v1/chat', model: { provider: 'openai', options: { upstream_url: `${llm.url}/v1/chat/completions` } }, logging: { log_statistics: false, log_payloads: false } });
    const anthropic = (route_type: string) => ({
      route_type,
      auth: { header_name: 'x-api-key', header_value: 'ant-secret' },
      model: { provider: 'anthropic', name: 'claude-3-5-sonnet-20241022', options: { anthropic_version: '2023-06-01', max_tokens: 256, upstream_url: `${llm.url}${route_type === 'llm/v1/chat' ? '/v1/messages' : '/v1/complete'}` } },
      logging: { log_statistics: route_type === 'llm/v1/chat', log_payloads: false },
    });
    logged('anthropic-chat', ['/anthropic-chat'], anthropic('llm/v1/chat'));
    logged('anthropic-completions', ['/anthropic-completions'], anthropic('llm/v1/completions'));
    logged('mistral', ['/mistral'], {
      route_type: 'llm/v1/chat',
      auth: { param_name: 'key', param_value: 'mistral-secret', param_location: 'query' },
      model: { provider: 'mistral', name: 'mistral-small-latest', options: { mistral_format: 'openai', upstream_url: `${llm.url}/mistral/v1/chat/completions` } },
      logging: { log_statistics: true, log_payloads: false },
    });
    logged('llama2', ['/llama2'], {
      route_type: 'llm/v1/chat',
      model: { provider: 'llama2', name: 'llama2:7b', options: { llama2_format: 'ollama', upstream_url: `${llm.url}/api/chat`, max_tokens: 64 } },
      logging: { log_statistics: true, log_payloads: false },
    });
    logged('llama2-openai', ['/llama2-openai'], {
      route_type: 'llm/v1/chat',
      model: { provider: 'llama2', name: 'llama2-13b', options: { llama2_format: 'openai', upstream_url: `${llm.url}/llama/v1/chat/completions` } },
      logging: { log_statistics: false, log_payloads: false },
    });
    logged('llama2-raw', ['/llama2-raw'], {
      route_type: 'llm/v1/chat',
      model: { provider: 'llama2', name: 'llama2-13b', options: { llama2_format: 'raw', upstream_url: `${llm.url}/raw/generate`, max_tokens: 32 } },
      logging: { log_statistics: false, log_payloads: false },
    });
    llm.answer('/raw/generate', (body) => [200, 'application/json', JSON.stringify({ data: [{ generated_text: `${body.inputs} Hi, I am Llama.` }] })]);
    logged('openai-always', ['/openai-always'], { ...openai('llm/v1/chat'), response_streaming: 'always' });
    logged('anthropic-gzip', ['/anthropic-gzip'], { ...anthropic('llm/v1/chat'), model: { ...anthropic('llm/v1/chat').model, options: { anthropic_version: '2023-06-01', upstream_url: `${llm.url}/gzip/v1/messages` } } });
    llm.answer('/gzip/v1/messages', () => [200, 'application/json', gzipSync(JSON.stringify({
      id: 'msg_z', type: 'message', role: 'assistant', model: 'claude-3-5-sonnet-20241022', content: [{ type: 'text', text: 'compressed hello' }],
      stop_reason: 'end_turn', usage: { input_tokens: 3, output_tokens: 2 },
    })), { 'content-encoding': 'gzip' }]);
    b.plugin('prometheus', { ai_metrics: true });
    llm.answer('/bad/v1/chat/completions', () => [200, 'application/json', 'not json at all']);
    llm.answer('/denied/v1/chat/completions', () => [401, 'application/json', JSON.stringify({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } })]);
    await kit.start();
  }, 120_000);

  afterAll(async () => {
    await kit?.close();
    await Promise.all([llm?.close(), llmTls?.close(), logs?.close()]);
  });

  it('reaches an https:// provider URL over TLS from a plain http service (the service Kong\'s docs pair ai-proxy with)', async () => {
    const r = await kit.send('POST', '/openai-https', { body: chat('Capital of France?') });
    expect([r.status, r.json.choices?.[0]?.message?.content]).toEqual([200, 'Paris is the capital.']);
    const up = llmTls.last('/v1/chat/completions')!;
    expect(up.headers.authorization).toBe('Bearer sk-test');
    expect(up.headers.host).toBe(new URL(llmTls.url).host);
  });

  it('POST llm/v1/chat to OpenAI: the provider URL, auth and defaults upstream; the answer and its usage back', async () => {
    const r = await kit.send('POST', '/openai-chat', { body: chat('Capital of France?', { temperature: 1.5, top_k: 3 }), headers: { authorization: 'Bearer client-key' } });
    expect(r.status).toBe(200);
    expect(r.json.choices[0].message.content).toBe('Paris is the capital.');
    expect(r.headers['x-kong-llm-model']).toBe('openai/gpt-4o');
    // the provider's cookie is dropped (Kong's clear_response_headers)
    expect(r.headers['set-cookie']).toBeUndefined();
    const up = llm.last('/v1/chat/completions')!;
    expect(up.method).toBe('POST');
    expect(up.headers.authorization).toBe('Bearer sk-test');
    expect(up.headers.host).toBe(new URL(llm.url).host);
    expect(up.headers['content-type']).toBe('application/json');
    // the configured temperature wins; OpenAI has no top_k, so none is sent
    expect(up.body).toEqual({ ...chat('Capital of France?'), model: 'gpt-4o', stream: false, temperature: 0.5 });

    const entry = await logOf('/openai-chat');
    expect(entry.ai.proxy.usage).toEqual({ prompt_tokens: 11, completion_tokens: 7, total_tokens: 18, cost: (11 * 2.5 + 7 * 10) / 1e6, time_per_token: expect.any(Number) });
    expect(entry.ai.proxy.meta).toEqual({
      plugin_id: expect.stringMatching(/^[0-9a-f-]{36}$/), provider_name: 'openai', request_model: 'gpt-4o', response_model: 'gpt-4o-2024-08-06', llm_latency: expect.any(Number),
    });
    expect(JSON.parse(entry.ai.proxy.payload.response).usage.total_tokens).toBe(18);
    expect(JSON.parse(entry.ai.proxy.payload.request).messages[1].content).toBe('Capital of France?');
  });

  it('POST llm/v1/completions to OpenAI goes to /v1/completions', async () => {
    const r = await kit.send('POST', '/openai-completions', { body: { prompt: 'The sky is' } });
    expect(r.status).toBe(200);
    expect(r.json.choices[0].text).toBe(' blue.');
    expect(llm.last('/v1/completions')!.body).toEqual({ prompt: 'The sky is', model: 'gpt-4o', stream: false });
  });

  it('streams an OpenAI answer through as it arrives, and estimates its tokens as Kong', async () => {
    const gate = llm.holdStreams();
    const s = readStream(`${kit.proxy}/openai-stream`, chat('Say hello in French', { stream: true }));
    // the provider holds the rest of its answer until the client saw the first chunk: buffering would hang here
    expect(await s.first).toContain('Bonjour');
    gate.release();
    const res = await s.done;
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    expect(res.headers['content-length']).toBeUndefined();
    const data = dataOf(res.text);
    expect(data[data.length - 1]).toBe('[DONE]');
    const parsed = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(parsed.map((c) => c.choices[0].delta.content).join('')).toBe('Bonjour tout le monde');
    expect(llm.last('/v1/chat/completions')!.body.stream).toBe(true);
    const entry = await logOf('/openai-stream');
    // OpenAI streams carry no counts: prompt words x 1.8 (Kong's calculate_cost), completion ceil(chars / 4)
    expect(entry.ai.proxy.usage.prompt_tokens).toBe(Math.floor(7 * 1.8 + 0.5));
    expect(entry.ai.proxy.usage.completion_tokens).toBe(Math.ceil('Bonjour tout le monde'.length / 4));
  });

  it('POST llm/v1/chat to Anthropic: /v1/messages with the system prompt lifted out, answer in OpenAI format', async () => {
    const r = await kit.send('POST', '/anthropic-chat', { body: chat('Greet me') });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello\nthere' }, finish_reason: 'end_turn' }],
      usage: { prompt_tokens: 21, completion_tokens: 4, total_tokens: 25 },
      model: 'claude-3-5-sonnet-20241022',
      object: 'chat.completion',
    });
    expect(r.headers['x-kong-llm-model']).toBe('anthropic/claude-3-5-sonnet-20241022');
    const up = llm.last('/v1/messages')!;
    expect(up.headers['x-api-key']).toBe('ant-secret');
    expect(up.headers['anthropic-version']).toBe('2023-06-01');
    expect(up.body).toEqual({
      messages: [{ role: 'user', content: 'Greet me' }], system: 'You are terse.', max_tokens: 256, model: 'claude-3-5-sonnet-20241022', stream: false,
    });
    const entry = await logOf('/anthropic-chat');
    expect(entry.ai.proxy.usage).toMatchObject({ prompt_tokens: 21, completion_tokens: 4, total_tokens: 25 });
  });

  it("streams Anthropic's event stream as OpenAI chunks, event by event", async () => {
    const gate = llm.holdStreams();
    const s = readStream(`${kit.proxy}/anthropic-chat?s=1`, chat('Greet me', { stream: true }));
    await s.first;
    gate.release();
    const res = await s.done;
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    // more than one write reached the client: the answer was not held until the end
    expect(res.chunks.length).toBeGreaterThan(1);
    const data = dataOf(res.text);
    expect(data[data.length - 1]).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks[0]).toMatchObject({ id: 'msg_02', object: 'chat.completion.chunk', choices: [{ delta: { content: '', role: 'assistant' } }] });
    expect(chunks.map((c) => c.choices[0].delta.content).join('')).toBe('Hello!');
    expect(chunks.every((c) => c.model === 'claude-3-5-sonnet-20241022')).toBe(true);
    expect(llm.last('/v1/messages')!.body.stream).toBe(true);
    const streamed = await logOf('/anthropic-chat?s=1');
    // Kong adds up every event's counts: message_start's output_tokens (1) and message_delta's (15)
    expect(streamed.ai.proxy.usage).toMatchObject({ prompt_tokens: 25, completion_tokens: 16, total_tokens: 41 });
  });

  it('POST llm/v1/completions to Anthropic: the legacy Human/Assistant prompt on /v1/complete', async () => {
    const r = await kit.send('POST', '/anthropic-completions', { body: { prompt: 'Say hi' } });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ choices: [{ index: 0, text: ' Hi there', finish_reason: 'stop_sequence' }], model: 'claude-3-5-sonnet-20241022', object: 'text_completion' });
    expect(llm.last('/v1/complete')!.body).toEqual({ prompt: 'Human: Say hi\n\nAssistant:', max_tokens_to_sample: 256, model: 'claude-3-5-sonnet-20241022', stream: false });
  });

  it('Mistral in OpenAI format, authenticated by query parameter', async () => {
    const r = await kit.send('POST', '/mistral?lang=fr', { body: chat('Bonjour') });
    expect(r.status).toBe(200);
    expect(r.json.model).toBe('mistral-small-latest-2024-08-06');
    const up = llm.last('/mistral/v1/chat/completions')!;
    expect(up.query).toEqual({ lang: 'fr', key: 'mistral-secret' });
    expect(up.body).toEqual({ ...chat('Bonjour'), model: 'mistral-small-latest', stream: false });
    const entry = await logOf('/mistral?lang=fr');
    expect(entry.ai.proxy.meta.provider_name).toBe('mistral');
    expect(entry.ai.proxy.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 });
  });

  it('llama2 in Ollama format: /api/chat body, and its newline-delimited JSON stream as SSE chunks', async () => {
    const r = await kit.send('POST', '/llama2', { body: chat('Hi') });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ object: 'chat.completion', model: 'llama2:7b', choices: [{ message: { content: 'Llama says hi' }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } });
    expect(llm.last('/api/chat')!.body).toEqual({ messages: chat('Hi').messages, stream: false, model: 'llama2:7b', options: { num_predict: 64 } });

    const gate = llm.holdStreams();
    const s = readStream(`${kit.proxy}/llama2?s=1`, chat('Hi', { stream: true }));
    await s.first;
    gate.release();
    const res = await s.done;
    const data = dataOf(res.text);
    expect(data[data.length - 1]).toBe('[DONE]');
    expect(data.slice(0, -1).map((d) => JSON.parse(d).choices[0].delta.content).join('')).toBe('Llama');
    const streamed = await logOf('/llama2?s=1');
    expect(streamed.ai.proxy.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 2, total_tokens: 14 });
  });

  it("response_streaming = always streams even when the client did not ask", async () => {
    const res = await readStream(`${kit.proxy}/openai-always`, chat('Say hello in French')).done;
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    expect(llm.last('/v1/chat/completions')!.body.stream).toBe(true);
    expect(dataOf(res.text).pop()).toBe('[DONE]');
  });

  it('a gzip-compressed provider answer is inflated, translated and sent uncompressed', async () => {
    const r = await kit.send('POST', '/anthropic-gzip', { body: chat('Hi') });
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBeUndefined();
    expect(r.json.choices[0].message.content).toBe('compressed hello');
    expect(Number(r.headers['content-length'])).toBe(Buffer.byteLength(r.text));
  });

  it('llama2 in OpenAI format and in raw [INST] format', async () => {
    const r = await kit.send('POST', '/llama2-openai', { body: chat('Hi') });
    expect(r.status).toBe(200);
    expect(r.json.choices[0].message.content).toBe('Paris is the capital.');
    expect(llm.last('/llama/v1/chat/completions')!.body).toEqual({ ...chat('Hi'), model: 'llama2-13b', stream: false });

    const raw = await kit.send('POST', '/llama2-raw', { body: chat('Hi') });
    expect(raw.status).toBe(200);
    expect(raw.json).toEqual({ choices: [{ message: { content: 'Hi, I am Llama.', role: 'assistant' }, index: 0 }], object: 'chat.completion' });
    expect(llm.last('/raw/generate')!.body).toEqual({
      inputs: '<s>[INST] <<SYS>> You are terse. <</SYS>> Hi [/INST]', parameters: { max_new_tokens: 32, stream: false },
    });
  });

  it.each([
    ['not JSON', '/openai-chat', '{"messages": [', 'content-type header does not match request body, or bad JSON formatting'],
    ['no prompt', '/openai-chat', { messages: [] }, "request body doesn't contain valid prompts"],
    ['another model', '/openai-chat', chat('x', { model: 'gpt-3.5-turbo' }), 'cannot use own model - must be: gpt-4o'],
    ['a completions body on a chat route', '/openai-chat', { prompt: 'x' }, '[llm/v1/completions] message format is not compatible with [llm/v1/chat] route type'],
    ['both formats', '/openai-chat', { prompt: 'x', ...chat('y') }, 'request matches multiple LLM request formats'],
    ['a stream where streaming is denied', '/openai-deny', chat('x', { stream: true }), 'response streaming is not enabled for this LLM'],
    ['no model anywhere', '/openai-any-model', chat('x'), 'model parameter not found in request, nor in gateway configuration'],
  ])('400 for %s, in Kong\'s error body', async (_what, path, body, message) => {
    const before = llm.received.length;
    const r = await kit.send('POST', path, { body, headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ error: { message } });
    expect(llm.received.length).toBe(before);
  });

  it('the model may come from the request when the config names none', async () => {
    const r = await kit.send('POST', '/openai-any-model', { body: chat('x', { model: 'gpt-4o-mini' }) });
    expect(r.status).toBe(200);
    expect(r.headers['x-kong-llm-model']).toBe('openai/gpt-4o-mini');
    expect(llm.last('/v1/chat/completions')!.body.model).toBe('gpt-4o-mini');
  });

  it("a provider's error passes through untouched; an answer that cannot be read is Kong's 500", async () => {
    const denied = await kit.send('POST', '/openai-denied', { body: chat('x') });
    expect(denied.status).toBe(401);
    expect(denied.json).toEqual({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } });
    const bad = await kit.send('POST', '/openai-bad', { body: chat('x') });
    expect(bad.status).toBe(500);
    expect(bad.json).toEqual({ error: { message: 'transformation failed from type openai://llm/v1/chat: failed to decode llm/v1/chat response' } });
  });

  it('Prometheus ai_llm_* metrics count requests, tokens and cost per provider and model', async () => {
    for (let i = 0; i < 2; i++) expect((await kit.send('POST', '/openai-chat', { body: chat('Capital of France?') })).status).toBe(200);
    expect((await kit.send('POST', '/anthropic-chat', { body: chat('Greet me') })).status).toBe(200);
    const labels = 'ai_provider="openai",ai_model="gpt-4o",cache_status="",vector_db="",embeddings_provider="",embeddings_model="",workspace="default"';
    // the log phase runs after each response: poll until the scrape has all three
    const text = await eventually(async () => {
      const t = (await request('GET', `${kit.status}/metrics`)).text;
      return Number(sample(t, `ai_llm_requests_total{${labels}}`)) >= 2 && t.includes('ai_provider="anthropic"') ? t : undefined;
    }, 20_000);
    expect(Number(sample(text, `ai_llm_requests_total{${labels}}`))).toBeGreaterThanOrEqual(2);
    expect(Number(sample(text, `ai_llm_tokens_total{${labels.replace(',workspace', ',token_type="prompt_tokens",workspace')}}`))).toBeGreaterThanOrEqual(22);
    expect(Number(sample(text, `ai_llm_tokens_total{${labels.replace(',workspace', ',token_type="total_tokens",workspace')}}`))).toBeGreaterThanOrEqual(36);
    expect(Number(sample(text, `ai_llm_cost_total{${labels}}`))).toBeGreaterThan(0);
    const anthropic = 'ai_provider="anthropic",ai_model="claude-3-5-sonnet-20241022"';
    expect(text).toContain(`ai_llm_requests_total{${anthropic},`);
  });

  it('GET /schemas/plugins/ai-proxy and Kong\'s validation messages', async () => {
    const schema = await request('GET', `${kit.admin}/schemas/plugins/ai-proxy`);
    expect(schema.status).toBe(200);
    const config = schema.json.fields.find((f: any) => f.config).config;
    const field = (name: string) => config.fields.find((f: any) => f[name])[name];
    expect(field('response_streaming')).toMatchObject({ default: 'allow', one_of: ['allow', 'deny', 'always'] });
    expect(field('route_type')).toMatchObject({ required: true, one_of: ['llm/v1/chat', 'llm/v1/completions', 'preserve'] });

    const validate = (cfg: Record<string, unknown>) => request('POST', `${kit.admin}/schemas/plugins/validate`, { body: { name: 'ai-proxy', config: cfg } });
    const noVersion = await validate({ route_type: 'llm/v1/chat', model: { provider: 'anthropic', name: 'claude' } });
    expect(noVersion.status).toBe(400);
    expect(noVersion.json.fields.config['@entity']).toEqual(["must set 'model.options.anthropic_version' for anthropic provider"]);
    const halfAuth = await validate({ route_type: 'llm/v1/chat', auth: { header_name: 'Authorization' }, model: { provider: 'openai' } });
    expect(halfAuth.json.fields.config['@entity']).toEqual(["all or none of these fields must be set: 'auth.header_name', 'auth.header_value'"]);
    const hot = await validate({ route_type: 'llm/v1/chat', model: { provider: 'openai', options: { temperature: 9 } } });
    expect(hot.json.fields).toEqual({ config: { model: { options: { temperature: 'value should be between 0 and 5' } } } });
    const llama = await validate({ route_type: 'llm/v1/chat', model: { provider: 'llama2' } });
    expect(llama.json.fields.config['@entity']).toEqual([
      "must set 'model.options.llama2_format' for llama2 provider", "must set 'model.options.upstream_url' for self-hosted providers/models",
    ]);
    const stats = await validate({ route_type: 'llm/v1/completions', logging: { log_statistics: true }, model: { provider: 'anthropic', options: { anthropic_version: '1' } } });
    expect(stats.json.fields.config['@entity']).toEqual(['anthropic does not support statistics when route_type is llm/v1/completions']);
    const ok = await validate({ route_type: 'llm/v1/chat', model: { provider: 'openai', name: 'gpt-4o' } });
    expect(ok.status).toBe(200);
  });
});

function sample(text: string, key: string): string | undefined {
  const line = text.split('\n').find((l) => l.startsWith(key + ' '));
  return line?.slice(key.length + 1);
}

describe('POST /plugins ai-proxy on a node with a database', () => {
  let n: LogNode;
  beforeAll(async () => { n = await startLogNode(); }, 120_000);
  afterAll(async () => { await n?.close(); });

  it('stores the config with Kong\'s defaults, and refuses a bad one naming the field', async () => {
    const created = await request('POST', `${n.admin}/plugins`, {
      body: { name: 'ai-proxy', config: { route_type: 'llm/v1/chat', model: { provider: 'mistral', name: 'mistral-tiny', options: { mistral_format: 'openai' } } } },
    });
    expect(created.status).toBe(201);
    expect(created.json.config).toMatchObject({
      response_streaming: 'allow', max_request_body_size: 8192, model_name_header: true, llm_format: 'openai',
      logging: { log_statistics: false, log_payloads: false },
      auth: { header_name: null, allow_override: false, gcp_use_service_account: false },
      model: { provider: 'mistral', name: 'mistral-tiny', options: { mistral_format: 'openai', azure_api_version: '2023-05-15', upstream_url: null } },
    });
    expect(created.json.protocols).toEqual(['grpc', 'grpcs', 'http', 'https']);
    const fetched = await request('GET', `${n.admin}/plugins/${created.json.id}`);
    expect(fetched.json.config).toEqual(created.json.config);

    const bad = await request('POST', `${n.admin}/plugins`, { body: { name: 'ai-proxy', config: { route_type: 'llm/v2/chat', model: { provider: 'openai' } } } });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ code: 2, name: 'schema violation', fields: { config: { route_type: 'expected one of: llm/v1/chat, llm/v1/completions, preserve' } } });
    const unsupported = await request('POST', `${n.admin}/plugins`, { body: { name: 'ai-proxy', config: { route_type: 'llm/v1/chat', model: { provider: 'cohere' } } } });
    expect(unsupported.status).toBe(400);
    expect(unsupported.json.fields.config.model.provider).toBe("provider 'cohere' is not supported by Tollgate (supported: openai, anthropic, mistral, llama2)");
    const consumer = await request('POST', `${n.admin}/consumers`, { body: { username: 'bob' } });
    const scoped = await request('POST', `${n.admin}/plugins`, {
      body: { name: 'ai-request-transformer', consumer: { id: consumer.json.id }, config: { prompt: 'p', llm: { route_type: 'llm/v1/chat', model: { provider: 'openai', name: 'gpt-4o' } } } },
    });
    expect(scoped.status).toBe(400);
    expect(scoped.json.fields).toEqual({ consumer: 'value must be null' });
  });
});
