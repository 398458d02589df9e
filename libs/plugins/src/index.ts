// @tollgate/plugins: the plugin framework (registry, compile-time chains, phase runner), the bundled plugins,
// and the API custom plugins are written against (README.md).
import { loadPlugins } from './registry';

export * from './types';
export { loadPlugins, loadPluginModule, PluginLoadError, type LoadedPlugin, type PluginRegistry, type LoadPluginsOptions } from './registry';
export { compilePluginChains, type Chain, type ChainEntry, type PluginChains, type CompileChainsOptions } from './chains';
export { buildEntityDirectory, ownerOf, type EntityDirectory } from './entity-directory';
export { validatePluginConfig, runConfigChecks, withConfigChecks, atLeastOneOf, onlyOneOf, requiredWhen, type ConfigCheck, type ConfigIssue } from './validate-config';
export { PluginRun } from './pipeline/plugin-run';
export { runAccessPhases, runHeaderFilter, runBodyFilter, scheduleLog } from './pipeline/run-phases';
export type { HostRequest, PluginExit } from './pipeline/host';
export { applyRequestHeaderChanges, runHeaderFilterOnList, needsHeaderFilter } from './host/flat-headers';
export { setConsumer, authenticateAnonymous } from './auth/consumer-headers';
export { silentLogger, pluginLogger } from './logger';
export { BUNDLED_PLUGINS } from './bundled';
export { metricsHandler, metricsRegistry, setConnectionStatsProvider, setDatastoreReachableProvider, setNodeInfo, type ConnectionStats } from './bundled/prometheus/metrics';
export { closeRedisClients } from './bundled/rate-limiting/policies';
export { closeFileLogStreams } from './bundled/file-log/handler';
export { serializeLog } from './log/serializer';

/** Config schemas of the bundled plugins: the `pluginSchemas` option of libs/schema's validator. */
export const PLUGIN_SCHEMAS = loadPlugins(['bundled']).schemas;
export { formatKongExposition } from './bundled/prometheus/exposition';
