// Network-namespace rig for the `transparent` (TPROXY) end-to-end suites: three namespaces (client, gateway,
// server) joined by veth pairs on private test addresses that exist only inside them —
//   client 10.200.1.2/24 --- 10.200.1.1 gateway 10.200.2.1 --- 10.200.2.2/24 server
// The gateway forwards between them and installs the TPROXY rules it is given. Node children run in a namespace
// with `ip netns exec`, loading our TypeScript through ts-register.js. Nothing leaves the machine.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { guardPipes } from './child-pipes';

export const REPO_ROOT = join(__dirname, '../..');
/** `node -r` this to require .ts files and @tollgate/<lib> in a child process. */
export const TS_REGISTER = join(__dirname, '..', '..', 'tools', 'ts-register.js');
const ADDON = join(REPO_ROOT, 'native/transparent/build/Release/transparent.node');

export const CLIENT_IP = '10.200.1.2';
export const SERVER_IP = '10.200.2.2';

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** Why namespaces + TPROXY cannot be used here, or null when they can (root, ip, iptables, the TPROXY target). */
export function whyNoNamespaces(): string | null {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return 'not running as root (network namespaces and TPROXY need CAP_SYS_ADMIN/CAP_NET_ADMIN)';
  if (!has('ip')) return "the 'ip' command (iproute2) is not installed";
  if (!has('iptables')) return "the 'iptables' command is not installed";
  const probe = `tg-probe-${process.pid % 100000}`;
  const add = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (add.status !== 0) return `network namespaces are not permitted here: ${add.stderr.trim()}`;
  const rule = spawnSync('ip', ['netns', 'exec', probe, 'iptables', '-t', 'mangle', '-A', 'PREROUTING', '-p', 'tcp', '--dport', '9', '-j', 'TPROXY', '--on-port', '9', '--tproxy-mark', '0x1/0x1'], { encoding: 'utf8' });
  spawnSync('ip', ['netns', 'del', probe]);
  if (rule.status !== 0) return `the TPROXY target is not available: ${rule.stderr.trim()}`;
  return null;
}

export interface Topology {
  readonly ns: { readonly client: string; readonly gateway: string; readonly server: string };
  /** Runs a shell command in a namespace (throws on failure). */
  sh(ns: string, command: string): void;
  /** Spawns `node <args>` in a namespace from the repository root; killed by teardown(). */
  node(ns: string, args: string[], input?: string): ChildProcess;
  /** Spawns `ip netns exec <ns> <argv>` (e.g. setpriv … node …); killed by teardown(). */
  spawnIn(ns: string, argv: string[]): ChildProcess;
  teardown(): void;
}

/**
 * Builds the three namespaces; `rules` are run as shell lines in the gateway (comments and blank lines skipped),
 * e.g. what renderTproxy prints. `prefix` (2 letters) keeps suites running in parallel apart.
 */
export function buildTopology(prefix: string, rules: string): Topology {
  if (!existsSync(ADDON)) {
    execFileSync(process.execPath, ['/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js', 'rebuild', '--directory', join(REPO_ROOT, 'native/transparent'), '--nodedir=/usr'], { stdio: 'pipe' });
  }
  const tag = `${process.pid % 10000}`;
  const ns = { client: `${prefix}-c-${tag}`, gateway: `${prefix}-g-${tag}`, server: `${prefix}-s-${tag}` };
  const veth = { client: `${prefix}c0-${tag}`, gwClient: `${prefix}g1-${tag}`, gwServer: `${prefix}g2-${tag}`, server: `${prefix}s0-${tag}` };
  const children: ChildProcess[] = [];
  const sh = (name: string, command: string) => void execFileSync('ip', ['netns', 'exec', name, 'sh', '-c', command], { stdio: 'pipe' });
  const teardown = () => {
    for (const child of children) child.kill('SIGKILL');
    for (const name of Object.values(ns)) spawnSync('ip', ['netns', 'del', name]); // removes its veth ends too
  };
  const spawnIn = (name: string, argv: string[]) => {
    const child = guardPipes(spawn('ip', ['netns', 'exec', name, ...argv], { stdio: ['pipe', 'pipe', 'pipe'], cwd: REPO_ROOT }));
    children.push(child);
    return child;
  };

  teardown();
  for (const name of Object.values(ns)) execFileSync('ip', ['netns', 'add', name]);
  execFileSync('ip', ['link', 'add', veth.client, 'type', 'veth', 'peer', 'name', veth.gwClient]);
  execFileSync('ip', ['link', 'add', veth.server, 'type', 'veth', 'peer', 'name', veth.gwServer]);
  execFileSync('ip', ['link', 'set', veth.client, 'netns', ns.client]);
  execFileSync('ip', ['link', 'set', veth.gwClient, 'netns', ns.gateway]);
  execFileSync('ip', ['link', 'set', veth.gwServer, 'netns', ns.gateway]);
  execFileSync('ip', ['link', 'set', veth.server, 'netns', ns.server]);
  sh(ns.client, `ip link set lo up && ip addr add ${CLIENT_IP}/24 dev ${veth.client} && ip link set ${veth.client} up && ip route add default via 10.200.1.1`);
  sh(ns.server, `ip link set lo up && ip addr add ${SERVER_IP}/24 dev ${veth.server} && ip link set ${veth.server} up && ip route add default via 10.200.2.1`);
  sh(ns.gateway, [
    'ip link set lo up',
    `ip addr add 10.200.1.1/24 dev ${veth.gwClient}`, `ip link set ${veth.gwClient} up`,
    `ip addr add 10.200.2.1/24 dev ${veth.gwServer}`, `ip link set ${veth.gwServer} up`,
    'sysctl -qw net.ipv4.ip_forward=1',
  ].join(' && '));
  for (const line of rules.split('\n')) if (line !== '' && !line.startsWith('#')) sh(ns.gateway, line);

  return {
    ns,
    sh,
    node: (name, args, input) => {
      const child = spawnIn(name, [process.execPath, ...args]);
      if (input !== undefined) child.stdin!.end(input);
      return child;
    },
    spawnIn,
    teardown,
  };
}

/** Resolves with the first stdout line starting with `prefix`; collects all lines in `lines`. */
export function lineOf(child: ChildProcess, prefix: string, lines: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let stderr = '';
    child.stderr!.on('data', (c) => (stderr += c));
    child.stdout!.on('data', (c) => {
      buf += c;
      let nl: number;
      while ((nl = buf.indexOf('\n')) !== -1) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        lines.push(line);
        if (line.startsWith(prefix)) resolve(line);
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code} before "${prefix}": ${stderr}${lines.join('\n')}`)));
  });
}
