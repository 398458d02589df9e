// The data plane's narrow write path to the database, for rows the proxy itself creates at request time (Kong's
// oauth2 writes tokens and codes, the session plugin its sessions, from the proxy). Only schemas marked
// `runtimeData` may be used, and only through these four calls. In traditional mode the data-plane worker's
// store is an IPC client of its supervisor, which runs them on the control plane's Dao; elsewhere (DB-less,
// hybrid data planes, as in Kong) there is no store and the calls fail.
import type { Row } from '@tollgate/declarative/snapshot';
import { ipcCaller } from './ipc-call';

export type RuntimeEntity = 'oauth2_tokens' | 'oauth2_authorization_codes' | 'sessions' | 'session_metadatas';
export const RUNTIME_ENTITIES: ReadonlySet<string> = new Set<RuntimeEntity>(['oauth2_tokens', 'oauth2_authorization_codes', 'sessions', 'session_metadatas']);

export interface EntityStore {
  /** The live (not expired) row whose unique `field` equals `value`, or null. */
  select(entity: RuntimeEntity, field: string, value: string): Promise<Row | null>;
  /** Validated with the entity's schema; returns the stored row. */
  insert(entity: RuntimeEntity, row: Record<string, unknown>): Promise<Row>;
  /** Insert or replace by the entity's endpoint key. */
  upsert(entity: RuntimeEntity, key: string, row: Record<string, unknown>): Promise<Row>;
  delete(entity: RuntimeEntity, id: string): Promise<void>;
}

export class StoreUnavailableError extends Error {
  constructor() {
    super('no database to store oauth2 tokens or sessions on this node (DB-less or hybrid data plane)');
  }
}

const unavailable = () => Promise.reject(new StoreUnavailableError());
const NONE: EntityStore = { select: unavailable, insert: unavailable, upsert: unavailable, delete: unavailable };

let current: EntityStore = NONE;

/** Set once by the process that hosts the data plane. */
export function setEntityStore(store: EntityStore | null): void {
  current = store ?? NONE;
}

export function entityStore(): EntityStore {
  return current;
}

// ----- the IPC protocol between a data-plane worker and its supervisor -----

export type StoreOp = 'select' | 'insert' | 'upsert' | 'delete';

export interface StoreRequest {
  readonly type: 'store';
  readonly id: number;
  readonly op: StoreOp;
  readonly entity: RuntimeEntity;
  readonly field?: string;
  readonly value?: string;
  readonly row?: Record<string, unknown>;
}

export type StoreReply =
  | { readonly type: 'store-result'; readonly id: number; readonly ok: true; readonly row: Row | null }
  | { readonly type: 'store-result'; readonly id: number; readonly ok: false; readonly error: string };

export function isStoreRequest(msg: unknown): msg is StoreRequest {
  const m = msg as StoreRequest | null;
  return !!m && m.type === 'store' && typeof m.id === 'number' && RUNTIME_ENTITIES.has(m.entity);
}

/** A worker's store: each call is one request to the supervisor, answered in order of arrival by id. */
export function ipcEntityStore(send: (msg: StoreRequest) => void, onReply: (listener: (msg: unknown) => void) => void, timeoutMs = 5000): EntityStore {
  const ipc = ipcCaller(send, onReply, 'store-result', timeoutMs);
  const call = async (op: StoreOp, entity: RuntimeEntity, extra: Partial<StoreRequest>): Promise<Row | null> => {
    const reply = (await ipc.call<StoreReply>(
      (id) => ({ type: 'store', id, op, entity, ...extra }),
      `entity store: no answer to ${op} ${entity} within ${timeoutMs} ms`,
    ))!;
    if (!reply.ok) throw new Error(reply.error);
    return reply.row;
  };
  return {
    select: (entity, field, value) => call('select', entity, { field, value }),
    insert: async (entity, row) => (await call('insert', entity, { row }))!,
    upsert: async (entity, key, row) => (await call('upsert', entity, { value: key, row }))!,
    delete: async (entity, id) => { await call('delete', entity, { value: id }); },
  };
}
