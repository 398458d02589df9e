// One pull over mutual TLS. The data plane presents cluster_cert and verifies the control plane:
//   shared: the control plane must present cluster_cert itself (the only trust anchor), SNI kong_clustering;
//   pki:    the control plane's certificate must chain to cluster_ca_cert and match cluster_server_name.
import { Agent, request } from 'node:https';
import { promisify } from 'node:util';
import { brotliDecompress, brotliDecompressSync, gunzip, gunzipSync } from 'node:zlib';
import type { Settings } from '@tollgate/config';
import { loadPem } from '@tollgate/pki';
import { SHARED_MTLS_SERVER_NAME } from '@tollgate/protocol';

const unbrotli = promisify(brotliDecompress);
const ungzip = promisify(gunzip);

export type ClusterClientSettings = Pick<
  Settings,
  'prefix' | 'cluster_control_plane' | 'cluster_mtls' | 'cluster_cert' | 'cluster_cert_key' | 'cluster_ca_cert' | 'cluster_server_name' | 'cluster_max_payload'
>;

export interface PullResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Decompressed body. */
  readonly body: Buffer;
  /** Bytes received on the wire (compressed). */
  readonly wireBytes: number;
}

export class ClusterClient {
  private readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(private readonly settings: ClusterClientSettings) {
    const { host, port } = splitHostPort(settings.cluster_control_plane);
    this.host = host;
    this.port = port;
    if (!settings.cluster_cert || !settings.cluster_cert_key) {
      throw Object.assign(new Error('cluster certificate and key must be provided to use Hybrid mode'), { expected: true });
    }
    const cert = loadPem(settings.cluster_cert, settings.prefix);
    const key = loadPem(settings.cluster_cert_key, settings.prefix);
    const shared = settings.cluster_mtls === 'shared';
    const ca = shared ? cert : settings.cluster_ca_cert ? loadPem(settings.cluster_ca_cert, settings.prefix) : undefined;
    this.agent = new Agent({
      keepAlive: true,
      maxSockets: 1,
      cert,
      key,
      ca,
      servername: shared ? SHARED_MTLS_SERVER_NAME : settings.cluster_server_name ?? host,
      rejectUnauthorized: true,
    });
  }

  /** GET `path`; rejects on transport errors, on `signal`, and after `timeoutMs`. */
  get(path: string, timeoutMs: number, signal?: AbortSignal): Promise<PullResponse> {
    const max = this.settings.cluster_max_payload;
    return new Promise((resolve, reject) => {
      const req = request({
        host: this.host,
        port: this.port,
        path,
        method: 'GET',
        agent: this.agent,
        servername: this.agent.options.servername,
        headers: { 'accept-encoding': 'br, gzip' },
        signal,
      }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > max) {
            req.destroy(payloadError(`configuration payload exceeds cluster_max_payload (${max} bytes)`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          decode(raw, res.headers['content-encoding'], max * MAX_INFLATE_RATIO).then(
            (body) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, wireBytes: raw.length }),
            (err: Error & { code?: string }) => reject(payloadError(err.code === 'ERR_BUFFER_TOO_LARGE'
              ? `configuration payload decompresses to more than ${max * MAX_INFLATE_RATIO} bytes (${MAX_INFLATE_RATIO} x cluster_max_payload)`
              : `configuration payload could not be decompressed (${err.message})`)),
          );
        });
      });
      // A deadline, not an idle timeout: a peer sending a byte now and then would otherwise hold this pull, and every
      // configuration change behind it, for as long as it likes.
      const deadline = setTimeout(() => req.destroy(new Error(`no complete answer from the control plane within ${timeoutMs} ms`)), timeoutMs);
      req.once('close', () => clearTimeout(deadline));
      req.on('error', reject);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Bodies this small (deltas) decompress in microseconds: cheaper on the event loop than via the thread pool. */
const SYNC_DECODE_BELOW = 16 * 1024;

/**
 * cluster_max_payload bounds the bytes on the wire (as Kong's frame limit does), but a compressed body of a few KB
 * can inflate to gigabytes: the decompressed size is bounded too. Configurations compress well (UUIDs and
 * timestamps keep them from compressing much better than 10:1), so a real one stays far below this.
 */
export const MAX_INFLATE_RATIO = 8;

/** A response that arrived but cannot be used: the control plane was reached, its answer is at fault. */
export interface PayloadError extends Error {
  readonly payload: true;
}

export function isPayloadError(err: unknown): err is PayloadError {
  return (err as Partial<PayloadError> | null)?.payload === true;
}

function payloadError(message: string): PayloadError {
  return Object.assign(new Error(message), { payload: true as const });
}

async function decode(raw: Buffer, encoding: string | undefined, maxOutputLength: number): Promise<Buffer> {
  const small = raw.length < SYNC_DECODE_BELOW;
  if (encoding === 'br') return small ? brotliDecompressSync(raw, { maxOutputLength }) : unbrotli(raw, { maxOutputLength });
  if (encoding === 'gzip') return small ? gunzipSync(raw, { maxOutputLength }) : ungzip(raw, { maxOutputLength });
  return raw;
}

function splitHostPort(value: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(value) ?? /^([^:]+):(\d+)$/.exec(value);
  if (!m) throw Object.assign(new Error(`cluster_control_plane: expected host:port, got '${value}'`), { expected: true });
  return { host: m[1], port: Number(m[2]) };
}
