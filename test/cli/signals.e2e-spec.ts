// Signals on every Tollgate process, as nginx and Kong define them: USR1 reopens log files and never opens
// Node's inspector, HUP reloads tollgate.conf without dropping a request, QUIT stops gracefully; a data-plane
// worker killed while the node starts is replaced. Real `tollgate` processes, real sockets.
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { http } from '../support/http';
import { childPids } from '../support/socket-owner';
import { waitFor } from '../support/wait';
import { BIN, ROOT, loopbackConf, runCliAsync, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../support/cli-node';
import { guardPipes } from '../support/child-pipes';

jest.setTimeout(120_000);

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(false); });
    s.once('error', () => resolve(true));
  });
}

/** A port nobody listens on right now (for listeners a reload must keep on the same port). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function listenersOf(prefix: string): Array<{ key: string; port: number }> {
  return JSON.parse(readFileSync(join(prefix, 'pids', 'listeners.json'), 'utf8'));
}

describe('signals on a running node', () => {
  let upstream: Server;
  let upstreamPort: number;
  beforeAll(async () => {
    upstream = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    upstreamPort = (upstream.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => upstream.close(() => r())));

  async function withRoute(node: RunningNode): Promise<string> {
    const admin = `http://127.0.0.1:${node.port('admin_listen')}`;
    expect((await http('POST', `${admin}/services`, { body: { name: 's', url: `http://127.0.0.1:${upstreamPort}` } })).status).toBe(201);
    expect((await http('POST', `${admin}/services/s/routes`, { body: { name: 'r', paths: ['/r'] } })).status).toBe(201);
    const proxy = `http://127.0.0.1:${node.port('proxy_listen')}`;
    await waitFor(async () => ((await http('GET', `${proxy}/r`)).status === 200 ? true : undefined), 'the route on the proxy');
    return proxy;
  }

  describe('USR1', () => {
    let node: RunningNode;
    let prefix: string;
    beforeAll(async () => {
      prefix = tempPrefix();
      node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix, { worker_processes: '2' })), '-p', prefix]);
    });
    afterAll(async () => { if (node) await stopNode(node); });

    it('sent to the supervisor and to every worker: no inspector on 127.0.0.1:9229, the node still serves, log files reopened', async () => {
      const proxy = await withRoute(node);
      const workers = childPids(node.child.pid!);
      expect(workers).toHaveLength(2);
      const accessLog = join(prefix, 'logs', 'access.log');
      expect((await http('GET', `${proxy}/r?before=1`)).status).toBe(200);
      await waitFor(async () => (existsSync(accessLog) && readFileSync(accessLog, 'utf8').includes('before=1') ? true : undefined), 'the access log');
      // logrotate: the files are moved away, then the processes are told
      const adminLog = join(prefix, 'logs', 'admin_access.log');
      const errorLog = join(prefix, 'logs', 'error.log');
      await waitFor(async () => (existsSync(adminLog) ? true : undefined), 'the Admin API access log');
      renameSync(accessLog, `${accessLog}.1`);
      renameSync(adminLog, `${adminLog}.1`);
      renameSync(errorLog, `${errorLog}.1`);
      for (const pid of [node.child.pid!, ...workers]) process.kill(pid, 'SIGUSR1');
      await waitFor(async () => (node.logs.some((l) => l.includes('received SIGUSR1: log files reopened')) ? true : undefined), 'the reopen notice');
      expect(await refused(9229)).toBe(true);
      expect(node.logs.filter((l) => /Debugger listening|inspector/i.test(l))).toEqual([]);
      expect(childPids(node.child.pid!)).toEqual(workers); // nobody died of it
      // both workers write to the new file (a request per connection: the kernel spreads them)
      for (let i = 0; i < 10; i++) expect((await http('GET', `${proxy}/r?after=${i}`)).status).toBe(200);
      const after = await waitFor(async () => (existsSync(accessLog) && readFileSync(accessLog, 'utf8').includes('after=9') ? readFileSync(accessLog, 'utf8') : undefined), 'lines in the reopened access log');
      expect(after).not.toContain('before=1'); // the old lines stayed in the moved file
      expect(readFileSync(`${accessLog}.1`, 'utf8')).toContain('before=1');
      expect(readFileSync(`${accessLog}.1`, 'utf8')).not.toContain('after=');
      // the supervisor's own files too: the Admin API access log and the error log
      expect((await http('GET', `http://127.0.0.1:${node.port('admin_listen')}/status?after-rotation=1`)).status).toBe(200);
      await waitFor(async () => (existsSync(adminLog) && readFileSync(adminLog, 'utf8').includes('after-rotation=1') ? true : undefined), 'the reopened Admin API access log');
      expect(readFileSync(`${adminLog}.1`, 'utf8')).not.toContain('after-rotation=1');
      await waitFor(async () => (existsSync(errorLog) && readFileSync(errorLog, 'utf8').includes('received SIGUSR1: log files reopened') ? true : undefined), 'the reopened error log');
    });

    it('a USR1 that lands while Node is still booting (before the guard module) opens no inspector that stays open', async () => {
      // the guard every entry point loads first, in a process that received USR1 before it could load it
      const guard = join(ROOT, 'dist', 'apps', 'cli', 'apps', 'cli', 'src', 'signals', 'inspector-guard.js');
      const script = `process.kill(process.pid, 'SIGUSR1'); const t = Date.now(); while (Date.now() - t < 300); require(${JSON.stringify(guard)});
        setTimeout(() => { process.stdout.write(String(require('node:inspector').url())); setTimeout(() => {}, 2000); }, 50);`;
      const child = guardPipes(spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] }));
      let out = '';
      let err = '';
      child.stdout.on('data', (c) => (out += c));
      child.stderr.on('data', (c) => (err += c));
      try {
        await waitFor(async () => (out !== '' ? true : undefined), 'the child to report');
        expect(err).toContain('Debugger listening'); // Node did open it at boot...
        expect(out).toBe('undefined'); // ...and the guard closed it
        expect(await refused(9229)).toBe(true);
      } finally {
        child.kill();
      }
    });

    it('USR2 (nginx\'s binary upgrade) to the supervisor and every worker is logged once by each and ignored: nobody dies of it', async () => {
      const proxy = `http://127.0.0.1:${node.port('proxy_listen')}`;
      const workers = childPids(node.child.pid!);
      expect(workers).toHaveLength(2);
      // the pid of each process that said it received USR2, one entry per line
      const noticed = () => node.logs.filter((l) => l.includes('received SIGUSR2: ignored')).map((l) => (JSON.parse(l) as { pid: number }).pid).sort((a, b) => a - b);
      const supervisor = node.child.pid!;
      process.kill(workers[0], 'SIGUSR2');
      await waitFor(async () => (noticed().length > 0 ? true : undefined), 'the first worker\'s USR2 notice');
      expect(noticed()).toEqual([workers[0]]);
      for (const pid of [supervisor, workers[1]]) process.kill(pid, 'SIGUSR2');
      const all = [supervisor, ...workers].sort((a, b) => a - b);
      await waitFor(async () => (noticed().length >= all.length ? true : undefined), 'a USR2 notice from every process');
      for (let i = 0; i < 10; i++) expect((await http('GET', `${proxy}/r?usr2=${i}`)).status).toBe(200);
      // the supervisor's own USR2 reached no worker: still one line per signal
      expect(noticed()).toEqual(all);
      expect(childPids(node.child.pid!)).toEqual(workers);
      expect(node.logs.filter((l) => /worker exited/.test(l))).toEqual([]);
    });

    it('tollgate logs reopen does the same for logrotate postrotate', async () => {
      const accessLog = join(prefix, 'logs', 'access.log');
      renameSync(accessLog, `${accessLog}.2`);
      const r = await runCliAsync(['logs', 'reopen', '-p', prefix]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`asked tollgate (pid ${node.child.pid}) to reopen its log files\n`);
      const proxy = `http://127.0.0.1:${node.port('proxy_listen')}`;
      await waitFor(async () => {
        await http('GET', `${proxy}/r?rotated=2`);
        return existsSync(accessLog) && readFileSync(accessLog, 'utf8').includes('rotated=2') ? true : undefined;
      }, 'the new access log after logs reopen');
    });
  });

  it('HUP (tollgate reload) under load: a listener added then removed, worker_processes 1 -> 2 -> 1, no request dropped or reset', async () => {
    const prefix = tempPrefix();
    const port = await freePort();
    const conf = loopbackConf(prefix, { proxy_listen: `127.0.0.1:${port}`, worker_processes: '1' });
    const confFile = writeConf(prefix, conf);
    const node = await startNode(['-c', confFile, '-p', prefix]);
    try {
      const proxy = await withRoute(node);
      expect(childPids(node.child.pid!)).toHaveLength(1);
      // 8 keep-alive clients in a request loop for the whole reload
      const agent = new Agent({ keepAlive: true, maxSockets: 8 });
      const outcomes = new Map<string, number>();
      let running = true;
      const count = (k: string) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
      const once = () => new Promise<void>((resolve) => {
        const req = request(`${proxy}/r`, { agent }, (res) => {
          res.resume();
          res.on('end', () => { count(res.statusCode! >= 200 && res.statusCode! < 300 ? '2xx' : `status ${res.statusCode}`); resolve(); });
        });
        req.on('error', (e: NodeJS.ErrnoException) => { count(e.code ?? e.message); resolve(); });
        req.end();
      });
      const loops = Array.from({ length: 8 }, async () => { while (running) await once(); });
      await waitFor(async () => ((outcomes.get('2xx') ?? 0) > 50 ? true : undefined), 'load before the reload');

      writeConf(prefix, { ...conf, proxy_listen: `127.0.0.1:${port}, 127.0.0.1:0`, worker_processes: '2' });
      const reloadStarted = Date.now();
      const beforeReload = outcomes.get('2xx') ?? 0;
      const reload = await runCliAsync(['reload', '-p', prefix]);
      const reloadMs = Date.now() - reloadStarted;
      const atReload = outcomes.get('2xx') ?? 0;
      expect(reload.stderr).toBe('');
      expect(reload.code).toBe(0);
      expect(reload.stdout).toMatch(/^tollgate reloaded \(pid \d+\): applied .*proxy_listen.*worker_processes.*\(workers rolled one at a time\)\n$/);
      await waitFor(async () => ((outcomes.get('2xx') ?? 0) > atReload + 50 ? true : undefined), 'load after the reload');

      expect(childPids(node.child.pid!)).toHaveLength(2);
      const proxies = listenersOf(prefix).filter((l) => l.key === 'proxy_listen');
      expect(proxies.map((l) => l.port)).toContain(port);
      expect(proxies).toHaveLength(2);
      const added = proxies.find((l) => l.port !== port)!;
      expect((await http('GET', `http://127.0.0.1:${added.port}/r`)).status).toBe(200);

      // and back, still under load: the added listener is removed (drained, then closed), worker_processes 2 -> 1
      writeConf(prefix, conf);
      const back = await runCliAsync(['reload', '-p', prefix]);
      expect([back.code, back.stderr]).toEqual([0, '']);
      expect(back.stdout).toMatch(/applied .*proxy_listen.*worker_processes/);
      const atBack = outcomes.get('2xx') ?? 0;
      await waitFor(async () => ((outcomes.get('2xx') ?? 0) > atBack + 50 ? true : undefined), 'load after the second reload');
      running = false;
      await Promise.all(loops);
      agent.destroy();

      expect(Object.fromEntries([...outcomes].filter(([k]) => k !== '2xx'))).toEqual({}); // no non-2xx, no reset, no refusal
      expect(outcomes.get('2xx')).toBeGreaterThan(100);
      process.stdout.write(`[reload] ${reloadMs} ms for \`tollgate reload\` (2 workers rolled); ${atReload - beforeReload} requests answered 2xx during it, ${outcomes.get('2xx')} in all over two reloads; non-2xx, resets, refusals: 0\n`);
      await waitFor(async () => (childPids(node.child.pid!).length === 1 ? true : undefined), 'one worker left');
      expect(listenersOf(prefix).filter((l) => l.key === 'proxy_listen').map((l) => l.port)).toEqual([port]);
      await waitFor(async () => ((await refused(added.port)) ? true : undefined), 'the removed listener closed');
    } finally {
      await stopNode(node);
    }
  });

  it('reload with a changed admin_listen: the new address answers, the old one is closed, nothing waits for a restart', async () => {
    const prefix = tempPrefix();
    const conf = loopbackConf(prefix);
    const node = await startNode(['-c', writeConf(prefix, conf), '-p', prefix]);
    try {
      const oldPort = node.port('admin_listen');
      const newPort = await freePort();
      writeConf(prefix, { ...conf, admin_listen: `127.0.0.1:${newPort}` });
      const r = await runCliAsync(['reload', '-p', prefix]);
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect(r.stdout).toContain('admin_listen');
      expect((await http('GET', `http://127.0.0.1:${newPort}/`)).status).toBe(200);
      expect(await refused(oldPort)).toBe(true);
      expect(listenersOf(prefix).filter((l) => l.key === 'admin_listen').map((l) => l.port)).toEqual([newPort]);
      expect(node.logs.some((l) => l.includes('take effect on restart only'))).toBe(false);
      expect((await http('GET', `http://127.0.0.1:${node.port('proxy_listen')}/x`)).status).toBe(404);
    } finally {
      await stopNode(node);
    }
  });

  it('reload with a changed cluster_listen on a control plane: data planes pull from the new address, the old one is closed', async () => {
    const dir = tempPrefix();
    const cert = join(dir, 'cluster.crt');
    const key = join(dir, 'cluster.key');
    expect((await runCliAsync(['cluster', 'cert', '--cert', cert, '--key', key])).code).toBe(0);
    const cpPrefix = tempPrefix();
    const oldPort = await freePort();
    const cpConf = { prefix: cpPrefix, role: 'control_plane', admin_listen: '127.0.0.1:0', status_listen: 'off', cluster_listen: `127.0.0.1:${oldPort}`, cluster_cert: cert, cluster_cert_key: key };
    const cp = await startNode(['-c', writeConf(cpPrefix, cpConf), '-p', cpPrefix]);
    let dp: RunningNode | undefined;
    try {
      const newPort = await freePort();
      writeConf(cpPrefix, { ...cpConf, cluster_listen: `127.0.0.1:${newPort}` });
      const r = await runCliAsync(['reload', '-p', cpPrefix]);
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect(r.stdout).toContain('cluster_listen');
      expect(cp.logs.some((l) => l.includes('take effect on restart only'))).toBe(false);
      expect(await refused(oldPort)).toBe(true);
      expect(listenersOf(cpPrefix).filter((l) => l.key === 'cluster_listen').map((l) => l.port)).toEqual([newPort]);
      // a data plane configured with the new address gets the control plane's routes
      const admin = `http://127.0.0.1:${cp.port('admin_listen')}`;
      expect((await http('POST', `${admin}/services`, { body: { name: 's', url: `http://127.0.0.1:${upstreamPort}` } })).status).toBe(201);
      expect((await http('POST', `${admin}/services/s/routes`, { body: { name: 'r', paths: ['/r'] } })).status).toBe(201);
      const dpPrefix = tempPrefix();
      dp = await startNode(['-c', writeConf(dpPrefix, loopbackConf(dpPrefix, {
        role: 'data_plane', database: 'off', cluster_control_plane: `127.0.0.1:${newPort}`, cluster_cert: cert, cluster_cert_key: key,
      })), '-p', dpPrefix]);
      const proxy = `http://127.0.0.1:${dp.port('proxy_listen')}`;
      await waitFor(async () => ((await http('GET', `${proxy}/r`)).status === 200 ? true : undefined), 'the route on the data plane');
    } finally {
      if (dp) await stopNode(dp);
      await stopNode(cp);
    }
  });

  it('tollgate reload refuses a broken tollgate.conf before signalling: the node keeps serving its configuration', async () => {
    const prefix = tempPrefix();
    const conf = loopbackConf(prefix);
    const node = await startNode(['-c', writeConf(prefix, conf), '-p', prefix]);
    try {
      writeConf(prefix, { ...conf, worker_processes: 'many', proxy_lisen: '127.0.0.1:0' });
      const r = await runCliAsync(['reload', '-p', prefix]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('worker_processes');
      expect(r.stderr).toContain('proxy_lisen');
      expect(node.logs.some((l) => l.includes('SIGHUP'))).toBe(false);
      // the same file through a raw HUP: refused by the node, which says so and keeps running
      process.kill(node.child.pid!, 'SIGHUP');
      await waitFor(async () => (node.logs.some((l) => l.includes('reload refused, the running configuration is kept')) ? true : undefined), 'the refusal');
      expect((await http('GET', `http://127.0.0.1:${node.port('proxy_listen')}/x`)).status).toBe(404);
    } finally {
      await stopNode(node);
    }
  });

  it('a worker killed while the node starts is started again: the node starts and serves', async () => {
    const prefix = tempPrefix();
    const child = guardPipes(spawn(process.execPath, [BIN, 'start', '-c', writeConf(prefix, loopbackConf(prefix, { worker_processes: '2' })), '-p', prefix], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const first = await waitFor(async () => childPids(child.pid!)[0], 'the first worker', 30_000, 5);
      process.kill(first, 'SIGKILL');
      await waitFor(async () => (out.includes('tollgate started') ? true : undefined), `the node to start; output:\n${out}`, 60_000);
      expect(out).toContain('exited before it started listening');
      await waitFor(async () => (childPids(child.pid!).length === 2 ? true : undefined), 'two workers');
      expect(childPids(child.pid!)).not.toContain(first);
      const proxy = listenersOf(prefix).find((l) => l.key === 'proxy_listen')!;
      expect((await http('GET', `http://127.0.0.1:${proxy.port}/x`)).status).toBe(404);
      // and one killed right after the start is replaced too
      const [victim] = childPids(child.pid!);
      process.kill(victim, 'SIGKILL');
      await waitFor(async () => (childPids(child.pid!).length === 2 && !childPids(child.pid!).includes(victim) ? true : undefined), 'the replacement worker');
      await waitFor(async () => ((await http('GET', `http://127.0.0.1:${proxy.port}/x`)).status === 404 ? true : undefined), 'the proxy after the respawn');
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });

  it('tollgate quit: SIGQUIT, graceful stop, exit 0; --wait and --timeout as kong quit', async () => {
    const prefix = tempPrefix();
    const node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix)), '-p', prefix]);
    const ports = node.listeners.map((l) => l.port);
    const r = await runCliAsync(['quit', '-p', prefix, '--wait', '0.2', '-t', '20']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`waiting 0.2 s before quitting\ntollgate stopped (gracefully) (pid ${node.child.pid})\n`);
    expect(r.code).toBe(0);
    expect(await node.exited).toEqual({ code: 0, signal: null });
    expect(node.logs.some((l) => l.includes('received SIGQUIT: stopping gracefully'))).toBe(true);
    for (const p of ports) expect(await refused(p)).toBe(true);
    expect((await runCliAsync(['quit', '-p', prefix, '--timeout', 'soon'])).stderr).toContain("--timeout expects a number of seconds, got 'soon'");
  });

  it('tollgate quit --timeout: a request that outlives the timeout does not hold the stop; the node is stopped by force', async () => {
    // an upstream that never answers: the graceful stop would wait for it up to its own 10 s
    const held = createNetServer((socket) => socket.on('error', () => undefined));
    await new Promise<void>((r) => held.listen(0, '127.0.0.1', () => r()));
    const prefix = tempPrefix();
    const node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix)), '-p', prefix]);
    try {
      const admin = `http://127.0.0.1:${node.port('admin_listen')}`;
      expect((await http('POST', `${admin}/services`, { body: { name: 'held', url: `http://127.0.0.1:${(held.address() as AddressInfo).port}`, read_timeout: 60_000 } })).status).toBe(201);
      expect((await http('POST', `${admin}/services/held/routes`, { body: { paths: ['/held'] } })).status).toBe(201);
      const proxy = `http://127.0.0.1:${node.port('proxy_listen')}`;
      await waitFor(async () => ((await http('GET', `${proxy}/nothing`)).status === 404 ? true : undefined), 'the proxy');
      const inflight = connect(node.port('proxy_listen'), '127.0.0.1');
      inflight.on('error', () => undefined);
      await new Promise((r) => inflight.once('connect', r));
      const connections = new Promise<number>((r) => held.once('connection', () => r(Date.now())));
      // routes reach the worker asynchronously: retry until the request is the one held by the upstream
      await waitFor(async () => {
        inflight.write('GET /held HTTP/1.1\r\nHost: x\r\n\r\n');
        return Promise.race([connections.then(() => true), new Promise<undefined>((r) => setTimeout(() => r(undefined), 300))]);
      }, 'the request held by the upstream');
      const started = Date.now();
      const r = await runCliAsync(['quit', '-p', prefix, '--timeout', '1']);
      const tookMs = Date.now() - started;
      expect(r.stderr).toBe(`tollgate (pid ${node.child.pid}) still running after 1 s: forcing shutdown\n`);
      expect(r.stdout).toBe(`tollgate stopped (forced) (pid ${node.child.pid})\n`);
      expect(r.code).toBe(0);
      expect(tookMs).toBeLessThan(8000); // not the graceful stop's 10 s
      expect((await node.exited).code).toBe(0);
      expect(node.logs.some((l) => l.includes('received SIGTERM while stopping: stopping now'))).toBe(true);
      inflight.destroy();
    } finally {
      await stopNode(node);
      held.close();
    }
  });
});

