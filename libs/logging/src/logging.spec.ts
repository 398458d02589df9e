import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAccessLog, createLogger } from './index';

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
    expect(lines[0].level).toBe(35);
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
