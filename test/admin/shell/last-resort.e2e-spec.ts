// The Admin API's last line of defence, on a real control plane: an exception that escapes express and Nest (here
// from middleware installed with `beforeRoutes`) is logged as one line and answers Kong's 500 for that request
// only; the listener keeps serving.
import { Writable } from 'node:stream';
import pino from 'pino';
import { http } from '../../support/http';
import { startTestControlPlane, type RunningControlPlane } from './control-plane';
import { rawRequest } from '../../robustness/support/raw-client';

describe('Admin API: exceptions that escape every handler', () => {
  let cp: RunningControlPlane;
  const lines: string[] = [];

  beforeAll(async () => {
    const sink = new Writable({ write(chunk, _enc, cb) { lines.push(...chunk.toString().split('\n').filter(Boolean)); cb(); } });
    cp = await startTestControlPlane({}, {
      logger: pino({ level: 'error' }, sink),
      beforeRoutes: (app) => {
        app.use((req: { url: string }, res: { write(s: string): void; writeHead(s: number): void }, next: (err?: unknown) => void) => {
          if (req.url === '/boom/throw') throw new TypeError('Cannot read properties of undefined (reading \'origin\')');
          if (req.url === '/boom/next') return next(new Error('handed to next()'));
          if (req.url === '/boom/after-head') {
            res.writeHead(200);
            res.write('partial');
            throw new Error('after the head left');
          }
          next();
        });
      },
    });
  });
  afterAll(async () => cp?.stop());

  it.each(['/boom/throw', '/boom/next'])('GET %s -> 500 {"message":"An unexpected error occurred"}, one log line', async (path) => {
    const before = lines.length;
    const r = await http('GET', `${cp.url}${path}`);
    expect(r.status).toBe(500);
    expect(r.json).toEqual({ message: 'An unexpected error occurred' });
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(lines.length - before).toBe(1);
    expect(JSON.parse(lines[lines.length - 1]).url).toBe(path);
    expect((await http('GET', `${cp.url}/status`)).status).toBe(200);
  });

  it('a throw after the head was sent ends that response only', async () => {
    const r = await rawRequest(Number(new URL(cp.url).port), 'GET /boom/after-head HTTP/1.1\r\nHost: x\r\n\r\n', { untilBytes: 12, deadlineMs: 3000 });
    expect(r.status).toBe(200);
    expect((await http('GET', `${cp.url}/status`)).status).toBe(200);
  });
});
