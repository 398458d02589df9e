import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KEYS } from './keys';
import { parseConfText } from './conf-text';
import { renderConfigReference, renderDefaultConf } from './render-docs';

describe('generated configuration docs', () => {
  it('docs/configuration.md is exactly renderConfigReference() (regenerate it when keys.ts changes)', () => {
    const onDisk = readFileSync(join(__dirname, '../../../docs/configuration.md'), 'utf8');
    expect(onDisk).toBe(renderConfigReference());
  });

  it('the reference has one row per key', () => {
    const rows = renderConfigReference().split('\n## Kong keys')[0].split('\n').filter((line) => /^\| `[a-z0-9_]+` \|/.test(line));
    expect(rows.map((row) => /^\| `([a-z0-9_]+)`/.exec(row)![1])).toEqual(KEYS.map((def) => def.name));
    expect(renderConfigReference()).toContain('| `nginx_worker_processes` | mapped to `worker_processes` |');
    expect(rows).toContain("| `proxy_listen` | listen (proxy) | `0.0.0.0:8000 reuseport backlog=16384, 0.0.0.0:8443 http2 ssl reuseport backlog=16384` | Proxy listeners for client traffic: comma-separated <ip>:<port> [flags] entries, or off. |");
  });

  it('renderDefaultConf lists every key commented out, and uncommented it reads back as the defaults', () => {
    const text = renderDefaultConf();
    expect(parseConfText(text, 'x').entries).toEqual([]); // all commented
    expect(text).toContain('\n# Lowest severity written to the logs.\n#log_level = notice\n');
    const uncommented = text.split('\n').filter((line) => /^#[a-z0-9_]+ =/.test(line)).map((line) => line.slice(1)).join('\n');
    const parsed = parseConfText(uncommented, 'x');
    expect(parsed.problems).toEqual([]);
    expect(parsed.entries.map(({ key, value }) => [key, value])).toEqual(KEYS.map((def) => [def.name, def.default ?? '']));
  });
});
