import { closeSync, mkdtempSync, openSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAccessLog, createLogger, formatText, kongLine, reopenLogFiles, timeLocal } from './index';
import { waitFor } from '../../../test/support/wait';

describe('libs/logging', () => {
  it('writes JSON lines with kong level names honouring log_level', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-log-'));
    const file = join(dir, 'logs', 'error.log');
    const devNull = openSync('/dev/null', 'w'); // keep the console copy out of the test output
    const log = createLogger({ level: 'notice', name: 't', file, fd: devNull });
    log.info('hidden');
    log.notice('shown');
    const lines = readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(lines.map((l) => l.msg)).toEqual(['shown']);
    expect(lines[0].level).toBe('notice'); // the word, not pino's number
    closeSync(devNull);
  });

  it('appends one JSON object per access-log entry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-log-'));
    const file = join(dir, 'access.log');
    const log = createAccessLog(file);
    log.write({ status: 200, path: '/a' });
    log.write({ status: 404, path: '/b' });
    await log.close();
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([{ status: 200, path: '/a' }, { status: 404, path: '/b' }]);
  });
});

describe('log formats', () => {
  it('text: time, level word, message, then key=value fields', () => {
    const line = JSON.stringify({ level: 'notice', time: '2026-12-06T14:27:01.123Z', pid: 1, name: 'tollgate', msg: 'tollgate started', role: 'traditional', prefix: '/srv/my data', n: 3, labels: { a: 1 } });
    expect(formatText(line)).toBe('2026-12-06T14:27:01.123Z notice tollgate started role=traditional prefix="/srv/my data" n=3 labels={"a":1}\n');
  });

  it('a console forced to text writes text lines with the level word', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-log-'));
    const out = openSync(join(dir, 'console'), 'w');
    const log = createLogger({ level: 'info', name: 't', fd: out, format: 'text' });
    log.warn({ key: 'proxy_listen' }, 'careful');
    closeSync(out);
    expect(readFileSync(join(dir, 'console'), 'utf8')).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z warn   careful key=proxy_listen\n$/);
  });

  it("kong format: nginx's combined format plus kong_request_id, values escaped as nginx does", () => {
    const time = Date.UTC(2026, 11, 6, 14, 27, 1);
    const line = kongLine({ remoteAddr: '127.0.0.1', request: 'GET /a?x="1" HTTP/1.1', status: 404, bodyBytesSent: 48, referer: undefined, userAgent: 'curl/8.0', requestId: 'abc', time });
    expect(line).toMatch(/^127\.0\.0\.1 - - \[06\/Dec\/2026:\d\d:27:01 [+-]\d{4}\] "GET \/a\?x=\\x221\\x22 HTTP\/1\.1" 404 48 "-" "curl\/8\.0" kong_request_id: "abc"$/);
    expect(timeLocal(time)).toMatch(/^06\/Dec\/2026:\d\d:27:01 [+-]\d{4}$/);
  });

  it('an access log reopens at the same path after logrotate moved the file away', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-log-'));
    const file = join(dir, 'access.log');
    const log = createAccessLog(file);
    log.writeLine('before');
    await waitFor(async () => (readFileSync(file, 'utf8') === 'before\n' ? true : undefined), 'the first line on disk');
    renameSync(file, `${file}.1`);
    expect(reopenLogFiles()).toBeGreaterThanOrEqual(1);
    log.writeLine('after');
    await log.close();
    expect(readFileSync(`${file}.1`, 'utf8')).toBe('before\n');
    expect(readFileSync(file, 'utf8')).toBe('after\n');
  });
});
