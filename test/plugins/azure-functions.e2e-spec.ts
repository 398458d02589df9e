// azure-functions through a real DB-less node. Kong calls http(s)://<appname>.<hostdomain> on the scheme's port
// (80 or 443), so the test's functions listen on ports 80 and 443 of loopback addresses of their own (the suite
// runs as root, as CI does), and each config names one by its octets: appname "127.a.b", hostdomain "c".
// HTTPS with https_verify trusts the CA given in lua_ssl_trusted_certificate.
import http from 'node:http';
import https from 'node:https';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCertificate } from '@tollgate/pki';
import { http as request } from '../support/http';
import { createKit, type Kit } from './support/kit';

interface Seen { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }

/** A function app: records each call and echoes it; /api/fail answers 503. */
function functionApp(seen: Seen[]): http.RequestListener {
  return (req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (p: Buffer) => parts.push(p));
    req.on('end', () => {
      const call = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(parts).toString() };
      seen.push(call);
      res.writeHead(req.url!.startsWith('/api/fail') ? 503 : 200, { 'content-type': 'application/json', 'x-fn': 'azure' });
      res.end(JSON.stringify({ url: call.url, body: call.body }));
    });
  };
}

const listen = (server: http.Server, host: string, port: number) =>
  new Promise<void>((ok, fail) => { server.once('error', fail); server.listen(port, host, () => ok()); });
const close = (server?: http.Server) => new Promise<void>((ok) => { if (!server) return ok(); server.closeAllConnections(); server.close(() => ok()); });

/** A loopback address no other suite uses. */
const octet = () => 2 + Math.floor(Math.random() * 250);
const loopback = () => `127.${octet()}.${octet()}.${octet()}`;
/** appname + hostdomain naming `addr` (Kong joins them with a dot). */
const at = (addr: string) => ({ appname: addr.slice(0, addr.lastIndexOf('.')), hostdomain: addr.slice(addr.lastIndexOf('.') + 1) });

describe('azure-functions (proxy)', () => {
  let kit: Kit;
  const seen: Seen[] = [];
  const untrustedSeen: Seen[] = [];
  let plain: http.Server;
  let secure: https.Server;
  let untrusted: https.Server;
  const addr = loopback();
  const other = loopback();

  beforeAll(async () => {
    const ca = issueCertificate({ commonName: 'functions test CA', isCa: true });
    const leaf = issueCertificate({ commonName: addr, altNames: [addr], issuer: ca, usage: 'server' });
    const selfSigned = issueCertificate({ commonName: other, altNames: [other], usage: 'server' });
    const caFile = join(mkdtempSync(join(tmpdir(), 'tollgate-azure-')), 'ca.pem');
    writeFileSync(caFile, ca.cert);
    plain = http.createServer(functionApp(seen));
    secure = https.createServer({ cert: leaf.cert, key: leaf.key }, functionApp(seen));
    untrusted = https.createServer({ cert: selfSigned.cert, key: selfSigned.key }, functionApp(untrustedSeen));
    await Promise.all([listen(plain, addr, 80), listen(secure, addr, 443), listen(untrusted, other, 443)]);

    kit = await createKit({ conf: { lua_ssl_trusted_certificate: caFile } });
    const b = kit.builder;
    const s = b.service(kit.upstream.port);
    const add = (path: string, config: Record<string, unknown>) => b.plugin('azure-functions', config, { route: b.route(s, [path]) });
    add('/plain', { ...at(addr), https: false, functionname: 'hello', apikey: 'key-1', clientid: 'client-1' });
    add('/slashes', { ...at(addr), https: false, routeprefix: '/v2/', functionname: '/fn/' });
    add('/no-prefix', { ...at(addr), https: false, routeprefix: null, functionname: 'fn' });
    add('/fail', { ...at(addr), https: false, functionname: 'fail' });
    add('/verified', { ...at(addr), https_verify: true, functionname: 'hello' });
    add('/untrusted', { ...at(other), https_verify: true, functionname: 'hello' });
    add('/unverified', { ...at(other), functionname: 'hello' });
    await kit.start();
  });
  afterAll(async () => {
    await kit?.close();
    await Promise.all([close(plain), close(secure), close(untrusted)]);
  });

  it('calls <routeprefix>/<functionname> with the client\'s method, query, headers and body, plus the key headers', async () => {
    const r = await kit.send('POST', '/plain/anything?a=1&b=two', { body: 'hello azure', headers: { 'content-type': 'text/plain', 'x-custom': 'c' } });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ url: '/api/hello?a=1&b=two', body: 'hello azure' });
    expect(r.headers['x-fn']).toBe('azure');
    expect(r.headers.via).toMatch(/^1\.1 tollgate\//);
    const call = seen[seen.length - 1];
    expect(call.method).toBe('POST');
    expect(call.headers).toMatchObject({ 'x-functions-key': 'key-1', 'x-functions-clientid': 'client-1', 'x-custom': 'c', 'content-type': 'text/plain', host: addr });
    expect(kit.upstream.requests).toBe(0);
  });

  it('strips the slashes around routeprefix and functionname; a null prefix is no prefix', async () => {
    expect((await kit.get('/slashes')).json.url).toBe('/v2/fn');
    expect((await kit.get('/no-prefix')).json.url).toBe('/fn');
    expect(seen[seen.length - 1].headers['x-functions-key']).toBeUndefined();
  });

  it('passes the function\'s status back', async () => {
    const r = await kit.get('/fail');
    expect(r.status).toBe(503);
    expect(r.headers['x-fn']).toBe('azure');
  });

  it('https with https_verify: a certificate from lua_ssl_trusted_certificate is accepted, an unknown one is a 500', async () => {
    expect((await kit.get('/verified/x')).status).toBe(200);
    const before = untrustedSeen.length;
    const refused = await kit.get('/untrusted/x');
    expect(refused.status).toBe(500);
    expect(refused.json).toEqual({ message: 'An unexpected error occurred' });
    expect(untrustedSeen.length).toBe(before);
    // https_verify off (Kong's default) talks to it anyway
    expect((await kit.get('/unverified/x')).status).toBe(200);
    expect(untrustedSeen.length).toBe(before + 1);
  });

  it('GET /schemas/plugins/azure-functions: Kong\'s fields and defaults; appname and functionname required', async () => {
    const r = await request('GET', `${kit.admin}/schemas/plugins/azure-functions`);
    const fields = Object.fromEntries(r.json.fields.find((f: Record<string, unknown>) => 'config' in f).config.fields.map((f: Record<string, unknown>) => Object.entries(f)[0]));
    expect(Object.keys(fields)).toEqual(['timeout', 'keepalive', 'https', 'https_verify', 'apikey', 'clientid', 'appname', 'hostdomain', 'routeprefix', 'functionname']);
    expect(fields.timeout).toMatchObject({ default: 600000 });
    expect(fields.https).toMatchObject({ default: true });
    expect(fields.https_verify).toMatchObject({ default: false });
    expect(fields.hostdomain).toMatchObject({ default: 'azurewebsites.net', required: true });
    expect(fields.routeprefix).toMatchObject({ default: 'api' });
    const bad = await request('POST', `${kit.admin}/schemas/plugins/validate`, { body: { name: 'azure-functions', config: {} } });
    expect(bad.status).toBe(400);
    expect(bad.json.fields.config).toEqual({ appname: 'required field missing', functionname: 'required field missing' });
  });
});
