export { NodeEndpointsModule } from './node-endpoints.module';
export { NODE_LOG_LEVEL, revertingLevel, type NodeLogLevel } from './node-log-level';
export { pendingTimers } from './timers';
