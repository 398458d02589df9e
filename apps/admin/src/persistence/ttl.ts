// Kong's `ttl = true` DAOs (key-auth credentials, oauth2 tokens, sessions): a row lives `ttl` seconds. We store the
// ttl counted from created_at, so the row's expiry is created_at + ttl in every store and snapshot, and show
// the seconds left, as Kong's selects do.
import type { EntitySchema } from '@tollgate/schema';
import type { Entity } from './row-mapper';

const nowS = (nowMs: number) => nowMs / 1000;

/** A ttl given on update counts from now: stored as the age of the row plus the new ttl. */
export function ttlFromNow(schema: EntitySchema, value: Entity, given: unknown, nowMs = Date.now()): Entity {
  if (!schema.ttl || typeof given !== 'number' || given <= 0 || typeof value.created_at !== 'number') return value;
  return { ...value, ttl: Math.max(0, Math.floor(nowS(nowMs) - value.created_at)) + given };
}

/** The Admin API shape: `ttl` is the whole seconds left (Kong floors the remaining time). */
export function withRemainingTtl(schema: EntitySchema, entity: Entity, nowMs = Date.now()): Entity {
  if (!schema.ttl || typeof entity.ttl !== 'number' || entity.ttl <= 0 || typeof entity.created_at !== 'number') return entity;
  return { ...entity, ttl: Math.max(0, Math.ceil(entity.created_at + entity.ttl - nowS(nowMs)) - 1) };
}

/** SQL condition (portable) selecting expired rows of a ttl schema. */
export const EXPIRED_WHERE = 't.ttl IS NOT NULL AND t.ttl > 0 AND t.created_at + t.ttl <= :now';
