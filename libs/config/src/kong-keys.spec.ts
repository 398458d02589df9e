import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KEYS_BY_NAME } from './keys';
import { KONG_KEYS, kongKeyVerdict } from './kong-keys';

/** test/fixtures/kong-3.10-defaults.tsv: every Kong 3.10 key with its default. */
const KONG_DEFAULTS: [string, string][] = readFileSync(join(__dirname, '../../../test/fixtures/kong-3.10-defaults.tsv'), 'utf8')
  .split('\n')
  .filter((line) => line !== '' && !line.startsWith('#'))
  .map((line) => line.split('\t') as [string, string]);

describe("Kong 3.10's keys", () => {
  it('the fixture lists every key once', () => {
    const names = KONG_DEFAULTS.map(([key]) => key);
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBe(210);
  });

  it.each(KONG_DEFAULTS.map(([key]) => key))('%s is a Tollgate key, mapped onto one, or ignored with a reason', (key) => {
    const verdict = kongKeyVerdict(key);
    if (KEYS_BY_NAME.has(key)) return expect(verdict?.kind).not.toBe('alias');
    expect(verdict).toBeDefined();
    if (verdict!.kind === 'alias') expect(KEYS_BY_NAME.has(verdict!.mapsTo)).toBe(true);
    else expect(verdict!.reason.length).toBeGreaterThan(10);
  });

  it('no row of the Kong table shadows a Tollgate key (remove the row when a key gets implemented)', () => {
    expect(Object.keys(KONG_KEYS).filter((key) => KEYS_BY_NAME.has(key))).toEqual([]);
  });

  it('maps the nginx and Lua names of settings Tollgate has', () => {
    expect(kongKeyVerdict('nginx_worker_processes')).toMatchObject({ kind: 'alias', mapsTo: 'worker_processes' });
    expect(kongKeyVerdict('nginx_http_client_max_body_size')).toMatchObject({ kind: 'alias', mapsTo: 'client_max_body_size' });
    expect(kongKeyVerdict('nginx_admin_client_max_body_size')).toMatchObject({ kind: 'alias', mapsTo: 'admin_max_body_size' });
    expect(kongKeyVerdict('lua_max_req_headers')).toMatchObject({ kind: 'alias', mapsTo: 'client_max_headers' });
  });

  it('accepts any injected nginx directive, and nothing that merely looks like a namespace', () => {
    expect(kongKeyVerdict('nginx_http_gzip')).toEqual({ kind: 'ignored', reason: 'injected nginx directive: Tollgate runs no nginx' });
    expect(kongKeyVerdict('nginx_proxy_proxy_buffering')?.kind).toBe('ignored');
    expect(kongKeyVerdict('nginx_http_')).toBeUndefined();
    expect(kongKeyVerdict('nginx_gzip')).toBeUndefined();
    expect(kongKeyVerdict('proxy_listn')).toBeUndefined();
  });
});
