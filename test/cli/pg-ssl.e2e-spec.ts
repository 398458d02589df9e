// pg_ssl and pg_ssl_verify on the real `tollgate start`, as Kong reads them: the PostgreSQL connection is TLS, and
// with pg_ssl_verify the server certificate is checked against lua_ssl_trusted_certificate. The test database
// speaks no TLS, so a terminator in front of it answers PostgreSQL's SSLRequest with 'S', completes the TLS
// handshake with a certificate from the test's own CA and relays the plaintext to 127.0.0.1:5432; it counts the
// TLS sessions and refuses (closes) a client that starts without asking for TLS.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import { issueCertificate } from '@tollgate/pki';
import { http } from '../support/http';
import { runCliAsync, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../support/cli-node';
import { dropSchema, PG_USER } from '../support/pg';

jest.setTimeout(90_000);

const SSL_REQUEST = 80877103;

interface Terminator { port: number; readonly sessions: number; readonly plain: number; close(): Promise<void> }

async function startTlsTerminator(cert: string, key: string): Promise<Terminator> {
  let sessions = 0;
  let plain = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('error', () => undefined);
    client.once('data', (first: Buffer) => {
      if (first.length !== 8 || first.readInt32BE(4) !== SSL_REQUEST) {
        plain++;
        return void client.destroy();
      }
      client.pause();
      client.write('S');
      const secure = new TLSSocket(client, { isServer: true, cert, key });
      secure.on('error', () => client.destroy());
      secure.once('secure', () => {
        sessions++;
        const pg = connect(5432, '127.0.0.1');
        sockets.add(pg);
        pg.on('error', () => secure.destroy());
        secure.pipe(pg).pipe(secure);
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    get sessions() { return sessions; },
    get plain() { return plain; },
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}


describe('pg_ssl, pg_ssl_verify and lua_ssl_trusted_certificate', () => {
  const dir = tempPrefix();
  const schema = `pgssl_${randomBytes(4).toString('hex')}`;
  const ca = issueCertificate({ commonName: 'Database CA', isCa: true });
  const leaf = issueCertificate({ commonName: 'localhost', altNames: ['localhost', '127.0.0.1'], issuer: ca, usage: 'server' });
  let terminator: Terminator;
  let node: RunningNode | undefined;

  const conf = (prefix: string, extra: Record<string, string>) => writeConf(prefix, {
    prefix,
    database: 'postgres',
    pg_host: '127.0.0.1',
    pg_port: String(terminator.port),
    pg_user: PG_USER,
    pg_database: 'test',
    pg_schema: schema,
    pg_timeout: '3000',
    proxy_listen: '127.0.0.1:0',
    admin_listen: '127.0.0.1:0',
    status_listen: '127.0.0.1:0',
    worker_processes: '1',
    ...extra,
  });

  beforeAll(async () => {
    writeFileSync(join(dir, 'db-ca.pem'), ca.cert);
    terminator = await startTlsTerminator(leaf.cert, leaf.key);
  });

  afterAll(async () => {
    if (node) await stopNode(node);
    await terminator?.close();
    await dropSchema(schema);
  });

  it('pg_ssl = on with pg_ssl_verify = on: TLS verified against lua_ssl_trusted_certificate, the Admin API reads and writes', async () => {
    const prefix = tempPrefix();
    const file = conf(prefix, { pg_ssl: 'on', pg_ssl_verify: 'on', lua_ssl_trusted_certificate: join(dir, 'db-ca.pem') });
    expect((await runCliAsync(['migrations', 'up', '-c', file])).code).toBe(0);
    node = await startNode(['-c', file, '-p', prefix]);
    const admin = `http://127.0.0.1:${node.port('admin_listen')}`;
    expect((await http('POST', `${admin}/services`, { body: { name: 'over-tls', url: 'http://127.0.0.1:9' } })).status).toBe(201);
    expect((await http('GET', `${admin}/services/over-tls`)).json.name).toBe('over-tls');
    expect(terminator.sessions).toBeGreaterThan(0);
    expect(terminator.plain).toBe(0);
    await stopNode(node);
    node = undefined;
  });

  it('pg_ssl_verify = on without the CA in lua_ssl_trusted_certificate: the certificate is refused and nothing is read', async () => {
    const prefix = tempPrefix();
    const before = terminator.sessions;
    const r = await runCliAsync(['start', '-c', conf(prefix, { pg_ssl: 'on', pg_ssl_verify: 'on' }), '-p', prefix]);
    expect(r.code).toBe(1);
    expect(`${r.stdout}${r.stderr}`).toMatch(/self[- ]signed certificate|unable to (get local issuer|verify)/i);
    expect(terminator.sessions).toBe(before);
  });

  it('pg_ssl = on with pg_ssl_verify = off: TLS without verification, as Kong', async () => {
    const prefix = tempPrefix();
    const before = terminator.sessions;
    node = await startNode(['-c', conf(prefix, { pg_ssl: 'on' }), '-p', prefix]);
    expect((await http('GET', `http://127.0.0.1:${node.port('admin_listen')}/services/over-tls`)).status).toBe(200);
    expect(terminator.sessions).toBeGreaterThan(before);
    expect(terminator.plain).toBe(0);
  });
});
