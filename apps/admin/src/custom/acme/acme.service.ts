// The acme plugin's home in the control plane: its `kong` (database) and `shm` (this node's memory) storage, the
// orders (run here, where the database is, one at a time per host), the daily renewal, and the Admin API's /acme.
// The supervisor forwards its data-plane workers' storage reads and order requests to this service.
import { createPrivateKey } from 'node:crypto';
import { Inject, Injectable, Logger, Optional, type OnModuleDestroy } from '@nestjs/common';
import type { Settings } from '@tollgate/config/types';
import { acme, type PluginLogger } from '@tollgate/plugins';
import type { SnapshotService } from '../../cluster/snapshot.service';
import { ADMIN_SETTINGS, SNAPSHOTS } from '../../bootstrap/tokens';
import { Dao, type Entity } from '../../persistence';

const nestLogger = (l: Logger): PluginLogger => ({
  debug: (msg) => l.debug(msg), info: (msg) => l.log(msg), warn: (msg) => l.warn(msg), error: (msg) => l.error(msg),
});

const RENEW_EVERY_MS = 86_400_000;
const TAGS = ['managed-by-acme'];

/** `storage = kong`: the acme_storage table (Kong's kong/plugins/acme/storage/kong.lua). */
class DaoStorage implements acme.AcmeStorage {
  constructor(private readonly dao: Dao) {}

  private async row(key: string): Promise<Entity | null> {
    const row = await this.dao.get('acme_storage', key);
    if (!row) return null;
    const ttl = row.ttl as number | null;
    return ttl && ttl > 0 && (row.created_at as number) + ttl <= Date.now() / 1000 ? null : row;
  }

  async get(key: string): Promise<string | null> {
    return ((await this.row(key))?.value as string | undefined) ?? null;
  }

  async set(key: string, value: string, ttl?: number): Promise<void> {
    await this.dao.upsert('acme_storage', key, { value, ...(ttl && ttl > 0 ? { ttl: Math.ceil(ttl) } : {}) });
  }

  async add(key: string, value: string, ttl?: number): Promise<boolean> {
    const existing = await this.dao.get('acme_storage', key);
    if (existing && (await this.row(key))) return false;
    if (existing) await this.dao.delete('acme_storage', key); // expired, not yet swept
    try {
      await this.dao.insert('acme_storage', { key, value, ...(ttl && ttl > 0 ? { ttl: Math.ceil(ttl) } : {}) });
      return true;
    } catch (err) {
      if ((err as { body?: { code?: number } }).body?.code === 5) return false; // a concurrent add won (unique key)
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.dao.delete('acme_storage', key);
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let offset: string | undefined;
    do {
      const page = await this.dao.list('acme_storage', { size: 1000, offset });
      for (const row of page.data) if (String(row.key).startsWith(prefix) && (await this.row(String(row.key)))) keys.push(String(row.key));
      offset = page.offset;
    } while (offset);
    return keys;
  }
}

@Injectable()
export class AcmeService implements acme.AcmeHost, OnModuleDestroy {
  private readonly log: PluginLogger = nestLogger(new Logger('acme'));
  private readonly timer: NodeJS.Timeout;
  /** Certificates go to the plugin's storage, not to certificates/snis (Kong: DB-less and hybrid mode). */
  private readonly certificatesInStorage: boolean;
  private readonly dbless: boolean;

  constructor(
    @Inject(SNAPSHOTS) private readonly snapshots: SnapshotService,
    @Inject(ADMIN_SETTINGS) settings: Settings,
    @Optional() @Inject(Dao) private readonly dao: Dao | null,
  ) {
    this.dbless = settings.database === 'off';
    this.certificatesInStorage = this.dbless || settings.role === 'control_plane';
    acme.setAcmeHost(this);
    this.timer = setInterval(() => void this.renewAll(), RENEW_EVERY_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    acme.setAcmeHost(null);
    void acme.closeAcmeRedisClients();
  }

  /** The global acme plugin of the configuration in force (Kong's find_plugin), or null. */
  plugin(): acme.AcmeConf | null {
    const row = (this.snapshots.current().config.plugins ?? []).find((p) => p.name === 'acme' && p.enabled !== false);
    return row ? (row.config as unknown as acme.AcmeConf) : null;
  }

  storage(conf: acme.AcmeConf): acme.AcmeStorage {
    switch (conf.storage) {
      case 'kong':
        if (!this.dao || this.dbless) throw new Error('"kong" storage can\'t be used with dbless mode');
        return new DaoStorage(this.dao);
      case 'shm':
        return acme.shmStorage(conf.storage_config?.shm?.shm_name ?? 'kong');
      case 'redis':
        return acme.redisStorage(conf.storage_config?.redis ?? {});
      default:
        throw new Error(`storage "${conf.storage}" is not supported by Tollgate`);
    }
  }

  /** Traditional mode: certificates and snis rows tagged managed-by-acme (Kong's save_dao); DB-less: the storage. */
  sink(conf: acme.AcmeConf): acme.CertificateSink {
    const dao = this.dao;
    if (this.certificatesInStorage || !dao) return acme.storageSink(this.storage(conf));
    return {
      async save(host, certkey) {
        const cert = await dao.insert('certificates', { cert: certkey.cert, key: certkey.key, tags: TAGS });
        const old = await dao.get('snis', host);
        try {
          await dao.upsert('snis', host, { certificate: { id: cert.id }, tags: TAGS });
        } catch (err) {
          await dao.delete('certificates', String(cert.id)).catch(() => {});
          throw new Error(`could not upsert sni: ${(err as Error).message}`);
        }
        const oldId = (old?.certificate as { id?: string } | null | undefined)?.id;
        if (oldId && oldId !== cert.id) await dao.delete('certificates', oldId).catch(() => {});
      },
      async load(host) {
        const sni = await dao.get('snis', host);
        const id = (sni?.certificate as { id?: string } | null | undefined)?.id;
        if (!id) return null;
        const cert = await dao.get('certificates', id);
        return cert ? { cert: String(cert.cert), key: String(cert.key) } : null;
      },
    };
  }

  /** Orders (or renews, with the previous key) a certificate for `host`; the error text when it failed. */
  async update(conf: acme.AcmeConf, host: string): Promise<string | undefined> {
    const result = await acme.updateCertificate(conf, host, null, this.storage(conf), this.sink(conf), this.log, this.resolveKey);
    if (result.error) return `failed to update certificate: ${result.error}`;
    try {
      await acme.storeRenewConfig(this.storage(conf), host);
    } catch (err) {
      return `failed to store renew config: ${(err as Error).message}`;
    }
    return undefined;
  }

  /** config.account_key: the private key of a `keys` entity of the configuration in force (Kong's get_account_key). */
  private readonly resolveKey: acme.AccountKeyResolver = async (ref) => {
    const config = this.snapshots.current().config;
    const set = ref.key_set ? (config.key_sets ?? []).find((s) => s.name === ref.key_set || s.id === ref.key_set) : null;
    if (ref.key_set && !set) throw new Error(`could not load keyset: ${ref.key_set} not found`);
    const row = (config.keys ?? []).find((k) => k.kid === ref.key_id && (set ? (k.set as { id?: string } | null)?.id === set.id : true));
    if (!row) throw new Error(`could not load keys: no key with kid ${ref.key_id}`);
    const pem = (row.pem as { private_key?: string } | null)?.private_key;
    if (typeof pem === 'string' && !pem.startsWith('{vault://')) return createPrivateKey(pem).export({ type: 'pkcs8', format: 'pem' }) as string;
    if (typeof row.jwk === 'string') {
      const jwk = JSON.parse(row.jwk) as Record<string, unknown>;
      if (typeof jwk.d === 'string') return createPrivateKey({ key: jwk as never, format: 'jwk' }).export({ type: 'pkcs8', format: 'pem' }) as string;
    }
    throw new Error(`key ${ref.key_id} has no private key`);
  };

  /** A worker's handshake named a host without a certificate (Kong's certificate-phase timer). */
  requestOrder(host: string): void {
    const conf = this.plugin();
    if (!conf) return;
    void this.update(conf, host).then(
      (err) => { if (err) this.log.error(`failed to update certificate for host: ${host} err:${err}`); },
      (err: Error) => this.log.error(`failed to update certificate for host: ${host} err:${err.message}`),
    );
  }

  async renewAll(): Promise<void> {
    const conf = this.plugin();
    if (!conf) return;
    try {
      await acme.renewCertificates(conf, this.storage(conf), this.sink(conf), this.log, this.resolveKey);
    } catch (err) {
      this.log.error(`renewal failed: ${(err as Error).message}`);
    }
  }

  async certificates(conf: acme.AcmeConf, invalidOnly: boolean): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    const sink = this.sink(conf);
    for (const host of await acme.loadRenewHosts(this.storage(conf))) {
      const certkey = await sink.load(host);
      if (!certkey) {
        this.log.warn(`[acme]${host} is defined in renew_config but its cert and key is missing`);
        continue;
      }
      const described = acme.describeCertificate(certkey);
      if (!invalidOnly || !described.valid) out.push(described);
    }
    return out;
  }

  async certificate(conf: acme.AcmeConf, host: string): Promise<Record<string, unknown> | null> {
    const certkey = await this.sink(conf).load(host);
    return certkey ? acme.describeCertificate(certkey) : null;
  }
}
