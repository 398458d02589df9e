// proxy-cache's Admin API (Kong's kong/plugins/proxy-cache/api.lua): purge everything, look up or purge one key
// in the caches of every proxy-cache plugin, or in one plugin's. Every memory-strategy plugin of a node shares
// the node's cache (Kong: the `kong_db_cache` shared dict), which in traditional mode lives in this very process,
// the supervisor the data-plane workers ask over IPC (libs/plugins/src/node-cache). A control plane in hybrid
// mode holds no entries: lookups find nothing and purges have nothing to remove, as Kong's.
import { Inject, Injectable } from '@nestjs/common';
import { localNodeCache } from '@tollgate/plugins';
import { PLUGIN_CATALOG } from '../../bootstrap/tokens';
import { Dao } from '../../persistence';
import type { PluginCatalog } from '../plugin-catalog';

const NAME = 'proxy-cache';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What an endpoint answers: a status and, for 200, the cached object. */
export interface CacheAnswer {
  readonly status: 200 | 204 | 404;
  readonly body?: unknown;
}

@Injectable()
export class ProxyCacheService {
  constructor(
    @Inject(Dao) private readonly dao: Dao,
    @Inject(PLUGIN_CATALOG) private readonly catalog: PluginCatalog,
  ) {}

  /** Kong registers these endpoints only on nodes that load the plugin. */
  get enabled(): boolean {
    return this.catalog.plugins.has(NAME);
  }

  async purgeAll(): Promise<CacheAnswer> {
    if (await this.anyPlugin()) await localNodeCache().flush();
    return { status: 204 };
  }

  async lookup(key: string): Promise<CacheAnswer> {
    if (!(await this.anyPlugin())) return { status: 404 };
    return this.fetch(key);
  }

  async purge(key: string): Promise<CacheAnswer> {
    if (!(await this.anyPlugin())) return { status: 404 };
    return (await localNodeCache().delete(key)) ? { status: 204 } : { status: 404 };
  }

  async lookupIn(pluginId: string, key: string): Promise<CacheAnswer> {
    if (!(await this.plugin(pluginId))) return { status: 404 };
    return this.fetch(key);
  }

  async purgeIn(pluginId: string, key: string): Promise<CacheAnswer> {
    if (!(await this.plugin(pluginId))) return { status: 404 };
    return (await localNodeCache().delete(key)) ? { status: 204 } : { status: 404 };
  }

  private async fetch(key: string): Promise<CacheAnswer> {
    const text = await localNodeCache().get(key);
    return text === null ? { status: 404 } : { status: 200, body: JSON.parse(text) };
  }

  private async anyPlugin(): Promise<boolean> {
    return (await this.dao.list('plugins', { filters: { name: NAME }, size: 1 })).data.length > 0;
  }

  private async plugin(id: string): Promise<boolean> {
    if (!UUID.test(id)) return false;
    const row = await this.dao.get('plugins', id);
    return row !== null && row.name === NAME;
  }
}
