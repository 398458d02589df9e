// The data-plane registry is shared by the cluster listener (writes) and the Admin API controller (reads).
export const DATA_PLANE_REGISTRY = Symbol('DATA_PLANE_REGISTRY');
/** The database half of the registry (cluster/registry/data-plane-store.ts); null without a database. */
export const DATA_PLANE_STORE = Symbol('DATA_PLANE_STORE');
