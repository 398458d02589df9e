// The data-plane registry is shared by the cluster listener (writes) and the Admin API controller (reads).
export const DATA_PLANE_REGISTRY = Symbol('DATA_PLANE_REGISTRY');
