// Kong's Go client against a real Tollgate node: the integration tests Debian ships with
// golang-github-kong-go-kong-dev (go-kong 0.15), compiled once in GOPATH mode without network, each run on its
// own against an emptied database so that one failure cannot cascade into the next test.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loopbackConf, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../support/cli-node';
import { guardPipes } from '../support/child-pipes';

const GO_KONG = '/usr/share/gocode/src/github.com/kong/go-kong';
const URL_ENV = 'TOLLGATE_GO_KONG_ADMIN_URL';

/** go-kong tests that skip themselves against any Kong OSS node, with go-kong's reason. */
const EXPECTED_SKIPS: Record<string, string> = {
  TestRunWhenEnterprise: 'Enterprise only',
  TestRBACEndpointPermissionservice: 'Enterprise only (RBAC)',
  TestRBACEntityPermissionservice: 'Enterprise only (RBAC)',
  TestRBACEntityPermissionserviceList: 'Enterprise only (RBAC)',
  TestRBACRoleService: 'Enterprise only (RBAC)',
  TestRBACRoleServiceList: 'Enterprise only (RBAC)',
  TestRBACUserService: 'Enterprise only (RBAC)',
  TestRBACUserServiceWorkspace: 'Enterprise only (RBAC, workspaces)',
  TestUserRoles: 'Enterprise only (RBAC)',
  TestCustomEntityService: 'skipped unconditionally by go-kong',
  TestOauth2CredentialUpdate: 'runs only against Kong < 2.1',
};

/** Everything a go-kong test may create, children before parents (plugins and routes before services...). */
const COLLECTIONS = ['plugins', 'routes', 'services', 'consumers', 'upstreams', 'snis', 'certificates', 'ca_certificates', 'vaults', 'keys', 'key-sets'];

const work = mkdtempSync(join(tmpdir(), 'tollgate-go-kong-'));
const binary = join(work, 'kong.test');
const goEnv = {
  ...process.env,
  GOPATH: `${work}:/usr/share/gocode`,
  GO111MODULE: 'off',
  GOPROXY: 'off',
  GOFLAGS: '',
  GOCACHE: join(tmpdir(), 'tollgate-go-kong-cache'),
};

/** go-kong's client always talks to localhost:8001; the copy compiled here reads the address from the environment. */
function buildTestBinary(): string[] {
  const pkg = join(work, 'src', 'github.com', 'kong', 'go-kong');
  cpSync(GO_KONG, pkg, { recursive: true });
  const kongGo = join(pkg, 'kong', 'kong.go');
  const source = readFileSync(kongGo, 'utf8');
  const fixed = 'const defaultBaseURL = "http://localhost:8001"';
  if (!source.includes(fixed)) throw new Error(`${kongGo} no longer declares ${fixed}`);
  writeFileSync(kongGo, source.replace(fixed, `var defaultBaseURL = os.Getenv("${URL_ENV}")`));
  const build = spawnSync('go', ['test', '-c', '-o', binary, '.'], { cwd: join(pkg, 'kong'), env: goEnv, encoding: 'utf8', timeout: 300_000 });
  if (build.status !== 0) throw new Error(`go test -c failed: ${build.error?.message ?? ''}${build.stderr}`);
  const list = spawnSync(binary, ['-test.list', '.*'], { encoding: 'utf8' });
  return list.stdout.split('\n').filter((name) => name.startsWith('Test'));
}

const TESTS = buildTestBinary();

async function emptyDatabase(admin: string): Promise<void> {
  for (const collection of COLLECTIONS) {
    for (;;) {
      const res = await fetch(`${admin}/${collection}?size=1000`);
      if (res.status === 404) break;
      const { data } = (await res.json()) as { data: Array<{ id: string }> };
      if (data.length === 0) break;
      for (const row of data) await fetch(`${admin}/${collection}/${row.id}`, { method: 'DELETE' });
    }
  }
}

/** Asynchronous: the node's log pipe must keep draining while a test runs. */
function runGoTest(name: string, admin: string): Promise<{ outcome: 'PASS' | 'FAIL' | 'SKIP'; output: string }> {
  return new Promise((resolve) => {
    const child = guardPipes(spawn(binary, ['-test.run', `^${name}$`, '-test.v', '-test.count=1'], { env: { ...goEnv, [URL_ENV]: admin } }));
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (new RegExp(`^--- SKIP: ${name} `, 'm').test(output)) return resolve({ outcome: 'SKIP', output });
      if (code === 0 && new RegExp(`^--- PASS: ${name} `, 'm').test(output)) return resolve({ outcome: 'PASS', output });
      resolve({ outcome: 'FAIL', output });
    });
  });
}

describe('go-kong 0.15 integration tests against a Tollgate node', () => {
  let node: RunningNode;
  let admin: string;

  beforeAll(async () => {
    const prefix = tempPrefix();
    node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix)), '-p', prefix]);
    admin = `http://127.0.0.1:${node.port('admin_listen')}`;
  });

  afterAll(async () => {
    if (node) await stopNode(node);
    rmSync(work, { recursive: true, force: true });
  });

  it('lists every test of the package, the expected skips included', () => {
    expect(TESTS.length).toBeGreaterThan(90);
    expect(TESTS).toEqual(expect.arrayContaining(Object.keys(EXPECTED_SKIPS)));
  });

  it.each(TESTS)('%s', async (name) => {
    await emptyDatabase(admin);
    const { outcome, output } = await runGoTest(name, admin);
    const expected = name in EXPECTED_SKIPS ? 'SKIP' : 'PASS';
    if (outcome !== expected) throw new Error(`${name}: expected ${expected}, got ${outcome}\n${output}`);
  });
});
