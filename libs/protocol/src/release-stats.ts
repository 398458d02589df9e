// Requests served and 5xx answers per configuration hash: counted by data-plane workers, summed by their
// supervisor, reported to the control plane on pulls (staged rollouts abort on them).

/** hash -> [requests, 5xx answers] */
export type ReleaseCounts = Record<string, [number, number]>;

/** Hashes reported at most (newest kept): a data plane serves one release at a time, a few in a rollout. */
export const MAX_REPORTED_HASHES = 8;
