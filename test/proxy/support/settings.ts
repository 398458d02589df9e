// Settings and listen entries for data-plane tests: loopback, port 0.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings } from '@tollgate/config';
import type { ListenEntry, Settings } from '@tollgate/config/types';

export function listenEntry(over: Partial<ListenEntry> = {}): ListenEntry {
  const ip = over.ip ?? '127.0.0.1';
  return {
    ip,
    port: 0,
    listener: `${ip}:0${over.ssl ? ' ssl' : ''}${over.http2 ? ' http2' : ''}`,
    ssl: false,
    http2: false,
    proxyProtocol: false,
    deferred: false,
    bind: false,
    reuseport: false,
    transparent: false,
    ...over,
  };
}

/** Real defaults from libs/config (so every key the data plane reads exists), on a temp prefix and port 0. */
export function testSettings(over: Partial<Settings> = {}): Settings {
  const prefix = mkdtempSync(join(tmpdir(), 'tollgate-dp-'));
  const defaults = loadSettings({ prefix, env: {}, cwd: prefix });
  return {
    ...defaults,
    proxy_listeners: [listenEntry()],
    stream_listeners: [],
    worker_processes: 1,
    ...over,
  } as Settings;
}
