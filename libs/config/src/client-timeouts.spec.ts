import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config-error';
import { loadSettings } from './load';

function load(text: string, env: NodeJS.ProcessEnv = {}) {
  const cwd = mkdtempSync(join(tmpdir(), 'tollgate-timeouts-'));
  writeFileSync(join(cwd, 'tollgate.conf'), text);
  return loadSettings({ cwd, env });
}

describe('client_header_timeout, client_body_timeout, send_timeout', () => {
  it("default to nginx's 60 s (in ms)", () => {
    const s = load('');
    expect([s.client_header_timeout, s.client_body_timeout, s.send_timeout]).toEqual([60_000, 60_000, 60_000]);
  });

  it('take nginx time syntax', () => {
    const s = load('client_header_timeout = 2s\nclient_body_timeout = 1m\nsend_timeout = 500ms\n');
    expect([s.client_header_timeout, s.client_body_timeout, s.send_timeout]).toEqual([2000, 60_000, 500]);
  });

  it("accept Kong's injected-directive names, in the file and as TOLLGATE_ variables", () => {
    const s = load('nginx_http_client_body_timeout = 30s\nnginx_http_client_header_timeout = 5s\n', { TOLLGATE_NGINX_HTTP_SEND_TIMEOUT: '7s' });
    expect([s.client_header_timeout, s.client_body_timeout, s.send_timeout]).toEqual([5000, 30_000, 7000]);
    expect(s.sources.send_timeout).toBe('env');
  });

  it('reject a bad value naming the key and the value', () => {
    let err: unknown;
    try {
      load('nginx_http_send_timeout = soon\n');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain("send_timeout: invalid duration 'soon'");
  });
});

describe('http2_max_concurrent_streams', () => {
  it("defaults to nginx's 128, takes Kong's injected-directive name, and refuses a bad value naming it", () => {
    expect(load('').http2_max_concurrent_streams).toBe(128);
    expect(load('nginx_http_http2_max_concurrent_streams = 64\n').http2_max_concurrent_streams).toBe(64);
    expect(() => load('http2_max_concurrent_streams = 0\n')).toThrow(/http2_max_concurrent_streams/);
  });
});
