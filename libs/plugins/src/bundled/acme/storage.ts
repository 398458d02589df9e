// Where the acme plugin keeps its account key, HTTP-01 challenges, renewal list, locks and back-offs: Kong's
// storage adapters (lua-resty-acme's get/set/add/delete/list), one implementation per `config.storage`.
// `kong` (the acme_storage table) and `shm` (memory of the node) live in the process that hosts the control
// plane; data-plane workers reach them through the acme link (link.ts). `redis` is reached directly.
import type Redis from 'ioredis';
import { Redis as redisClass } from '../../lazy-deps';

export interface AcmeStorage {
  get(key: string): Promise<string | null>;
  /** ttl in seconds; absent or 0: no expiry. */
  set(key: string, value: string, ttl?: number): Promise<void>;
  /** Stores only when the key is absent (a lock); false when it exists. */
  add(key: string, value: string, ttl?: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Keys starting with `prefix`. */
  list(prefix: string): Promise<string[]>;
}

/** Kong's key names (reserved_words.lua and client.lua). */
export const KEYS = {
  renewPrefix: 'kong_acme:renew_config:',
  renewLastRun: 'kong_acme:renew_last_run',
  certkeyPrefix: 'kong_acme:cert_key:',
  account: (apiUri: string, email: string) => `kong_acme:account:${apiUri}:${Buffer.from(email).toString('base64')}`,
  backoff: (host: string) => `kong_acme:fail_backoff:${host}`,
  lock: (host: string) => `kong_acme:update_lock:${host}`,
  /** lua-resty-acme's http-01 key: the key authorization served for a token. */
  challenge: (token: string) => `kong_acme:http-01:${token}`,
};

/** `shm`: a node's memory, gone when the node stops (Kong's lua_shared_dict). One table per shm_name. */
export class MemoryStorage implements AcmeStorage {
  private readonly rows = new Map<string, { value: string; expires: number }>();

  private live(key: string): string | null {
    const row = this.rows.get(key);
    if (!row) return null;
    if (row.expires > 0 && row.expires <= Date.now()) {
      this.rows.delete(key);
      return null;
    }
    return row.value;
  }

  async get(key: string): Promise<string | null> {
    return this.live(key);
  }

  async set(key: string, value: string, ttl?: number): Promise<void> {
    this.rows.set(key, { value, expires: ttl && ttl > 0 ? Date.now() + ttl * 1000 : 0 });
  }

  async add(key: string, value: string, ttl?: number): Promise<boolean> {
    if (this.live(key) !== null) return false;
    await this.set(key, value, ttl);
    return true;
  }

  async delete(key: string): Promise<void> {
    this.rows.delete(key);
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.rows.keys()].filter((k) => k.startsWith(prefix) && this.live(k) !== null);
  }
}

const shmTables = new Map<string, MemoryStorage>();

export function shmStorage(name: string): MemoryStorage {
  let table = shmTables.get(name);
  if (!table) shmTables.set(name, (table = new MemoryStorage()));
  return table;
}

export interface RedisStorageConfig {
  readonly host?: string | null;
  readonly port?: number | null;
  readonly timeout?: number | null;
  readonly username?: string | null;
  readonly password?: string | null;
  readonly database?: number | null;
  readonly ssl?: boolean;
  readonly ssl_verify?: boolean;
  readonly server_name?: string | null;
  readonly extra_options?: { readonly namespace?: string | null; readonly scan_count?: number | null } | null;
}

/** `redis`: lua-resty-acme's redis adapter: plain keys (after the namespace), SET NX for add, SCAN for list. */
export class RedisStorage implements AcmeStorage {
  private readonly ns: string;
  private readonly scanCount: number;

  constructor(private readonly redis: Redis, config: RedisStorageConfig) {
    this.ns = config.extra_options?.namespace ?? '';
    this.scanCount = config.extra_options?.scan_count ?? 10;
  }

  async get(key: string): Promise<string | null> {
    return this.redis.get(this.ns + key);
  }

  async set(key: string, value: string, ttl?: number): Promise<void> {
    if (ttl && ttl > 0) await this.redis.set(this.ns + key, value, 'EX', Math.ceil(ttl));
    else await this.redis.set(this.ns + key, value);
  }

  async add(key: string, value: string, ttl?: number): Promise<boolean> {
    const answer = ttl && ttl > 0
      ? await this.redis.set(this.ns + key, value, 'EX', Math.ceil(ttl), 'NX')
      : await this.redis.set(this.ns + key, value, 'NX');
    return answer === 'OK';
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(this.ns + key);
  }

  async list(prefix: string): Promise<string[]> {
    const out: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.ns}${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', this.scanCount);
      cursor = next;
      for (const k of keys) out.push(k.slice(this.ns.length));
    } while (cursor !== '0');
    return out;
  }
}

const redisClients = new Map<string, Redis>();

export function redisStorage(config: RedisStorageConfig): RedisStorage {
  const id = JSON.stringify([config.host, config.port, config.username, config.password, config.database, config.ssl, config.ssl_verify, config.server_name]);
  let client = redisClients.get(id);
  if (!client) {
    client = new (redisClass())({
      host: config.host ?? '127.0.0.1', port: config.port ?? 6379, db: config.database ?? 0,
      username: config.username ?? undefined, password: config.password ?? undefined,
      connectTimeout: config.timeout ?? 2000, commandTimeout: config.timeout ?? 2000, maxRetriesPerRequest: 1, lazyConnect: false,
      tls: config.ssl ? { rejectUnauthorized: config.ssl_verify === true, servername: config.server_name ?? undefined } : undefined,
    });
    client.on('error', () => {}); // a command's own rejection reports the failure
    redisClients.set(id, client);
  }
  return new RedisStorage(client, config);
}

export async function closeAcmeRedisClients(): Promise<void> {
  const all = [...redisClients.values()];
  redisClients.clear();
  await Promise.allSettled(all.map((c) => c.quit()));
}
