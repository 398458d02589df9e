// docker/compose.yaml, checked by reading: every Tollgate service's environment is a valid configuration for its
// role, and services, ports, roles and mounts agree. test/docker builds the image and runs this topology for real.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { loadSettings, type Settings } from '@tollgate/config';
import { ROOT, tempPrefix } from '../support/cli-node';

const compose = parse(readFileSync(join(ROOT, 'docker', 'compose.yaml'), 'utf8'), { merge: true });
const services: Record<string, any> = compose.services;

const tollgateServices = Object.entries(services).filter(([, s]) => s.environment?.TOLLGATE_ROLE);
const settingsOf = (name: string): Settings => loadSettings({ env: services[name].environment, overrides: { prefix: tempPrefix() }, cwd: tempPrefix() });
const mounts = (name: string): Array<{ volume: string; target: string; readOnly: boolean }> =>
  (services[name].volumes ?? []).map((v: string) => {
    const [volume, target, mode] = v.split(':');
    return { volume, target, readOnly: mode === 'ro' };
  });
const containerPorts = (name: string): number[] => (services[name].ports ?? []).map((p: string) => Number(p.split(':').pop()));

describe('docker/compose.yaml', () => {
  it('has PostgreSQL, the certificate init job, one control plane and two data planes', () => {
    expect(Object.keys(services).sort()).toEqual(['cluster-cert', 'control-plane', 'data-plane-1', 'data-plane-2', 'postgres']);
    expect(tollgateServices.map(([name, s]) => [name, s.environment.TOLLGATE_ROLE])).toEqual([
      ['control-plane', 'control_plane'], ['data-plane-1', 'data_plane'], ['data-plane-2', 'data_plane'],
    ]);
  });

  it.each(['control-plane', 'data-plane-1', 'data-plane-2'])('%s: its environment loads as a valid configuration', (name) => {
    const settings = settingsOf(name);
    expect(settings.role).toBe(services[name].environment.TOLLGATE_ROLE);
    expect(settings.cluster_mtls).toBe('shared');
  });

  it('the control plane uses the compose PostgreSQL and opens cluster_listen on the port data planes dial', () => {
    const cp = settingsOf('control-plane');
    const pg = services.postgres.environment;
    expect([cp.database, cp.pg_host, cp.pg_user, cp.pg_password, cp.pg_database]).toEqual(['postgres', 'postgres', pg.POSTGRES_USER, pg.POSTGRES_PASSWORD, pg.POSTGRES_DB]);
    expect(cp.cluster_listeners.map((l) => l.port)).toEqual([8005]);
    for (const dpName of ['data-plane-1', 'data-plane-2']) {
      expect(settingsOf(dpName).cluster_control_plane).toBe(`control-plane:${cp.cluster_listeners[0].port}`);
      expect(services[dpName].depends_on['control-plane']).toBeDefined();
    }
    expect(containerPorts('control-plane')).toEqual(cp.admin_listeners.map((l) => l.port));
    expect(services['control-plane'].depends_on).toEqual({ postgres: { condition: 'service_healthy' }, 'cluster-cert': { condition: 'service_completed_successfully' } });
  });

  it('data planes publish their proxy port and carry distinct labels', () => {
    const labels = ['data-plane-1', 'data-plane-2'].map((name) => {
      const dp = settingsOf(name);
      expect(dp.database).toBe('off');
      expect(containerPorts(name)).toEqual(dp.proxy_listeners.map((l) => l.port));
      return dp.cluster_dp_labels.zone;
    });
    expect(labels).toEqual(['a', 'b']);
  });

  it('every node mounts the generated cluster pair read-only where cluster_cert points, and its own prefix', () => {
    const init = services['cluster-cert'];
    const initMount = mounts('cluster-cert').find((m) => m.volume === 'cluster')!;
    for (const [name] of tollgateServices) {
      const s = settingsOf(name);
      const clusterMount = mounts(name).find((m) => m.volume === 'cluster')!;
      expect(clusterMount).toEqual({ volume: 'cluster', target: dirname(s.cluster_cert!), readOnly: true });
      expect(initMount.target).toBe(clusterMount.target);
      expect(init.command.join(' ')).toContain(`--cert ${s.cluster_cert} --key ${s.cluster_cert_key}`);
      const prefixMount = mounts(name).find((m) => m.target === '/var/lib/tollgate');
      expect(prefixMount?.readOnly).toBe(false);
    }
    const prefixVolumes = tollgateServices.map(([name]) => mounts(name).find((m) => m.target === '/var/lib/tollgate')!.volume);
    expect(new Set(prefixVolumes).size).toBe(prefixVolumes.length);
    const used = Object.keys(services).flatMap((name) => mounts(name).map((m) => m.volume));
    for (const volume of used) expect(Object.keys(compose.volumes)).toContain(volume);
  });
});
