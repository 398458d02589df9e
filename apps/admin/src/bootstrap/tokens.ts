// Injection tokens shared by the shell's modules (custom endpoints, OpenAPI, cluster).
export const ADMIN_SETTINGS = Symbol('ADMIN_SETTINGS');
export const ROUTE_CATALOG = Symbol('ROUTE_CATALOG');
export const CONNECTION_STATS = Symbol('CONNECTION_STATS');
export const SNAPSHOTS = Symbol('SNAPSHOTS');
export const NODE_IDENTITY = Symbol('NODE_IDENTITY');
export const PLUGIN_CATALOG = Symbol('PLUGIN_CATALOG');
export const DATABASE_PROBE = Symbol('DATABASE_PROBE');
/** Optional `() => string`: the 32-character hash `/status` reports when `database = off` (DB-less provides it). */
export const CONFIGURATION_HASH = Symbol('CONFIGURATION_HASH');
