// The AI prompt plugins (template, decorator, guard) in front of ai-proxy, and the AI request/response transformers,
// through a real `tollgate start` node and a local OpenAI/Anthropic-format provider: what reaches the provider and
// the upstream, what the client gets, and Kong's 400s.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http as request } from '../../support/http';
import { createKit, eventually, type Kit } from '../support/kit';
import { readLines } from '../support/plugin-folder';
import { startLlmServer, type LlmServer } from './llm-server';

const user = (content: string) => ({ messages: [{ role: 'user', content }] });

describe('AI prompt plugins and AI transformers on a running node', () => {
  let kit: Kit;
  let llm: LlmServer;
  const logFile = join(mkdtempSync(join(tmpdir(), 'tollgate-ai-log-')), 'access.json');

  beforeAll(async () => {
    llm = await startLlmServer();
    kit = await createKit();
    const b = kit.builder;
    const s = b.service(kit.upstream.port, { name: 'svc' });
    const proxy = {
      route_type: 'llm/v1/chat',
      auth: { header_name: 'Authorization', header_value: 'Bearer sk-test' },
      model: { provider: 'openai', name: 'gpt-4o', options: { upstream_url: `${llm.url}/v1/chat/completions` } },
    };
    const decorated = b.route(s, ['/decorated'], { name: 'decorated' });
    b.plugin('ai-proxy', proxy, { route: decorated });
    b.plugin('ai-prompt-decorator', {
      prompts: { prepend: [{ role: 'system', content: 'Answer in French.' }, { role: 'user', content: 'Context: maps' }], append: [{ role: 'user', content: 'Be brief.' }] },
    }, { route: decorated });

    const guarded = b.route(s, ['/guarded'], { name: 'guarded' });
    b.plugin('ai-proxy', proxy, { route: guarded });
    b.plugin('ai-prompt-guard', { allow_patterns: ['.*(cat|dog).*'], deny_patterns: ['.*password.*'] }, { route: guarded });
    const latest = b.route(s, ['/guarded-latest'], { name: 'guarded-latest' });
    b.plugin('ai-proxy', proxy, { route: latest });
    b.plugin('ai-prompt-guard', { deny_patterns: ['secret'], allow_all_conversation_history: true }, { route: latest });

    const templated = b.route(s, ['/templated'], { name: 'templated' });
    b.plugin('ai-proxy', proxy, { route: templated });
    b.plugin('ai-prompt-template', {
      templates: [
        { name: 'translate', template: '{"messages":[{"role":"system","content":"Translate to {{language}}."},{"role":"user","content":"{{text}}"}]}' },
        { name: 'complete', template: '{"prompt":"Finish: {{start}}"}' },
      ],
      allow_untemplated_requests: false,
    }, { route: templated });
    // the template renders first (773), then the decorator (772), then the proxy (770): Kong's priorities
    b.plugin('ai-prompt-decorator', { prompts: { append: [{ role: 'user', content: 'Thanks.' }] } }, { route: templated });

    const reqXform = b.route(s, ['/req-xform'], { name: 'req-xform' });
    b.plugin('ai-request-transformer', {
      prompt: 'Convert the body to XML.',
      transformation_extract_pattern: '<order>[\\s\\S]*</order>',
      llm: {
        route_type: 'llm/v1/chat',
        auth: { header_name: 'x-api-key', header_value: 'ant-secret' },
        model: { provider: 'anthropic', name: 'claude-3-5-haiku', options: { anthropic_version: '2023-06-01', max_tokens: 512, upstream_url: `${llm.url}/xform/v1/messages` } },
        logging: { log_statistics: true, log_payloads: false },
      },
    }, { route: reqXform });
    b.plugin('file-log', { path: logFile }, { route: reqXform });

    const resXform = b.route(s, ['/res-xform'], { name: 'res-xform' });
    b.plugin('ai-response-transformer', {
      prompt: 'Summarise the body.',
      llm: { route_type: 'llm/v1/chat', auth: { header_name: 'Authorization', header_value: 'Bearer sk-xform' }, model: { provider: 'openai', name: 'gpt-4o-mini', options: { upstream_url: `${llm.url}/summary/v1/chat/completions` } } },
    }, { route: resXform });
    const resJson = b.route(s, ['/res-json'], { name: 'res-json' });
    b.plugin('ai-response-transformer', {
      prompt: 'Answer with instructions.',
      parse_llm_response_json_instructions: true,
      llm: { route_type: 'llm/v1/chat', model: { provider: 'openai', name: 'gpt-4o-mini', options: { upstream_url: `${llm.url}/instructions/v1/chat/completions` } } },
    }, { route: resJson });
    const resFail = b.route(s, ['/res-fail'], { name: 'res-fail' });
    b.plugin('ai-response-transformer', {
      prompt: 'Summarise the body.',
      llm: { route_type: 'llm/v1/chat', model: { provider: 'openai', name: 'gpt-4o-mini', options: { upstream_url: `${llm.url}/down/v1/chat/completions` } } },
    }, { route: resFail });

    // the transformer LLM answers: Anthropic messages wrapping XML in chatter; OpenAI answers echoing what they got
    llm.answer('/xform/v1/messages', (body) => [200, 'application/json', JSON.stringify({
      id: 'msg_x', type: 'message', role: 'assistant', model: 'claude-3-5-haiku-20241022', stop_reason: 'end_turn',
      content: [{ type: 'text', text: `Sure! Here it is:\n<order><item>${JSON.parse(body.messages[0].content).item}</item></order>\nAnything else?` }],
      usage: { input_tokens: 30, output_tokens: 12 },
    })]);
    llm.answer('/summary/v1/chat/completions', (body) => [200, 'application/json', JSON.stringify({
      model: 'gpt-4o-mini', object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: `SUMMARY of ${JSON.parse(body.messages[1].content).path}` }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 40, completion_tokens: 5, total_tokens: 45 },
    })]);
    llm.answer('/instructions/v1/chat/completions', () => [200, 'application/json', JSON.stringify({
      model: 'gpt-4o-mini', object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: JSON.stringify({ status: 202, headers: { 'x-llm': 'decided' }, body: 'accepted by the model' }) }, finish_reason: 'stop' }],
    })]);
    llm.answer('/down/v1/chat/completions', () => [503, 'application/json', '{"error":"overloaded"}']);
    await kit.start();
  }, 120_000);

  afterAll(async () => {
    await kit?.close();
    await llm?.close();
  });

  it('ai-prompt-decorator prepends and appends its messages around the client\'s', async () => {
    const r = await kit.send('POST', '/decorated', { body: user('Where is Lyon?') });
    expect(r.status).toBe(200);
    expect(llm.last('/v1/chat/completions')!.body.messages).toEqual([
      { role: 'system', content: 'Answer in French.' }, { role: 'user', content: 'Context: maps' },
      { role: 'user', content: 'Where is Lyon?' }, { role: 'user', content: 'Be brief.' },
    ]);
    const prompt = await kit.send('POST', '/decorated', { body: { prompt: 'x' } });
    expect(prompt.status).toBe(400);
    expect(prompt.json).toEqual({ error: { message: 'this LLM route only supports llm/chat type requests' } });
  });

  it('ai-prompt-guard: deny patterns win, allow patterns must match, and a refusal says only "bad request"', async () => {
    const before = llm.received.length;
    const denied = await kit.send('POST', '/guarded', { body: user('my cat knows the password') });
    expect(denied.status).toBe(400);
    expect(denied.json).toEqual({ error: { message: 'bad request' } });
    const unlisted = await kit.send('POST', '/guarded', { body: user('tell me about birds') });
    expect(unlisted.status).toBe(400);
    expect(unlisted.json).toEqual({ error: { message: 'bad request' } });
    expect(llm.received.length).toBe(before);
    const allowed = await kit.send('POST', '/guarded', { body: user('tell me about dogs') });
    expect(allowed.status).toBe(200);
    // the whole conversation's user prompts are checked by default...
    const history = { messages: [{ role: 'user', content: 'the secret is 42' }, { role: 'assistant', content: 'ok' }, { role: 'user', content: 'hello' }] };
    const old = await kit.send('POST', '/guarded', { body: { messages: [{ role: 'user', content: 'password?' }, { role: 'user', content: 'a dog' }] } });
    expect(old.status).toBe(400);
    // ...only the latest with allow_all_conversation_history
    expect((await kit.send('POST', '/guarded-latest', { body: history })).status).toBe(200);
    expect((await kit.send('POST', '/guarded-latest', { body: user('what is the secret') })).status).toBe(400);
  });

  it('ai-prompt-template renders {template://name} with properties, before the decorator and the proxy', async () => {
    const r = await kit.send('POST', '/templated', { body: { messages: '{template://translate}', properties: { language: 'German', text: 'Say "hi"' } } });
    expect(r.status).toBe(200);
    expect(llm.last('/v1/chat/completions')!.body.messages).toEqual([
      { role: 'system', content: 'Translate to German.' }, { role: 'user', content: 'Say "hi"' }, { role: 'user', content: 'Thanks.' },
    ]);
  });

  it.each([
    ['an untemplated request', user('hi'), 'this LLM route only supports templated requests'],
    ['an unknown template', { messages: '{template://nope}' }, 'could not find template name [nope]'],
    ['a missing property', { messages: '{template://translate}', properties: { language: 'German' } }, 'missing template parameters: [text]'],
    ['a property that is not a string', { messages: '{template://translate}', properties: { language: 1, text: 'x' } }, 'property values must be a string, got number'],
    ['messages and prompt', { messages: '{template://translate}', prompt: 'x' }, "cannot run 'messages' and 'prompt' templates at the same time"],
  ])('ai-prompt-template answers 400 for %s', async (_what, body, message) => {
    const r = await kit.send('POST', '/templated', { body });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ error: { message } });
  });

  it('ai-request-transformer: the LLM rewrites the body (first match of the pattern) before the upstream sees it', async () => {
    const r = await kit.send('POST', '/req-xform/orders', { body: { item: 'tea' } });
    expect(r.status).toBe(200);
    // the echo upstream got the LLM's XML, cut to the pattern's match
    expect(r.json.body).toBe('<order><item>tea</item></order>');
    expect(r.json.path).toBe('/orders'); // strip_path
    const call = llm.last('/xform/v1/messages')!;
    expect(call.headers['x-api-key']).toBe('ant-secret');
    expect(call.headers['anthropic-version']).toBe('2023-06-01');
    expect(call.body).toEqual({
      system: 'Convert the body to XML.', messages: [{ role: 'user', content: '{"item":"tea"}' }], max_tokens: 512, model: 'claude-3-5-haiku', stream: false,
    });
    // the LLM call's usage is logged under the plugin's name (Kong's post_request), here by file-log
    const entry = await eventually(() => readLines(logFile).map((l) => JSON.parse(l))[0], 20_000);
    expect(entry.ai['ai-request-transformer'].usage).toMatchObject({ prompt_tokens: 30, completion_tokens: 12, total_tokens: 42 });
    expect(entry.ai['ai-request-transformer'].meta).toMatchObject({ provider_name: 'anthropic', request_model: 'claude-3-5-haiku', response_model: 'claude-3-5-haiku-20241022' });
  });

  it('ai-response-transformer: the upstream answer goes through the LLM, the client gets its text with the upstream status', async () => {
    const r = await kit.send('GET', '/res-xform/report?x=1');
    expect(r.status).toBe(200);
    // the upstream saw the path after strip_path, as the proxy would have sent it
    expect(r.text).toBe('SUMMARY of /report');
    expect(r.headers['content-type']).toBe('application/json');
    const call = llm.last('/summary/v1/chat/completions')!;
    expect(call.headers.authorization).toBe('Bearer sk-xform');
    expect(call.body.messages[0]).toEqual({ role: 'system', content: 'Summarise the body.' });
    expect(JSON.parse(call.body.messages[1].content)).toMatchObject({ method: 'GET', path: '/report', query: { x: '1' } });
  });

  it('ai-response-transformer with parse_llm_response_json_instructions: status, headers and body from the LLM', async () => {
    const r = await kit.send('GET', '/res-json');
    expect(r.status).toBe(202);
    expect(r.headers['x-llm']).toBe('decided');
    expect(r.text).toBe('accepted by the model');
  });

  it("an LLM failure is the transformer's 400 in Kong's error body", async () => {
    const r = await kit.send('GET', '/res-fail');
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ error: { message: 'failed to introspect request with AI service: status code 503' } });
  });

  it("Kong's validation messages for the prompt plugins and transformers", async () => {
    const validate = (name: string, config: Record<string, unknown>) => request('POST', `${kit.admin}/schemas/plugins/validate`, { body: { name, config } });
    const empty = await validate('ai-prompt-decorator', { prompts: {} });
    expect(empty.status).toBe(400);
    expect(empty.json.fields['@entity']).toEqual(["at least one of these fields must be non-empty: 'config.prompts.prepend', 'config.prompts.append'"]);
    const guard = await validate('ai-prompt-guard', {});
    expect(guard.json.fields['@entity']).toEqual(["at least one of these fields must be non-empty: 'config.allow_patterns', 'config.deny_patterns'"]);
    const xform = await validate('ai-request-transformer', { prompt: 'p', llm: { route_type: 'llm/v1/completions', model: { provider: 'openai' } } });
    expect(xform.json.fields.config.llm.route_type).toBe("'config.llm.route_type' must be 'llm/v1/chat' for AI transformer plugins");
    const long = await validate('ai-prompt-decorator', { prompts: { append: [{ content: '' }] } });
    expect(long.json.fields.config.prompts.append[0].content).toBe('length must be at least 1');
    const schema = await request('GET', `${kit.admin}/schemas/plugins/ai-prompt-template`);
    const config = schema.json.fields.find((f: any) => f.config).config;
    expect(config.fields.find((f: any) => f.allow_untemplated_requests).allow_untemplated_requests).toMatchObject({ default: true, required: true });
  });
});
