// The acme plugin's way to the process that hosts the control plane. Orders run there (it has the database to
// save certificates in, and one place serialises them); `kong` and `shm` storage live there. A data-plane worker
// reaches it over IPC: it reads challenges and stored certificates, and asks for an order when a handshake names
// a host it has no certificate for. A process without a host (a hybrid data plane) has none of this.
import type { PluginLogger } from '../../types';
import { silentLogger } from '../../logger';
import { storageSink, storeRenewConfig, updateCertificate } from './certificates';
import type { AcmeConf } from './conf';
import { redisStorage, type AcmeStorage } from './storage';
import { ipcCaller } from '../../ipc-call';

export interface AcmeHost {
  storage(conf: AcmeConf): AcmeStorage;
  /** Orders a certificate for `host` in the background (Kong's certificate-phase timer); `conf`: the caller's. */
  requestOrder(host: string, conf?: AcmeConf): void;
}

/**
 * A process without a control plane (a hybrid data plane): only `redis` storage is reachable, and orders run here,
 * keeping the certificate in the storage for the certificate phase to serve (Kong's hybrid mode).
 */
export class LocalAcmeHost implements AcmeHost {
  private readonly running = new Set<string>();

  constructor(private readonly log: PluginLogger = silentLogger) {}

  storage(conf: AcmeConf): AcmeStorage {
    if (conf.storage === 'redis') return redisStorage(conf.storage_config?.redis ?? {});
    const fail = () => Promise.reject(new Error(`acme: "${conf.storage}" storage is not reachable from a data plane; use redis`));
    return { get: fail, set: fail, add: fail, delete: fail, list: fail };
  }

  requestOrder(host: string, conf?: AcmeConf): void {
    if (!conf || this.running.has(host)) return;
    if (conf.storage !== 'redis') {
      this.log.error(`creating new certificate through proxy side with "${conf.storage}" storage in Hybrid mode is not supported; consider create certificate using Admin API or use redis storage`);
      return;
    }
    this.running.add(host);
    const st = this.storage(conf);
    void updateCertificate(conf, host, null, st, storageSink(st), this.log)
      .then(async (result) => {
        if (result.error) this.log.error(`failed to update certificate for host: ${host} err:${result.error}`);
        else if (result.attempted) await storeRenewConfig(st, host);
      })
      .catch((err: Error) => this.log.error(`failed to update certificate for host: ${host} err:${err.message}`))
      .finally(() => this.running.delete(host));
  }
}

let current: AcmeHost = new LocalAcmeHost();

export function setAcmeHost(host: AcmeHost | null): void {
  current = host ?? new LocalAcmeHost();
}

export function acmeHost(): AcmeHost {
  return current;
}

// ----- the IPC protocol between a data-plane worker and its supervisor -----

type StorageCall = 'get' | 'set' | 'add' | 'delete' | 'list';

export type AcmeRequest =
  | { readonly type: 'acme'; readonly id: number; readonly op: 'storage'; readonly conf: AcmeConf; readonly call: StorageCall; readonly args: readonly unknown[] }
  | { readonly type: 'acme'; readonly id: number; readonly op: 'order'; readonly host: string };

export type AcmeReply =
  | { readonly type: 'acme-result'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly type: 'acme-result'; readonly id: number; readonly ok: false; readonly error: string };

export function isAcmeRequest(msg: unknown): msg is AcmeRequest {
  const m = msg as AcmeRequest | null;
  return !!m && m.type === 'acme' && typeof m.id === 'number' && (m.op === 'storage' || m.op === 'order');
}

/** The supervisor's side: runs one worker request on the local host. */
export async function serveAcmeRequest(host: AcmeHost, req: AcmeRequest): Promise<AcmeReply> {
  try {
    if (req.op === 'order') {
      host.requestOrder(String(req.host));
      return { type: 'acme-result', id: req.id, ok: true, value: null };
    }
    const storage = host.storage(req.conf);
    const fn = storage[req.call] as ((...a: unknown[]) => Promise<unknown>) | undefined;
    if (typeof fn !== 'function') throw new Error(`unknown acme storage call '${String(req.call)}'`);
    const value = await fn.apply(storage, [...req.args]);
    return { type: 'acme-result', id: req.id, ok: true, value: value ?? null };
  } catch (err) {
    return { type: 'acme-result', id: req.id, ok: false, error: (err as Error).message };
  }
}

/** A worker's host: each call is one request to the supervisor, answered by id. */
export function ipcAcmeHost(send: (msg: AcmeRequest) => void, onReply: (listener: (msg: unknown) => void) => void, timeoutMs = 10_000): AcmeHost {
  const ipc = ipcCaller(send, onReply, 'acme-result', timeoutMs);
  const call = async (conf: AcmeConf, name: StorageCall, args: unknown[]): Promise<unknown> => {
    const reply = (await ipc.call<AcmeReply>(
      (id) => ({ type: 'acme', id, op: 'storage', conf, call: name, args }),
      `acme storage: no answer to ${name} within ${timeoutMs} ms`,
    ))!;
    if (!reply.ok) throw new Error(reply.error);
    return reply.value;
  };
  return {
    storage(conf) {
      if (conf.storage === 'redis') return redisStorage(conf.storage_config?.redis ?? {});
      return {
        get: (key) => call(conf, 'get', [key]) as Promise<string | null>,
        set: async (key, value, ttl) => { await call(conf, 'set', [key, value, ttl]); },
        add: (key, value, ttl) => call(conf, 'add', [key, value, ttl]) as Promise<boolean>,
        delete: async (key) => { await call(conf, 'delete', [key]); },
        list: (prefix) => call(conf, 'list', [prefix]) as Promise<string[]>,
      };
    },
    requestOrder(host) {
      send({ type: 'acme', id: ipc.nextId(), op: 'order', host });
    },
  };
}
