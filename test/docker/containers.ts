// The container rig: builds docker/Dockerfile for real with podman and runs the image's containers with buildah.
// No registry is reachable here, so the base image (Debian bookworm from debootstrap plus this machine's Node 20,
// laid out as the official node:20-slim image is: node and npm in /usr/local, a `node` user with uid 1000) is
// built once and kept in podman's storage and /var/cache, outside the repository. `podman run` cannot set rlimits
// on these machines, but `buildah run --isolation chroot` runs a container's command in the caller's network
// namespace, so each topology runs inside a network namespace the test creates and nothing leaves it.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
const CACHE = '/var/cache/tollgate-test';
const ROOTFS = join(CACHE, `rootfs-bookworm-node${process.versions.node}`);
export const BASE_IMAGE = `localhost/tollgate-test-base:bookworm-node${process.versions.node}`;
const DEBIAN_MIRROR = 'http://deb.debian.org/debian';

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** What is missing to build and run images here (CI installs these through .ci/run), or null. */
export function whatIsMissing(): string | null {
  if (process.getuid?.() !== 0) return 'root (network namespaces, chroot isolation)';
  for (const cmd of ['podman', 'buildah', 'debootstrap', 'ip', 'curl']) if (!has(cmd)) return `the '${cmd}' command`;
  return null;
}

function run(cmd: string, args: string[], opts: { input?: string | Buffer; timeout?: number } = {}): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 << 20, timeout: opts.timeout ?? 15 * 60_000, input: opts.input });
}

/** Builds the local stand-in for node:20-slim unless podman already has it. Returns how long it took (ms). */
export function ensureBaseImage(): number {
  const t0 = Date.now();
  if (spawnSync('podman', ['image', 'exists', BASE_IMAGE]).status === 0) return 0;
  const done = join(ROOTFS, '.tollgate-base-complete');
  if (!existsSync(done)) {
    rmSync(ROOTFS, { recursive: true, force: true });
    mkdirSync(dirname(ROOTFS), { recursive: true });
    run('debootstrap', ['--variant=minbase', 'bookworm', ROOTFS, DEBIAN_MIRROR]);
    // Node and npm as the official image has them, with the headers node-gyp needs offline (nodedir) and the
    // machine's CA bundle, so `npm ci` inside the build reaches the registry the way the host does.
    mkdirSync(join(ROOTFS, 'usr/local/bin'), { recursive: true });
    mkdirSync(join(ROOTFS, 'usr/local/lib/node_modules'), { recursive: true });
    mkdirSync(join(ROOTFS, 'usr/local/etc'), { recursive: true });
    mkdirSync(join(ROOTFS, 'usr/include'), { recursive: true });
    run('cp', [process.execPath, join(ROOTFS, 'usr/local/bin/node')]);
    const npmDir = join(dirname(require.resolve('npm/package.json', { paths: ['/usr/lib/node_modules', '/usr/local/lib/node_modules'] })));
    run('cp', ['-a', npmDir, join(ROOTFS, 'usr/local/lib/node_modules/npm')]);
    run('ln', ['-sf', '../lib/node_modules/npm/bin/npm-cli.js', join(ROOTFS, 'usr/local/bin/npm')]);
    run('ln', ['-sf', '../lib/node_modules/npm/bin/npx-cli.js', join(ROOTFS, 'usr/local/bin/npx')]);
    const headers = ['/usr/include/node', '/usr/local/include/node'].find((d) => existsSync(join(d, 'node.h')));
    if (headers) run('cp', ['-a', headers, join(ROOTFS, 'usr/include/node')]);
    const ca = '/etc/ssl/certs/ca-certificates.crt';
    if (existsSync(ca)) { mkdirSync(join(ROOTFS, 'etc/ssl/certs'), { recursive: true }); run('cp', [ca, join(ROOTFS, ca)]); }
    writeFileSync(join(ROOTFS, 'usr/local/etc/npmrc'), `${existsSync(ca) ? `cafile=${ca}\n` : ''}nodedir=/usr\nupdate-notifier=false\nfund=false\naudit=false\n`);
    const append = (file: string, line: string) => writeFileSync(join(ROOTFS, file), readFileSync(join(ROOTFS, file), 'utf8') + line + '\n');
    append('etc/passwd', 'node:x:1000:1000::/home/node:/bin/bash');
    append('etc/group', 'node:x:1000:');
    append('etc/shadow', 'node:*:19000:0:99999:7:::');
    mkdirSync(join(ROOTFS, 'home/node'), { recursive: true });
    chownSync(join(ROOTFS, 'home/node'), 1000, 1000);
    rmSync(join(ROOTFS, 'var/lib/apt/lists'), { recursive: true, force: true });
    mkdirSync(join(ROOTFS, 'var/lib/apt/lists/partial'), { recursive: true });
    writeFileSync(done, new Date().toISOString());
  }
  const changes = ['ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt', 'CMD ["node"]'];
  const imp = spawnSync('sh', ['-c', `tar -C "$1" --exclude ./.tollgate-base-complete -c . | podman import ${changes.map((_, i) => `--change "$${i + 3}"`).join(' ')} - "$2"`,
    'sh', ROOTFS, BASE_IMAGE, ...changes], { encoding: 'utf8', maxBuffer: 16 << 20 });
  if (imp.status !== 0) throw new Error(`podman import failed: ${imp.stderr}`);
  return Date.now() - t0;
}

export interface BuiltImage { readonly name: string; readonly buildMs: number; readonly sizeBytes: number; readonly config: any; readonly healthcheck: { Test: string[] } }

export function buildImage(name: string): BuiltImage {
  const t0 = Date.now();
  const r = spawnSync('podman', ['build', '--isolation', 'chroot', '--format', 'docker', '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`,
    '-f', join(ROOT, 'docker', 'Dockerfile'), '-t', name, ROOT], { encoding: 'utf8', maxBuffer: 256 << 20, timeout: 30 * 60_000 });
  if (r.status !== 0) throw new Error(`podman build failed (${r.status}):\n${(r.stdout + r.stderr).slice(-6000)}`);
  const buildMs = Date.now() - t0;
  const [inspect] = JSON.parse(run('podman', ['image', 'inspect', name]));
  return { name, buildMs, sizeBytes: inspect.Size, config: inspect.Config, healthcheck: inspect.Healthcheck };
}

export function removeImage(name: string): void {
  spawnSync('podman', ['rmi', '-f', name]);
}

export interface Container {
  readonly name: string;
  /** Starts `argv` in the container, inside the namespace, in the background; output goes to a log file. */
  start(argv: string[], env?: Record<string, string>): ChildProcess;
  /** Runs `argv` in the container inside the namespace and returns its exit code and output. */
  exec(argv: string[], env?: Record<string, string>): { code: number | null; out: string };
  log(): string;
}

/** A network namespace with loopback up, and the containers started in it; teardown removes everything. */
export class Pod {
  readonly ns: string;
  private readonly children: ChildProcess[] = [];
  private readonly containers: string[] = [];
  readonly dir = mkdtempSync(join(tmpdir(), 'tollgate-pod-'));

  constructor(tag: string) {
    chmodSync(this.dir, 0o755); // volumes below it belong to other users (node, postgres)
    this.ns = `tgd-${tag}-${process.pid % 100000}`;
    spawnSync('ip', ['netns', 'del', this.ns]);
    run('ip', ['netns', 'add', this.ns]);
    run('ip', ['netns', 'exec', this.ns, 'ip', 'link', 'set', 'lo', 'up']);
  }

  /** A host directory the container's `node` user (uid 1000) can write, to mount as a volume. */
  volume(name: string): string {
    const d = join(this.dir, name);
    mkdirSync(d, { recursive: true });
    chownSync(d, 1000, 1000);
    return d;
  }

  container(image: string, name: string, volumes: Record<string, string> = {}): Container {
    const full = `${this.ns}-${name}`;
    spawnSync('buildah', ['rm', full]);
    run('buildah', ['from', '--name', full, image]);
    this.containers.push(full);
    const logFile = join(this.dir, `${name}.log`);
    const vols = Object.entries(volumes).flatMap(([host, target]) => ['-v', `${host}:${target}`]);
    const envArgs = (env: Record<string, string>) => Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    const argvFor = (argv: string[], env: Record<string, string>) =>
      ['netns', 'exec', this.ns, 'buildah', 'run', '--isolation', 'chroot', ...vols, ...envArgs(env), full, '--', ...argv];
    return {
      name: full,
      start: (argv, env = {}) => {
        const fd = openSync(logFile, 'a');
        const child = spawn('ip', argvFor(argv, env), { stdio: ['ignore', fd, fd], detached: true });
        closeSync(fd);
        this.children.push(child);
        return child;
      },
      exec: (argv, env = {}) => {
        const r = spawnSync('ip', argvFor(argv, env), { encoding: 'utf8', timeout: 60_000 });
        return { code: r.status, out: `${r.stdout}${r.stderr}` };
      },
      log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    };
  }

  /** Spawns a host program inside the namespace (a test upstream, PostgreSQL). */
  spawnHost(argv: string[], opts: { uid?: number; gid?: number } = {}): ChildProcess {
    const as = opts.uid === undefined ? [] : ['setpriv', `--reuid=${opts.uid}`, `--regid=${opts.gid ?? opts.uid}`, '--clear-groups'];
    const child = spawn('ip', ['netns', 'exec', this.ns, ...as, ...argv], { stdio: 'ignore', detached: true });
    this.children.push(child);
    return child;
  }

  /** The uids of the node processes in the namespace whose command line contains `needle` (not the buildah
   * and ip processes that started them, which run as root on the host). */
  uidsOf(needle: string): number[] {
    const pids = spawnSync('ip', ['netns', 'pids', this.ns], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    return pids.flatMap((pid) => {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        if (!/(^|\/)node$/.test(argv[0]) || !argv.includes(needle)) return [];
        return [Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1])];
      } catch { return []; }
    });
  }

  /** curl from inside the namespace: [status, body]. */
  curl(args: string[]): { status: number; body: string } {
    const r = spawnSync('ip', ['netns', 'exec', this.ns, 'curl', '-s', '-m', '5', '-o', '-', '-w', '\n%{http_code}', ...args], { encoding: 'utf8', timeout: 10_000 });
    const out = r.stdout ?? '';
    const nl = out.lastIndexOf('\n');
    return { status: Number(out.slice(nl + 1)) || 0, body: out.slice(0, Math.max(nl, 0)) };
  }

  teardown(): void {
    for (const c of this.children) {
      try { if (c.pid) process.kill(-c.pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    // Processes started by buildah run are in the namespace: end whatever is left there before deleting it.
    spawnSync('ip', ['netns', 'pids', this.ns], { encoding: 'utf8' }).stdout?.split('\n').filter(Boolean).forEach((pid) => {
      try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
    });
    for (const c of this.containers) spawnSync('buildah', ['rm', c]);
    spawnSync('ip', ['netns', 'del', this.ns]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Polls `fn` until it returns a truthy value or the deadline passes. */
export async function until<T>(what: string, fn: () => T | null | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
