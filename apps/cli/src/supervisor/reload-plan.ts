// What a reload (SIGHUP, `tollgate reload`) does with each changed key. Data-plane keys (listeners,
// worker_processes, timeouts, plugins' node-level settings...) take effect by rolling the workers; the status,
// Admin API and cluster listeners are reopened (their other keys are not: the Admin API's middleware and the
// cluster's TLS context hold them); what the control plane, the database or the prefix use is fixed for the life of the
// process (new_dns_client too: the Admin API answers GET /status/dns by it), so those keys are reported as
// waiting for a restart rather than silently ignored.
import type { Settings } from '@tollgate/config';

export interface ReloadReport {
  /** Every key whose value differs. */
  readonly changed: readonly string[];
  readonly rollWorkers: boolean;
  readonly reopenStatus: boolean;
  /** admin_listen changed: the control plane opens the new entries and closes the removed ones. */
  readonly reopenAdmin: boolean;
  /** cluster_listen changed: a control plane opens the new entries and closes the removed ones. */
  readonly reopenCluster: boolean;
  /** Changed keys that take effect only on `tollgate restart`. */
  readonly needRestart: readonly string[];
}

const ADMIN = /^admin_listen(ers)?$/;
const CLUSTER = /^cluster_listen(ers)?$/;
const RESTART_ONLY = /^(role|prefix|database|sqlite_file|node_id|declarative_config|plugins|new_dns_client|pg_.*|cluster_(?!listen$|listeners$).*|admin_(?!listen$|listeners$).*)$/;
const STATUS = /^status_listen(ers)?$/;

export function planReload(current: Settings, next: Settings, hasWorkers = true): ReloadReport {
  const keys = new Set([...Object.keys(current), ...Object.keys(next)]);
  keys.delete('sources'); // where each value came from (file, environment, default), not a setting
  const changed: string[] = [];
  for (const key of keys) {
    if (JSON.stringify((current as unknown as Record<string, unknown>)[key]) !== JSON.stringify((next as unknown as Record<string, unknown>)[key])) changed.push(key);
  }
  changed.sort();
  const needRestart = changed.filter((k) => RESTART_ONLY.test(k));
  const workerKeys = changed.filter((k) => !RESTART_ONLY.test(k) && !STATUS.test(k) && !ADMIN.test(k) && !CLUSTER.test(k));
  // A node started without data-plane listeners has no workers to roll: opening the first ones is a restart.
  const rollWorkers = workerKeys.length > 0 && hasWorkers;
  if (workerKeys.length > 0 && !hasWorkers) needRestart.push(...workerKeys);
  return { changed, rollWorkers, reopenStatus: changed.some((k) => STATUS.test(k)), reopenAdmin: changed.some((k) => ADMIN.test(k)), reopenCluster: changed.some((k) => CLUSTER.test(k)), needRestart };
}
