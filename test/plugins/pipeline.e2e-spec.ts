// The phase pipeline itself, with small plugins defined in the test: order, rewrite for global plugins only,
// protocols, async access, exits skipping later access handlers but not log, and a throwing plugin -> 500.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKit, eventually, type Kit } from './support/kit';
import { jsPluginPackage, readLines } from './support/plugin-folder';

// The node runs in its own process: the test plugins append their trace to a file the test reads.
const traceFile = join(mkdtempSync(join(tmpdir(), 'tollgate-trace-')), 'trace.log');
const mod = (name: string, priority: number, extra = '') => jsPluginPackage(name, `
const { appendFileSync } = require('node:fs');
const trace = (entry) => appendFileSync(${JSON.stringify(traceFile)}, entry + '\\n');
exports.schema = [['tag', { type: 'string', default: ${JSON.stringify(name)} }]];
exports.handler = {
  name: ${JSON.stringify(name)}, priority: ${priority}, version: '1.0.0',
  rewrite: () => void trace('${name}:rewrite'),
  access: () => void trace('${name}:access'),
  header_filter: () => void trace('${name}:header_filter'),
  log: () => void trace('${name}:log'),
  ${extra}
};
`);

const folders = [
  mod('p-high', 3000),
  mod('p-async', 2000, `access: (kong) => new Promise((r) => setTimeout(() => {
    trace('p-async:access');
    kong.request.setHeader('x-async', 'done');
    r();
  }, 5)),`),
  mod('p-low', 10),
  mod('p-exit', 500, `access: (kong) => { trace('p-exit:access'); kong.response.exit(409, { message: 'stop' }); },`),
  mod('p-throw', 400, `access: () => { throw new Error('boom'); },`),
];

describe('phase pipeline (proxy)', () => {
  let kit: Kit;

  beforeAll(async () => {
    kit = await createKit({ plugins: ['bundled', ...folders] });
    const b = kit.builder;
    const s = b.service(kit.upstream.port);
    const order = b.route(s, ['/order']);
    const exit = b.route(s, ['/exit']);
    const boom = b.route(s, ['/boom']);
    const httpsOnly = b.route(s, ['/https-only']);
    b.plugin('p-high', {});
    b.plugin('p-async', {}, { route: order });
    b.plugin('p-low', {}, { route: order });
    b.plugin('p-low', {}, { route: exit });
    b.plugin('p-exit', {}, { route: exit });
    b.plugin('p-throw', {}, { route: boom });
    b.plugin('p-low', {}, { route: httpsOnly }, { protocols: ['https'] });
    await kit.start();
  });
  afterAll(() => kit.close());

  let trace: string[] = [];
  /** One request; then the trace once `logs` plugins ran their log phase. */
  const run = async (path: string, logs = 1) => {
    writeFileSync(traceFile, '');
    const res = await kit.get(path);
    trace = await eventually(() => {
      const lines = readLines(traceFile);
      return lines.filter((t) => t.endsWith(':log')).length >= logs ? lines : undefined;
    });
    return res;
  };

  it('phases in priority order; rewrite only for global plugins; async access awaited', async () => {
    const res = await run('/order/x', 3);
    expect(res.status).toBe(200);
    expect(res.json.headers['x-async']).toBe('done');
    expect(trace).toEqual([
      'p-high:rewrite',
      'p-high:access', 'p-async:access', 'p-low:access',
      'p-high:header_filter', 'p-async:header_filter', 'p-low:header_filter',
      'p-high:log', 'p-async:log', 'p-low:log',
    ]);
  });

  it('an exit skips later access handlers; header_filter and log still run for all', async () => {
    const res = await run('/exit/x', 3);
    expect(res.status).toBe(409);
    expect(res.json).toEqual({ message: 'stop' });
    expect(trace).toEqual([
      'p-high:rewrite', 'p-high:access', 'p-exit:access',
      'p-high:header_filter', 'p-exit:header_filter', 'p-low:header_filter',
      'p-high:log', 'p-exit:log', 'p-low:log',
    ]);
  });

  it('a throwing plugin answers 500 and the gateway keeps serving', async () => {
    const res = await run('/boom/x');
    expect(res.status).toBe(500);
    expect(res.json.message).toBe('An unexpected error occurred');
    expect((await run('/order/x')).status).toBe(200);
  });

  it('a plugin whose protocols exclude the request protocol does not run', async () => {
    await run('/https-only/x');
    expect(trace.filter((t) => t.startsWith('p-low'))).toEqual([]);
  });
});
