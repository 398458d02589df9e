export { RemoteConfigProvider, cachePath, type RemoteProviderOptions, type RemoteProviderSettings, type RemoteProviderStats, type RemoteLogger } from './remote-provider';
export { ClusterClient, type ClusterClientSettings, type PullResponse } from './cluster-client';
export { resolveDataPlaneId } from './node-id';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
