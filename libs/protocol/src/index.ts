// The contract between the control plane (apps/admin), data planes (apps/proxy) and the supervisor and its
// workers (apps/cli): written once here, imported by all of them.
export * from './cluster-pull';
export * from './health';
export * from './release-stats';
export * from './snapshot-delivery';
export * from './worker-ipc';
