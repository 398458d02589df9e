// A local LLM provider for the AI plugin suites: it answers each provider's real endpoints in their real wire
// formats (OpenAI chat/completions and SSE chunks, Anthropic /v1/messages and its event stream, /v1/complete,
// Ollama /api/chat with newline-delimited JSON) and records every request it received, as received.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: any;
}

export interface LlmServer {
  readonly url: string;
  readonly received: Received[];
  /** The last request that reached `path`. */
  last(path: string): Received | undefined;
  /** A stream holds its second half until the test says the client saw the first (proof it was not buffered). */
  holdStreams(): { release(): void };
  /** Replaces the answer of one path: (request body) -> [status, content-type, body, extra headers]. */
  answer(path: string, fn: (body: any) => Answer): void;
  close(): Promise<void>;
}

type Answer = [number, string, string | Buffer, Record<string, string>?];

const sse = (event: string | null, data: unknown) => `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

/** `tls`: answer over HTTPS with this certificate (a provider reached at an https:// upstream_url). */
export async function startLlmServer(opts: { tls?: { cert: string; key: string } } = {}): Promise<LlmServer> {
  const received: Received[] = [];
  const answers = new Map<string, (body: any) => Answer>();
  let gate: Promise<void> = Promise.resolve();

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const text = Buffer.concat(parts).toString('utf8');
      let body: any = text;
      try { body = JSON.parse(text); } catch { /* recorded as text */ }
      received.push({ method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body });
      const custom = answers.get(url.pathname);
      if (custom) {
        const [status, type, out, extra] = custom(body);
        res.writeHead(status, { 'content-type': type, 'set-cookie': 'provider=1', ...extra }).end(out);
        return;
      }
      void route(url.pathname, body, res, gate);
    });
  };
  const server = opts.tls ? https.createServer(opts.tls, handler) : http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    last: (path) => [...received].reverse().find((r) => r.path === path),
    holdStreams() {
      let release!: () => void;
      gate = new Promise<void>((r) => { release = r; });
      return { release };
    },
    answer: (path, fn) => { answers.set(path, fn); },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

async function route(path: string, body: any, res: http.ServerResponse, gate: Promise<void>): Promise<void> {
  const json = (status: number, value: unknown): void => void res.writeHead(status, { 'content-type': 'application/json', 'set-cookie': 'provider=1' }).end(JSON.stringify(value));
  if (path.endsWith('/v1/chat/completions')) {
    if (!body.stream) {
      return json(200, {
        id: 'chatcmpl-1', object: 'chat.completion', created: 1700000000, model: `${body.model}-2024-08-06`,
        choices: [{ index: 0, message: { role: 'assistant', content: 'Paris is the capital.' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
      });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const chunk = (content: string, finish: string | null) => ({
      id: 'chatcmpl-2', object: 'chat.completion.chunk', created: 1700000000, model: body.model,
      choices: [{ index: 0, delta: { content }, finish_reason: finish }],
    });
    res.write(sse(null, chunk('Bonjour ', null)));
    await gate;
    res.write(sse(null, chunk('tout le monde', null)));
    res.write(sse(null, chunk('', 'stop')));
    res.end(sse(null, '[DONE]'));
    return;
  }
  if (path.endsWith('/v1/completions')) {
    return json(200, {
      id: 'cmpl-1', object: 'text_completion', created: 1700000000, model: body.model,
      choices: [{ index: 0, text: ' blue.', finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
    });
  }
  if (path === '/v1/messages') {
    if (!body.stream) {
      return json(200, {
        id: 'msg_01', type: 'message', role: 'assistant', model: 'claude-3-5-sonnet-20241022',
        content: [{ type: 'text', text: 'Hello' }, { type: 'text', text: 'there' }],
        stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 21, output_tokens: 4 },
      });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
    res.write(sse('message_start', { type: 'message_start', message: { id: 'msg_02', type: 'message', role: 'assistant', content: [], model: body.model, stop_reason: null, stop_sequence: null, usage: { input_tokens: 25, output_tokens: 1 } } }));
    res.write(sse('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }));
    res.write(sse('ping', { type: 'ping' }));
    // one event cut in two writes: the gateway must hold the half until the rest arrives
    const delta = sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } });
    res.write(delta.slice(0, 30));
    res.write(delta.slice(30));
    await gate;
    res.write(sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo!' } }));
    res.write(sse('content_block_stop', { type: 'content_block_stop', index: 0 }));
    res.write(sse('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 15 } }));
    res.end(sse('message_stop', { type: 'message_stop' }));
    return;
  }
  if (path === '/v1/complete') {
    return json(200, { type: 'completion', id: 'compl_1', completion: ' Hi there', stop_reason: 'stop_sequence', model: body.model });
  }
  if (path === '/api/chat') {
    if (!body.stream) {
      return json(200, { model: body.model, created_at: '2024-01-01T00:00:00Z', message: { role: 'assistant', content: 'Llama says hi' }, done: true, prompt_eval_count: 9, eval_count: 3 });
    }
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.write(JSON.stringify({ model: body.model, created_at: 'x', message: { role: 'assistant', content: 'Lla' }, done: false }) + '\n');
    await gate;
    res.write(JSON.stringify({ model: body.model, created_at: 'x', message: { role: 'assistant', content: 'ma' }, done: false }) + '\n');
    res.end(JSON.stringify({ model: body.model, created_at: 'x', message: { role: 'assistant', content: '' }, done: true, prompt_eval_count: 12, eval_count: 2 }) + '\n');
    return;
  }
  json(404, { error: { message: `no such endpoint ${path}` } });
}

/** Reads a response as server-sent-event chunks: resolves `first` once the first chunk arrived, `done` at the end. */
export function readStream(url: string, body: unknown, headers: Record<string, string> = {}): {
  first: Promise<string>; done: Promise<{ status: number; headers: http.IncomingHttpHeaders; chunks: string[]; text: string }>;
} {
  let resolveFirst!: (s: string) => void;
  const first = new Promise<string>((r) => { resolveFirst = r; });
  const done = new Promise<{ status: number; headers: http.IncomingHttpHeaders; chunks: string[]; text: string }>((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, agent: false }, (res) => {
      const chunks: string[] = [];
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        if (chunks.length === 0) resolveFirst(c);
        chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, chunks, text: chunks.join('') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
  return { first, done };
}

/** The `data:` payloads of an SSE body, in order. */
export function dataOf(text: string): string[] {
  return text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
}
