// A throw-away OpenLDAP server for tests: Debian's slapd on loopback ports with its own config and database in a
// temp dir, entries loaded with ldapadd, TLS (ldaps and StartTLS) with a self-signed certificate.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCertificate } from '@tollgate/pki';
import { waitFor } from './wait';
import { guardPipes } from './child-pipes';

export interface Slapd {
  readonly port: number;
  readonly ldapsPort: number;
  readonly suffix: string;
  /** Adds entries (LDIF) as the root DN. */
  add(ldif: string): void;
  stop(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as import('node:net').AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });

const reachable = (port: number) =>
  new Promise<true | undefined>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(undefined));
  });

export const SLAPD_ROOT_DN = 'cn=admin,dc=example,dc=com';
const ROOT_PW = 'admin-secret';

export async function startSlapd(): Promise<Slapd> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-slapd-'));
  mkdirSync(join(dir, 'data'));
  const tls = issueCertificate({ commonName: 'localhost', altNames: ['localhost', '127.0.0.1'] });
  writeFileSync(join(dir, 'cert.pem'), tls.cert);
  writeFileSync(join(dir, 'key.pem'), tls.key);
  const suffix = 'dc=example,dc=com';
  writeFileSync(join(dir, 'slapd.conf'), [
    'include /etc/ldap/schema/core.schema',
    'include /etc/ldap/schema/cosine.schema',
    'include /etc/ldap/schema/inetorgperson.schema',
    `pidfile ${join(dir, 'slapd.pid')}`,
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    `TLSCertificateFile ${join(dir, 'cert.pem')}`,
    `TLSCertificateKeyFile ${join(dir, 'key.pem')}`,
    'database mdb',
    'maxsize 10485760',
    `suffix "${suffix}"`,
    `rootdn "${SLAPD_ROOT_DN}"`,
    `rootpw ${ROOT_PW}`,
    `directory ${join(dir, 'data')}`,
    '',
  ].join('\n'));
  const port = await freePort();
  const ldapsPort = await freePort();
  // -d 0: stay in the foreground (so the test owns the process) without debug output
  const child: ChildProcess = guardPipes(spawn('/usr/sbin/slapd', ['-d', '0', '-h', `ldap://127.0.0.1:${port}/ ldaps://127.0.0.1:${ldapsPort}/`, '-f', join(dir, 'slapd.conf')], { stdio: ['ignore', 'ignore', 'pipe'] }));
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr += c));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    await waitFor(() => reachable(port), `slapd on port ${port} (${stderr})`, 10_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const add = (ldif: string) => {
    const r = spawnSync('ldapadd', ['-x', '-H', `ldap://127.0.0.1:${port}`, '-D', SLAPD_ROOT_DN, '-w', ROOT_PW], { input: ldif, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ldapadd failed: ${r.stderr}`);
  };
  add(`dn: ${suffix}\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example\n`);
  return {
    port, ldapsPort, suffix, add,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
