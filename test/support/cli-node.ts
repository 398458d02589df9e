// Runs the real `tollgate` command (bin/tollgate.js -> the compiled CLI) in a child process and reads where its
// listeners were bound from its JSON log lines. Requires `npm run build` (npm test's pretest does it).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { guardPipes } from './child-pipes';

export const ROOT = resolve(__dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'tollgate.js');

export interface Bound { key: string; address: string; port: number }

export interface RunningNode {
  readonly child: ChildProcess;
  readonly prefix: string;
  readonly listeners: Bound[];
  readonly logs: string[];
  port(key: string, index?: number): number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function tempPrefix(): string {
  return mkdtempSync(join(tmpdir(), 'tollgate-'));
}

export function writeConf(dir: string, lines: Record<string, string>): string {
  const file = join(dir, 'tollgate.conf');
  writeFileSync(file, Object.entries(lines).map(([k, v]) => `${k} = ${v}`).join('\n') + '\n');
  return file;
}

/** Config lines for a node that binds only ephemeral loopback ports. */
export function loopbackConf(prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    prefix,
    proxy_listen: '127.0.0.1:0',
    admin_listen: '127.0.0.1:0',
    status_listen: '127.0.0.1:0',
    worker_processes: '1',
    ...extra,
  };
}

export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Like runCli, but without blocking this process's event loop (needed while a node started here runs). */
export function runCliAsync(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = guardPipes(spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env } }));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export async function startNode(args: string[], opts: { env?: NodeJS.ProcessEnv; readyTimeoutMs?: number } = {}): Promise<RunningNode> {
  const child = guardPipes(spawn(process.execPath, [BIN, 'start', ...args], { cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] }));
  const logs: string[] = [];
  const listeners: Bound[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const prefixArg = args[args.indexOf('-p') + 1];
  await new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`node not started in time; logs:\n${logs.join('\n')}`)), opts.readyTimeoutMs ?? 30_000);
    let buf = '';
    const onData = (chunk: Buffer) => {
      buf += chunk.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        logs.push(line);
        try {
          const j = JSON.parse(line);
          if (j.key && typeof j.port === 'number') listeners.push({ key: j.key, address: j.address, port: j.port });
          if (typeof j.msg === 'string' && j.msg.startsWith('tollgate started')) { clearTimeout(timer); resolveReady(); }
        } catch { /* not JSON */ }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(({ code }) => { clearTimeout(timer); reject(new Error(`node exited with ${code} before it started; logs:\n${logs.join('\n')}`)); });
  });
  return {
    child, prefix: prefixArg, listeners, logs, exited,
    port(key, index = 0) {
      const found = listeners.filter((l) => l.key === key)[index];
      if (!found) throw new Error(`no ${key} listener in ${JSON.stringify(listeners)}`);
      return found.port;
    },
  };
}

export async function stopNode(node: RunningNode): Promise<void> {
  if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGTERM');
  await node.exited;
}
