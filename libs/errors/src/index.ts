export * from './codes';
export * from './kong-error';
export * from './lua-pretty';
export * from './violation-message';
export * from './dao-errors';
export * from './plain-errors';
export * from './proxy-errors';
