// The node-wide response cache of proxy-cache's `memory` strategy. Kong keeps it in an nginx shared dict that
// every worker of a node sees; a Tollgate node's workers are separate processes, so the cache lives in the one
// process they share, the supervisor, and a worker reaches it over the node:cluster IPC channel the supervisor
// already uses for configuration and the entity store (./store.ts). The Admin API runs in the supervisor too
// (traditional mode): its /proxy-cache endpoints use the same object directly. A process without a supervisor
// (a test data plane, the bench) keeps a cache of its own with the same code.
import { LruTextCache } from './lru';
import { ipcCaller } from '../ipc-call';

export { LruTextCache } from './lru';

/** Kong's default mem_cache_size, which sizes the `kong_db_cache` shared dict. */
export const DEFAULT_NODE_CACHE_BYTES = 128 * 1024 * 1024;

export interface NodeCache {
  /** The stored JSON text, or null (absent or expired). */
  get(key: string): Promise<string | null>;
  /** Stores for `ttlS` seconds; never waits (a store that fails only costs a later miss). */
  set(key: string, value: string, ttlS: number): void;
  /** true when the key was there. */
  delete(key: string): Promise<boolean>;
  flush(): Promise<void>;
}

/** The cache in this process's memory (the supervisor's, or a lone data plane's). */
export class LocalNodeCache implements NodeCache {
  lru: LruTextCache;
  constructor(bytes: number) { this.lru = new LruTextCache(bytes); }
  get(key: string): Promise<string | null> { return Promise.resolve(this.lru.get(key)); }
  set(key: string, value: string, ttlS: number): void { this.lru.set(key, value, ttlS); }
  delete(key: string): Promise<boolean> { return Promise.resolve(this.lru.delete(key)); }
  flush(): Promise<void> { this.lru.clear(); return Promise.resolve(); }
}

const local = new LocalNodeCache(DEFAULT_NODE_CACHE_BYTES);
let current: NodeCache = local;

/** This process's view of the node's cache. */
export function nodeCache(): NodeCache {
  return current;
}

/** The supervisor (or a lone data plane) sizes its own cache from `mem_cache_size`; a new size starts empty. */
export function sizeNodeCache(bytes: number): void {
  if (bytes !== local.lru.capacity) local.lru = new LruTextCache(bytes);
}

/** The local cache itself, for the process that hosts it (answering workers, the Admin API). */
export function localNodeCache(): LocalNodeCache {
  return local;
}

// ----- the IPC protocol between a data-plane worker and its supervisor -----

export type NodeCacheOp = 'get' | 'set' | 'delete' | 'flush';

export interface NodeCacheRequest {
  readonly type: 'node-cache';
  readonly id: number;
  readonly op: NodeCacheOp;
  readonly key?: string;
  readonly value?: string;
  readonly ttl?: number;
}

export interface NodeCacheReply {
  readonly type: 'node-cache-result';
  readonly id: number;
  /** get: the value; delete: 'deleted' or null. */
  readonly value: string | null;
}

export function isNodeCacheRequest(msg: unknown): msg is NodeCacheRequest {
  const m = msg as NodeCacheRequest | null;
  return !!m && m.type === 'node-cache' && typeof m.id === 'number' && typeof m.op === 'string';
}

/** The supervisor's answer to a worker (null: nothing to answer, `set` is one-way). Synchronous: no await. */
export function answerNodeCache(req: NodeCacheRequest): NodeCacheReply | null {
  const lru = local.lru;
  const key = typeof req.key === 'string' ? req.key : '';
  switch (req.op) {
    case 'get':
      return { type: 'node-cache-result', id: req.id, value: lru.get(key) };
    case 'set':
      if (typeof req.value === 'string') lru.set(key, req.value, typeof req.ttl === 'number' ? req.ttl : 0);
      return null;
    case 'delete':
      return { type: 'node-cache-result', id: req.id, value: lru.delete(key) ? 'deleted' : null };
    case 'flush':
      lru.clear();
      return { type: 'node-cache-result', id: req.id, value: null };
    default:
      return { type: 'node-cache-result', id: req.id, value: null };
  }
}

/**
 * A worker's view: each call is one message to the supervisor, answered by id. A supervisor that does not answer
 * in time counts as a miss (the request is proxied), never as an error the client sees.
 */
export function useNodeCacheOverIpc(send: (msg: NodeCacheRequest) => void, onReply: (listener: (msg: unknown) => void) => void, timeoutMs = 2000): void {
  const ipc = ipcCaller(send, onReply, 'node-cache-result', timeoutMs);
  const call = async (op: NodeCacheOp, key?: string): Promise<string | null> =>
    (await ipc.call<NodeCacheReply>((id) => ({ type: 'node-cache', id, op, key }), null))?.value ?? null;
  current = {
    get: (key) => call('get', key),
    set: (key, value, ttl) => send({ type: 'node-cache', id: 0, op: 'set', key, value, ttl }),
    delete: async (key) => (await call('delete', key)) === 'deleted',
    flush: async () => { await call('flush'); },
  };
}
