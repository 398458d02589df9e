// A control plane that is not one: a TLS server holding the cluster certificate, answering each pull as the test
// scripts it, so a data plane can be shown what a broken or hostile peer sends.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hashSnapshot, type Snapshot } from '@tollgate/declarative';
import type { ClusterFiles } from './hybrid-support';

export type PullAnswer = (res: ServerResponse, configHash: string) => void;

export interface FakeControlPlane {
  readonly port: number;
  /** config_hash of every pull received, in order. */
  readonly pulls: string[];
  answer: PullAnswer;
  close(): Promise<void>;
}

/** A full payload for `config`; `hash` overrides the announced hash. */
export function fullPayload(config: Snapshot, version: number, hash = hashSnapshot(config)): string {
  return JSON.stringify({ type: 'full', hash, version, config });
}

/** Serves `config` to a data plane lacking it; one holding it gets a 304 after a short hold. */
export function serving(config: Snapshot, version = 1): PullAnswer {
  const hash = hashSnapshot(config);
  const body = fullPayload(config, version, hash);
  return (res, held) => {
    if (held === hash) {
      setTimeout(() => { if (!res.destroyed) res.writeHead(304).end(); }, 300);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  };
}

export async function startFakeControlPlane(files: ClusterFiles, answer: PullAnswer): Promise<FakeControlPlane> {
  const pulls: string[] = [];
  const server: Server = createServer({ cert: files.pair.cert, key: files.pair.key, ca: files.pair.cert, requestCert: true, rejectUnauthorized: true });
  const fake = {
    port: 0,
    pulls,
    answer,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const held = new URL(req.url ?? '/', 'https://cp').searchParams.get('config_hash') ?? '';
    pulls.push(held);
    fake.answer(res, held);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.port = (server.address() as AddressInfo).port;
  return fake;
}
