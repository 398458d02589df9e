// Shared set-up of the plugin end-to-end suites: an echo upstream, a snapshot builder, and a real DB-less
// `tollgate start` node serving what the builder built, so each suite proves what a user's node does.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEchoUpstream, SnapshotBuilder, type EchoUpstream } from '@tollgate/plugins/testing';
import { loadPlugins } from '@tollgate/plugins';
import { http, type Reply } from '../../support/http';
import { waitFor } from '../../support/wait';
import { loopbackConf, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../../support/cli-node';

export interface KitOptions {
  /** The node's `plugins` entries (bundled names, plugin folders, JS packages); `bundled` by default. */
  readonly plugins?: string[];
  /** Extra tollgate.conf lines. */
  readonly conf?: Record<string, string>;
  /** Extra environment of the node's processes. */
  readonly env?: NodeJS.ProcessEnv;
}

export interface Kit {
  upstream: EchoUpstream;
  node: RunningNode | null;
  builder: SnapshotBuilder;
  /** Proxy, Admin API and status listener base URLs (once started). */
  proxy: string;
  admin: string;
  status: string;
  /** Starts the node on the builder's config; later calls load the builder's config through `POST /config`. */
  start(): Promise<RunningNode>;
  get(path: string, headers?: Record<string, string>): Promise<Reply>;
  send(method: string, path: string, opts?: { body?: unknown; headers?: Record<string, string> }): Promise<Reply>;
  close(): Promise<void>;
}

/** Suites send the client address they want the gateway to see in this header, as a trusted proxy would. */
export const CLIENT_IP_HEADER = 'x-forwarded-for';

export async function createKit(options: KitOptions = {}): Promise<Kit> {
  const plugins = options.plugins ?? ['bundled'];
  const upstream = await startEchoUpstream();
  const prefix = tempPrefix();
  const file = join(prefix, 'kong.json');
  const kit: Kit = {
    upstream,
    node: null,
    builder: new SnapshotBuilder(loadPlugins(plugins)),
    proxy: '',
    admin: '',
    status: '',
    async start() {
      if (kit.node) {
        const r = await http('POST', `${kit.admin}/config`, { body: kit.builder.build() });
        if (r.status !== 201) throw new Error(`POST /config -> ${r.status} ${r.text}`);
        // served once every worker applied it: the status listener reports the workers' hash, the Admin API the loaded one
        const loaded = (await http('GET', `${kit.admin}/status`)).json.configuration_hash as string;
        await waitFor(async () => ((await http('GET', `${kit.status}/status`)).json.configuration_hash === loaded ? true : undefined), 'the new config to be served', 30_000);
        return kit.node;
      }
      writeFileSync(file, JSON.stringify(kit.builder.build()));
      const conf = loopbackConf(prefix, {
        database: 'off',
        declarative_config: file,
        plugins: plugins.join(','),
        // the loopback test client is a trusted proxy: the address it names in X-Forwarded-For is the client's
        trusted_ips: '127.0.0.1/32',
        real_ip_header: 'X-Forwarded-For',
        ...options.conf,
      });
      kit.node = await startNode(['-c', writeConf(prefix, conf), '-p', prefix], { readyTimeoutMs: 90_000, env: options.env });
      kit.proxy = `http://127.0.0.1:${kit.node.port('proxy_listen')}`;
      kit.admin = `http://127.0.0.1:${kit.node.port('admin_listen')}`;
      kit.status = `http://127.0.0.1:${kit.node.port('status_listen')}`;
      await waitFor(async () => ((await http('GET', `${kit.status}/status/ready`)).status === 200 ? true : undefined), 'the node to be ready', 60_000);
      return kit.node;
    },
    get: (path, headers) => http('GET', kit.proxy + path, { headers }),
    send: (method, path, opts = {}) => http(method, kit.proxy + path, opts),
    async close() {
      if (kit.node) await stopNode(kit.node);
      await upstream.close();
    },
  };
  return kit;
}

/** Polls `fn` until it returns a value that is not undefined, or fails after `ms`. */
export async function eventually<T>(fn: () => T | undefined | Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Waits (polling) until the current fixed window has at least `marginMs` left, so a test's requests all
 *  land in one rate-limiting window. */
export async function awayFromWindowEdge(windowMs = 60_000, marginMs = 3_000): Promise<void> {
  await eventually(() => (Date.now() % windowMs < windowMs - marginMs ? true : undefined), marginMs + 1000);
}
