// docker/Dockerfile built for real (podman, chroot isolation, a local Debian + Node 20 base) and its image run as a
// traditional node and as compose.yaml's hybrid topology (PostgreSQL, one control plane, two data planes), each
// inside a network namespace of its own. See containers.ts for why buildah runs the containers.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { buildImage, ensureBaseImage, Pod, removeImage, ROOT, until, whatIsMissing, type BuiltImage } from './containers';

const IMAGE = `localhost/tollgate:e2e-${process.pid}`;
const compose = parse(readFileSync(join(ROOT, 'docker', 'compose.yaml'), 'utf8'), { merge: true });
const figures: string[] = [];
let image: BuiltImage;

/** A one-line HTTP upstream on 127.0.0.1:9900 of the namespace (the machine's node, outside any container). */
const UPSTREAM = "require('http').createServer((q,s)=>{s.setHeader('content-type','text/plain');s.end('upstream saw '+q.url)}).listen(9900,'127.0.0.1')";

function adminReady(pod: Pod, port = 8001): boolean {
  return pod.curl([`http://127.0.0.1:${port}/status`]).status === 200;
}

beforeAll(() => {
  const missing = whatIsMissing();
  if (missing) throw new Error(`building the image needs ${missing}; .ci/run installs it`);
  const baseMs = ensureBaseImage();
  if (baseMs > 0) figures.push(`base image built in ${(baseMs / 1000).toFixed(0)} s`);
  image = buildImage(IMAGE);
  figures.push(`image built in ${(image.buildMs / 1000).toFixed(0)} s, ${(image.sizeBytes / 1e6).toFixed(0)} MB`);
}, 40 * 60_000);

afterAll(() => {
  removeImage(IMAGE);
  process.stdout.write(`container figures: ${figures.join('; ')}\n`);
});

describe('docker/Dockerfile', () => {
  it('runs as the unprivileged node user, starts `tollgate start`, and checks health with `tollgate health`', () => {
    expect(image.config.User).toBe('node');
    expect(image.config.Entrypoint).toEqual(['node', 'bin/tollgate.js']);
    expect(image.config.Cmd).toEqual(['start']);
    expect(image.healthcheck.Test).toEqual(['CMD', 'node', 'bin/tollgate.js', 'health']);
    expect(image.config.Env).toEqual(expect.arrayContaining(['NODE_ENV=production', 'TOLLGATE_PREFIX=/var/lib/tollgate']));
  });

  it('carries only the runtime: no compiler, no TypeScript sources, no dev dependencies', () => {
    const pod = new Pod('ls');
    try {
      const c = pod.container(IMAGE, 'ls');
      const r = c.exec(['sh', '-c', 'id -u; command -v g++ || echo no-compiler; ls /app; ls /app/node_modules | grep -c -x -e typescript -e jest -e @nestjs/cli || true']);
      const lines = r.out.trim().split('\n');
      expect(lines[0]).toBe('1000');
      expect(lines[1]).toBe('no-compiler');
      expect(lines.slice(2, -1).sort()).toEqual(['bin', 'dist', 'native', 'node_modules', 'package.json']);
      expect(lines.at(-1)).toBe('0');
    } finally {
      pod.teardown();
    }
  });
});

describe('the image as a traditional node', () => {
  it('serves the Admin API and proxies a route; its health check follows the node', async () => {
    const pod = new Pod('tr');
    try {
      pod.spawnHost([process.execPath, '-e', UPSTREAM]);
      const node = pod.container(IMAGE, 'node');
      const t0 = Date.now();
      node.start(['node', 'bin/tollgate.js', 'start']);
      await until('the Admin API', () => adminReady(pod));
      figures.push(`traditional node answers its Admin API ${((Date.now() - t0) / 1000).toFixed(1)} s after start`);
      const health = image.healthcheck.Test.slice(1) as string[];
      expect(node.exec(health).code).toBe(0);

      expect(pod.curl(['-X', 'POST', 'http://127.0.0.1:8001/services', '-d', 'name=echo', '-d', 'url=http://127.0.0.1:9900/base']).status).toBe(201);
      expect(pod.curl(['-X', 'POST', 'http://127.0.0.1:8001/services/echo/routes', '-d', 'paths[]=/echo']).status).toBe(201);
      const res = await until('the route on the proxy', () => { const r = pod.curl(['http://127.0.0.1:8000/echo/x']); return r.status === 200 && r; });
      expect(res.body).toBe('upstream saw /base/x');

      // The prefix belongs to the node user and is private; the node runs as that user.
      expect(node.exec(['stat', '-c', '%U %a', '/var/lib/tollgate']).out.trim()).toBe('node 700');
      const uids = pod.uidsOf('bin/tollgate.js');
      expect(uids.length).toBeGreaterThanOrEqual(1);
      expect(new Set(uids)).toEqual(new Set([1000]));

      expect(node.exec(['node', 'bin/tollgate.js', 'stop']).code).toBe(0);
      await until('the health check to fail', () => node.exec(health).code !== 0);
    } finally {
      pod.teardown();
    }
  }, 180_000);
});

describe('the image in compose.yaml topology: PostgreSQL, a control plane, two data planes', () => {
  // compose.yaml's environments, as written, but for names and ports: here every container shares one network
  // namespace, so service names become 127.0.0.1 and the data planes' status and proxy ports move apart.
  const envOf = (service: string, overrides: Record<string, string>): Record<string, string> =>
    Object.fromEntries(Object.entries({ ...compose.services[service].environment, ...overrides }).map(([k, v]) => [k, String(v)]));

  it('the data planes pull the configuration from the control plane and both proxy a route created on it', async () => {
    const pod = new Pod('hy');
    try {
      // PostgreSQL with compose's user and database, from the machine's own server binaries.
      const pgBin = join('/usr/lib/postgresql', readdirSync('/usr/lib/postgresql').sort().at(-1)!, 'bin');
      const pgEnv = compose.services.postgres.environment;
      const pgData = pod.volume('pgdata');
      const pgUid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
      const pgGid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
      execFileSync('chown', [`${pgUid}:${pgGid}`, pgData]);
      execFileSync('setpriv', [`--reuid=${pgUid}`, `--regid=${pgGid}`, '--clear-groups', join(pgBin, 'initdb'), '-D', pgData, '-U', pgEnv.POSTGRES_USER, '--auth=trust'], { stdio: 'pipe' });
      pod.spawnHost([join(pgBin, 'postgres'), '-D', pgData, '-k', pgData, '-c', 'listen_addresses=127.0.0.1', '-p', '5432'], { uid: pgUid, gid: pgGid });
      await until('PostgreSQL', () => spawnSync('ip', ['netns', 'exec', pod.ns, join(pgBin, 'pg_isready'), '-q', '-h', '127.0.0.1', '-p', '5432']).status === 0);
      execFileSync('ip', ['netns', 'exec', pod.ns, join(pgBin, 'createdb'), '-h', '127.0.0.1', '-U', pgEnv.POSTGRES_USER, pgEnv.POSTGRES_DB]);

      // compose's cluster-cert job: its own command, writing the shared pair into the cluster volume.
      const cluster = pod.volume('cluster');
      const init = pod.container(IMAGE, 'cert', { [cluster]: '/etc/tollgate/cluster' });
      const job = compose.services['cluster-cert'];
      expect(init.exec([...job.entrypoint, ...job.command]).code).toBe(0);

      pod.spawnHost([process.execPath, '-e', UPSTREAM]);
      const cp = pod.container(IMAGE, 'cp', { [cluster]: '/etc/tollgate/cluster:ro' });
      const t0 = Date.now();
      cp.start(['node', 'bin/tollgate.js', 'start'], envOf('control-plane', { TOLLGATE_PG_HOST: '127.0.0.1' }));
      await until('the control plane', () => adminReady(pod), 90_000).catch((e) => { throw new Error(`${e.message}\n${cp.log()}`); });
      figures.push(`control plane (PostgreSQL) answers ${((Date.now() - t0) / 1000).toFixed(1)} s after start`);

      const dps = [
        { service: 'data-plane-1', proxy: 8000, status: 8017 },
        { service: 'data-plane-2', proxy: 8100, status: 8027 },
      ];
      for (const dp of dps) {
        const c = pod.container(IMAGE, dp.service, { [cluster]: '/etc/tollgate/cluster:ro' });
        c.start(['node', 'bin/tollgate.js', 'start'], envOf(dp.service, {
          TOLLGATE_CLUSTER_CONTROL_PLANE: '127.0.0.1:8005',
          TOLLGATE_PROXY_LISTEN: `0.0.0.0:${dp.proxy}`,
          TOLLGATE_STATUS_LISTEN: `127.0.0.1:${dp.status}`,
        }));
      }

      expect(pod.curl(['-X', 'POST', 'http://127.0.0.1:8001/services', '-d', 'name=echo', '-d', 'url=http://127.0.0.1:9900']).status).toBe(201);
      expect(pod.curl(['-X', 'POST', 'http://127.0.0.1:8001/services/echo/routes', '-d', 'paths[]=/hybrid']).status).toBe(201);
      for (const dp of dps) {
        const res = await until(`${dp.service} to proxy the route`, () => { const r = pod.curl([`http://127.0.0.1:${dp.proxy}/hybrid/y`]); return r.status === 200 && r; }, 90_000);
        expect(res.body).toBe('upstream saw /y');
      }
      const registry = JSON.parse(pod.curl(['http://127.0.0.1:8001/clustering/data-planes']).body);
      expect(registry.data).toHaveLength(2);
    } finally {
      pod.teardown();
    }
  }, 300_000);
});
