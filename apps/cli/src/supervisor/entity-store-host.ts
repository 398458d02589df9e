// The supervisor's side of the data plane's entity store (libs/plugins/src/store.ts): a worker's request runs on
// the control plane's Dao, so tokens and sessions are validated and stored like any Admin API write. Only the
// runtime-data schemas are reachable, and only by these four operations.
import type { StoreReply, StoreRequest } from '@tollgate/plugins';
import type { Entity } from '../../../admin/src/persistence';

/** What the host needs of the Dao. */
export interface StoreDao {
  schemaOf(entity: string): { readonly endpointKey?: string; readonly ttl?: boolean; readonly runtimeData?: boolean };
  get(entity: string, idOrKey: string): Promise<Entity | null>;
  list(entity: string, options: { filters?: Record<string, unknown>; size?: number }): Promise<{ data: Entity[] }>;
  insert(entity: string, input: Entity): Promise<Entity>;
  upsert(entity: string, idOrKey: string, input: Entity): Promise<Entity>;
  delete(entity: string, idOrKey: string): Promise<void>;
}

const live = (row: Entity | null | undefined, nowS: number): Entity | null => {
  if (!row) return null;
  const ttl = row.ttl as number | null;
  return ttl && ttl > 0 && (row.created_at as number) + ttl <= nowS ? null : row;
};

export type StoreHost = (req: StoreRequest) => Promise<StoreReply>;

export function entityStoreHost(dao: StoreDao): StoreHost {
  return async (req) => {
    try {
      const schema = dao.schemaOf(req.entity);
      if (!schema.runtimeData) throw new Error(`entity '${req.entity}' is not writable by the data plane`);
      switch (req.op) {
        case 'select': {
          const field = String(req.field);
          const value = String(req.value);
          const row = field === schema.endpointKey
            ? await dao.get(req.entity, value)
            : (await dao.list(req.entity, { filters: { [field]: value }, size: 1 })).data[0];
          return { type: 'store-result', id: req.id, ok: true, row: live(row, Date.now() / 1000) as never };
        }
        case 'insert':
          return { type: 'store-result', id: req.id, ok: true, row: (await dao.insert(req.entity, req.row ?? {})) as never };
        case 'upsert':
          return { type: 'store-result', id: req.id, ok: true, row: (await dao.upsert(req.entity, String(req.value), req.row ?? {})) as never };
        case 'delete':
          await dao.delete(req.entity, String(req.value));
          return { type: 'store-result', id: req.id, ok: true, row: null };
        default:
          throw new Error(`unknown store operation '${String(req.op)}'`);
      }
    } catch (err) {
      const e = err as { message?: string; body?: unknown };
      return { type: 'store-result', id: req.id, ok: false, error: e.body ? JSON.stringify(e.body) : String(e.message ?? err) };
    }
  };
}
