// One active probe of one address: a TCP connect, or an HTTP(S) GET of http_path, bounded by `timeout`.
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import type { Address } from '../address';
import type { HealthConfig } from './health-config';
import { type CheckEvent, classifyStatus } from './health-state';

export interface ProbeTls {
  readonly cert?: string;
  readonly key?: string;
}

export interface ProbeHandle {
  readonly result: Promise<CheckEvent | null>;
  abort(): void;
}

export function probe(a: Address, cfg: HealthConfig, hostHeader: string, tls: ProbeTls | undefined): ProbeHandle {
  return cfg.activeType === 'tcp' ? probeTcp(a, cfg) : probeHttp(a, cfg, hostHeader, tls);
}

function probeTcp(a: Address, cfg: HealthConfig): ProbeHandle {
  let socket: net.Socket | null = null;
  const result = new Promise<CheckEvent | null>((resolve) => {
    socket = net.connect({ host: a.ip, port: a.port });
    const timer = setTimeout(() => {
      socket!.destroy();
      resolve('timeout');
    }, cfg.timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket!.destroy();
      resolve('success');
    });
    socket.once('error', () => {
      clearTimeout(timer);
      resolve('tcp_failure');
    });
  });
  return { result, abort: () => socket?.destroy() };
}

function probeHttp(a: Address, cfg: HealthConfig, hostHeader: string, tls: ProbeTls | undefined): ProbeHandle {
  let req: http.ClientRequest | null = null;
  const result = new Promise<CheckEvent | null>((resolve) => {
    let done = false;
    const finish = (e: CheckEvent | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req?.destroy();
      resolve(e);
    };
    const headers: Record<string, string | string[]> = { ...cfg.headers, host: hostHeader, connection: 'close' };
    const secure = cfg.activeType === 'https' || cfg.activeType === 'grpcs';
    const options: https.RequestOptions = {
      host: a.ip,
      port: a.port,
      method: 'GET',
      path: cfg.httpPath,
      headers,
      agent: false,
      setHost: false,
    };
    if (secure) {
      const sni = cfg.httpsSni ?? (net.isIP(hostHeader) === 0 ? hostHeader : undefined);
      Object.assign(options, { servername: sni, rejectUnauthorized: cfg.httpsVerifyCertificate, cert: tls?.cert, key: tls?.key });
    }
    const timer = setTimeout(() => finish('timeout'), cfg.timeoutMs);
    req = (secure ? https : http).request(options, (res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      finish(classifyStatus(cfg.active, status));
    });
    req.once('error', () => finish('tcp_failure'));
    req.end();
  });
  return { result, abort: () => req?.destroy() };
}
