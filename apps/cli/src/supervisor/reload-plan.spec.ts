import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings } from '@tollgate/config';
import { planReload } from './reload-plan';

const prefix = mkdtempSync(join(tmpdir(), 'tollgate-reload-plan-'));
const settings = (env: Record<string, string> = {}) => loadSettings({ prefix, cwd: prefix, env: { TOLLGATE_WORKER_PROCESSES: '1', ...env } });

describe('planReload: what a reload does with each changed key', () => {
  it.each([
    ['nothing changed', {}, { rollWorkers: false, reopenStatus: false, reopenAdmin: false, reopenCluster: false, needRestart: [] }],
    ['worker_processes', { TOLLGATE_WORKER_PROCESSES: '3' }, { rollWorkers: true, reopenStatus: false, reopenAdmin: false, reopenCluster: false, needRestart: [] }],
    ['a proxy listener', { TOLLGATE_PROXY_LISTEN: '127.0.0.1:9000' }, { rollWorkers: true, reopenStatus: false, reopenAdmin: false, reopenCluster: false, needRestart: [] }],
    ['trusted_ips (a data-plane key)', { TOLLGATE_TRUSTED_IPS: '10.0.0.0/8' }, { rollWorkers: true, reopenStatus: false, reopenAdmin: false, reopenCluster: false, needRestart: [] }],
    ['the status listener', { TOLLGATE_STATUS_LISTEN: '127.0.0.1:9007' }, { rollWorkers: false, reopenStatus: true, reopenAdmin: false, reopenCluster: false, needRestart: [] }],
    ['the admin listener', { TOLLGATE_ADMIN_LISTEN: '127.0.0.1:9001' }, { rollWorkers: false, reopenStatus: false, reopenAdmin: true, reopenCluster: false, needRestart: [] }],
    ['the cluster listener', { TOLLGATE_CLUSTER_LISTEN: '127.0.0.1:9005' }, { rollWorkers: false, reopenStatus: false, reopenAdmin: false, reopenCluster: true, needRestart: [] }],
    ['cluster_mtls (held by the cluster listener TLS context)', { TOLLGATE_CLUSTER_MTLS: 'pki' }, { rollWorkers: false, reopenStatus: false, reopenAdmin: false, reopenCluster: false, needRestart: ['cluster_mtls'] }],
    ['admin_access_allow (held by the Admin API middleware)', { TOLLGATE_ADMIN_ACCESS_ALLOW: '10.0.0.0/8' }, { rollWorkers: false, reopenStatus: false, reopenAdmin: false, reopenCluster: false, needRestart: ['admin_access_allow'] }],
    ['the database', { TOLLGATE_DATABASE: 'off' }, { rollWorkers: false, reopenStatus: false, reopenAdmin: false, reopenCluster: false, needRestart: ['database'] }],
    ['new_dns_client (the Admin API answers GET /status/dns by it)', { TOLLGATE_NEW_DNS_CLIENT: 'on' }, { rollWorkers: false, reopenStatus: false, reopenAdmin: false, reopenCluster: false, needRestart: ['new_dns_client'] }],
  ])('%s', (_name, env, expected) => {
    const plan = planReload(settings(), settings(env));
    expect({ rollWorkers: plan.rollWorkers, reopenStatus: plan.reopenStatus, reopenAdmin: plan.reopenAdmin, reopenCluster: plan.reopenCluster, needRestart: plan.needRestart }).toEqual(expected);
  });

  it('a node without workers (no proxy listener at start) needs a restart to open the first ones', () => {
    const plan = planReload(settings(), settings({ TOLLGATE_WORKER_PROCESSES: '2' }), false);
    expect(plan).toMatchObject({ rollWorkers: false, needRestart: ['worker_processes'] });
  });
});
