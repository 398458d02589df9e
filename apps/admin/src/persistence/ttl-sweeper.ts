// Kong's ttl cleanup: expired rows of ttl schemas (key-auth keys, oauth2 tokens and codes, sessions) are deleted
// once a minute, so tokens and sessions the proxy writes do not pile up between Admin API reads.
import type { Dao } from './dao';

export const TTL_SWEEP_INTERVAL_MS = 60_000;

export function startTtlSweeper(dao: Dao, intervalMs = TTL_SWEEP_INTERVAL_MS, onError: (err: unknown) => void = () => {}): () => void {
  const ttlSchemas = [...dao.source.entities.values()].filter((schema) => schema.ttl).map((schema) => schema.name);
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void (async () => {
      for (const name of ttlSchemas) await dao.purgeExpired(name).catch(onError);
    })().finally(() => { running = false; });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
