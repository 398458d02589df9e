// A real `tollgate start` node (database = off with a declarative file, or the default database over the Admin
// API) with an echo upstream, for the log-shipping suites.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEchoUpstream, type EchoUpstream } from '@tollgate/plugins/testing';
import { loopbackConf, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../../support/cli-node';
import { http } from '../../support/http';
import { waitFor } from '../../support/wait';

export interface LogNode {
  readonly node: RunningNode;
  readonly admin: string;
  readonly proxy: string;
  /** A route `/<name>` on the echo service with these plugins, created over the Admin API. */
  route(name: string, plugins: Array<{ name: string; config: Record<string, unknown> }>): Promise<void>;
  close(): Promise<void>;
}

export async function startLogNode(opts: { declarative?: (upstreamPort: number) => string; conf?: Record<string, string> } = {}): Promise<LogNode> {
  const upstream: EchoUpstream = await startEchoUpstream();
  const prefix = tempPrefix();
  let conf = loopbackConf(prefix, opts.conf);
  if (opts.declarative) {
    const file = join(prefix, 'kong.yml');
    writeFileSync(file, opts.declarative(upstream.port));
    conf = loopbackConf(prefix, { ...opts.conf, database: 'off', declarative_config: file });
  }
  const node = await startNode(['-c', writeConf(prefix, conf), '-p', prefix]);
  const admin = `http://127.0.0.1:${node.port('admin_listen')}`;
  const proxy = `http://127.0.0.1:${node.port('proxy_listen')}`;
  if (!opts.declarative) {
    const r = await http('POST', `${admin}/services`, { body: { name: 'echo', url: `http://127.0.0.1:${upstream.port}` } });
    if (r.status !== 201) throw new Error(r.text);
  }
  return {
    node, admin, proxy,
    async route(name, plugins) {
      const r = await http('POST', `${admin}/services/echo/routes`, { body: { name, paths: [`/${name}`] } });
      if (r.status !== 201) throw new Error(`${name}: ${r.text}`);
      for (const p of plugins) {
        const res = await http('POST', `${admin}/routes/${name}/plugins`, { body: p });
        if (res.status !== 201) throw new Error(`${name}: ${res.text}`);
      }
      // the proxy applies changes in order: once a marker route created after the plugins serves, the route serves
      // with its plugins (polling the route itself would log, or race the plugins). The marker's path ends in a
      // slash: paths match by prefix, and another route's marker (/ready/zipkin/) must not answer for this one
      // (/ready/zipkin-auth/).
      const marker = await http('POST', `${admin}/services/echo/routes`, { body: { name: `ready-${name}`, paths: [`/ready/${name}/`] } });
      if (marker.status !== 201) throw new Error(`ready-${name}: ${marker.text}`);
      await waitFor(async () => ((await http('GET', `${proxy}/ready/${name}/`)).status === 200 ? true : undefined), `route ${name} to serve`);
    },
    async close() {
      await stopNode(node);
      await upstream.close();
    },
  };
}
