// A real ACME server for the acme plugin's suites: Debian's `pebble`, on loopback ports, with its HTTPS certificate
// from a CA this helper makes (the node trusts it through lua_ssl_trusted_certificate), its HTTP-01 validations
// sent to the node's proxy port, and names resolved by a test DNS server.
import { spawn, type ChildProcess } from 'node:child_process';
import { get as httpsGet } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueCertificate } from '@tollgate/pki';
import { startDnsServer, type TestDnsServer } from '../../support/dns-server';
import { waitFor } from '../../support/wait';
import { guardPipes } from '../../support/child-pipes';

export const PEBBLE_BIN = '/usr/bin/pebble';

/** The CA that signs pebble's own HTTPS certificate: give its file to the node before it starts. */
export function pebbleTlsMaterial(dir: string): { caFile: string; certFile: string; keyFile: string; caPem: string } {
  const ca = issueCertificate({ commonName: 'pebble test minica', isCa: true, days: 2 });
  const leaf = issueCertificate({ commonName: '127.0.0.1', altNames: ['127.0.0.1', 'localhost'], issuer: ca, usage: 'server', days: 2 });
  const caFile = join(dir, 'pebble-minica.pem');
  const certFile = join(dir, 'pebble-cert.pem');
  const keyFile = join(dir, 'pebble-key.pem');
  writeFileSync(caFile, ca.cert);
  writeFileSync(certFile, leaf.cert);
  writeFileSync(keyFile, leaf.key);
  return { caFile, certFile, keyFile, caPem: ca.cert };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface Pebble {
  /** The ACME directory URL (the plugin's api_uri). */
  readonly directory: string;
  /** Pebble's root certificate of this run (management interface /roots/{index}; 1.. are alternate roots). */
  root(index?: number): Promise<string>;
  readonly logs: string[];
  readonly dns: TestDnsServer;
  close(): Promise<void>;
}

/** Starts pebble validating HTTP-01 on 127.0.0.1:`httpPort`; `names` resolve to 127.0.0.1. */
export async function startPebble(dir: string, tls: { certFile: string; keyFile: string; caPem: string }, httpPort: number, names: readonly string[], opts: { alternateRoots?: number } = {}): Promise<Pebble> {
  const dns = await startDnsServer(Object.fromEntries(names.map((n) => [n, '127.0.0.1'])));
  const [acmePort, mgmtPort] = [await freePort(), await freePort()];
  const config = join(dir, `pebble-${acmePort}.json`);
  writeFileSync(config, JSON.stringify({
    pebble: {
      listenAddress: `127.0.0.1:${acmePort}`,
      managementListenAddress: `127.0.0.1:${mgmtPort}`,
      certificate: tls.certFile,
      privateKey: tls.keyFile,
      httpPort,
      tlsPort: await freePort(),
      ocspResponderURL: '',
      externalAccountBindingRequired: false,
    },
  }));
  const logs: string[] = [];
  const child: ChildProcess = guardPipes(spawn(PEBBLE_BIN, ['-config', config, '-dnsserver', `127.0.0.1:${dns.port}`], {
    // real validations (no PEBBLE_VA_ALWAYS_VALID), without pebble's random delays and nonce rejections
    env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_VA_ALWAYS_VALID: '0', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0', PEBBLE_ALTERNATE_ROOTS: String(opts.alternateRoots ?? 0) },
    stdio: ['ignore', 'pipe', 'pipe'],
  }));
  const collect = (c: Buffer) => logs.push(...c.toString().split('\n').filter(Boolean));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const ca = [tls.caPem];
  const get = (url: string) => new Promise<string>((resolve, reject) => {
    const req = httpsGet(url, { ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString()) : reject(new Error(`${url}: ${res.statusCode}`))));
    });
    req.on('error', reject);
  });
  const directory = `https://127.0.0.1:${acmePort}/dir`;
  await waitFor(() => get(directory).then(() => true), `pebble's directory (logs: ${logs.join(' | ')})`, 30_000, 100);
  return {
    directory,
    root: (index = 0) => get(`https://127.0.0.1:${mgmtPort}/roots/${index}`),
    logs,
    dns,
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      await dns.close();
    },
  };
}
