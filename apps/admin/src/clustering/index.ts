export { startClusterServer, type ClusterServerHandle, type ClusterServerOptions, type ClusterListener, type ClusterServerSettings } from './cluster-server';
export { DataPlaneRegistry, type DataPlaneRecord, type DataPlaneView } from './data-plane-registry';
export { checkVersion, checkPlugins, configuredPlugins, type CompatVerdict } from './compat';
export { PayloadCache, HISTORY_SIZE } from './payload-cache';
export { ClusteringModule } from './clustering.module';
export { DATA_PLANE_REGISTRY } from './tokens';
export { startPgNotify, channelName, type PgNotifyHandle } from './pg-notify';
