export { Runtime, type ApplyResult } from './runtime';
export { emptyConfig } from './empty-config';
