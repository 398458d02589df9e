import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MALLOC_ARENAS, startMallocTrimmer, workerMallocEnv } from './malloc-trim';

const ADDON = join(__dirname, '..', '..', '..', '..', 'native', 'transparent', 'build', 'Release', 'memory.node');

describe('workerMallocEnv', () => {
  it('caps a worker\'s malloc arenas', () => {
    expect(workerMallocEnv({ PATH: '/usr/bin' })).toEqual({ MALLOC_ARENA_MAX: String(MALLOC_ARENAS) });
  });

  it('leaves an operator\'s MALLOC_ARENA_MAX alone', () => {
    expect(workerMallocEnv({ MALLOC_ARENA_MAX: '8' })).toEqual({});
  });
});

describe('startMallocTrimmer', () => {
  it('trims when the addon is built (npm ci builds it) and stops cleanly', () => {
    const trimmer = startMallocTrimmer(60_000);
    expect(existsSync(ADDON)).toBe(true);
    expect(trimmer.available).toBe(true);
    trimmer.stop();
  });

  // a real process: free a fragmented malloc heap, then see the addon hand its pages back (RSS of [heap] falls)
  it('hands free malloc pages back to the kernel', () => {
    const script = `
      const { readFileSync } = require('node:fs');
      const heapRss = () => Number(/\\[heap\\]\\n(?:.*\\n)*?Rss:\\s+(\\d+)/.exec(readFileSync('/proc/self/smaps', 'utf8'))[1]);
      const keep = [];
      let junk = [];
      for (let i = 0; i < 40000; i++) { const b = Buffer.allocUnsafeSlow(1024 + (i % 7) * 512); if (i % 50 === 0) keep.push(b); else junk.push(b); }
      junk = null;
      global.gc();
      // V8 frees dead Buffers' memory on a background thread after the GC: give it time before measuring
      setTimeout(() => {
        global.gc();
        const before = heapRss();
        const released = require(${JSON.stringify(ADDON)}).trimMalloc();
        process.stdout.write(JSON.stringify({ before, after: heapRss(), released, kept: keep.length }));
      }, 300);
    `;
    const out = JSON.parse(execFileSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', env: { ...process.env, MALLOC_ARENA_MAX: '1' } }));
    expect(out.released).toBe(true);
    expect(out.after).toBeLessThan(out.before / 2);
  });
});
