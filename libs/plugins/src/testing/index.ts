// Test support for plugin tests: an echo upstream and snapshot rows to serve from a real node or data plane.
export { startEchoUpstream, type EchoUpstream } from './echo-upstream';
export { SnapshotBuilder } from './snapshot-builder';
