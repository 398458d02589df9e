// Test support for plugin authors: a minimal gateway over the real pipeline, an echo upstream, snapshot rows.
export { startHarness, type Harness, type HarnessOptions } from './harness';
export { startEchoUpstream, type EchoUpstream } from './echo-upstream';
export { SnapshotBuilder } from './snapshot-builder';
