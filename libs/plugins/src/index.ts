// @tollgate/plugins: the plugin framework (registry, compile-time chains, phase runner), the bundled plugins,
// and the API custom plugins are written against (README.md).
import { loadPlugins } from './registry';

export * from './types';
export { loadPlugins, loadPluginModule, PluginLoadError, type LoadedPlugin, type PluginRegistry, type LoadPluginsOptions } from './registry';
export { compilePluginChains, type Chain, type ChainEntry, type PluginChains, type CompileChainsOptions } from './chains';
export { buildEntityDirectory, ownerOf, type EntityDirectory } from './entity-directory';
export { validatePluginConfig, runConfigChecks, withConfigChecks, atLeastOneOf, onlyOneOf, requiredWhen, configAtLeastOneOf, configChecksJson, type ConfigCheck, type ConfigIssue } from './validate-config';
export { PluginRun } from './pipeline/plugin-run';
export { runAccessPhases, runHeaderFilter, runBodyFilter, scheduleLog, runCertificatePhase } from './pipeline/run-phases';
export type { HostRequest, PluginExit } from './pipeline/host';
export { RequestBodyTooLarge } from './pipeline/host';
export { applyRequestHeaderChanges, runHeaderFilterOnList, needsHeaderFilter } from './host/flat-headers';
export { setConsumer, authenticateAnonymous } from './auth/consumer-headers';
export { silentLogger, pluginLogger } from './logger';
export { BUNDLED_PLUGINS } from './bundled';
export { metricsHandler, metricsRegistry, setConnectionStatsProvider, setDatastoreReachableProvider, setNodeInfo, setUpstreamHealthProvider, type ConnectionStats, type TargetAddressHealth } from './bundled/prometheus/metrics';
export { closeRedisClients } from './bundled/rate-limiting/policies';
export { sharedCountersFile, useSharedCountersFile, resetSharedCountersFile } from './shared-counters';
export { closeFileLogStreams } from './bundled/file-log/handler';
export { serializeLog } from './log/serializer';

/** Config schemas of the bundled plugins: the `pluginSchemas` option of libs/schema's validator. */
export const PLUGIN_SCHEMAS = loadPlugins(['bundled']).schemas;
export { formatKongExposition } from './bundled/prometheus/exposition';
export { configureLua, luaSettings, type LuaSettingsSource, type UntrustedLua } from './lua/settings';
export { configureLocalSyslog } from './bundled/syslog/local-syslog';
export { setEntityStore, entityStore, ipcEntityStore, isStoreRequest, StoreUnavailableError, RUNTIME_ENTITIES, type EntityStore, type RuntimeEntity, type StoreRequest, type StoreReply } from './store';
export { nodeCache, localNodeCache, sizeNodeCache, useNodeCacheOverIpc, isNodeCacheRequest, answerNodeCache, DEFAULT_NODE_CACHE_BYTES, type NodeCache, type NodeCacheRequest, type NodeCacheReply } from './node-cache';
export { RequestTrace } from './tracing/trace';
export { setTracingSettings, setTracingLogLevel, recordsTraces, capturesLogs } from './tracing/settings';
export * as acme from './bundled/acme';
