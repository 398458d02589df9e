// The response as plugins see it: exits during access, header changes queued in access and applied live from
// header_filter on.
import { renderProxyError } from '@tollgate/errors';
import type { ChunkFilter, PluginResponse } from '../types';
import type { PluginExit } from './host';
import { storedHeaderName, safeHeaderValue, safeHeaderValues } from './header-name';

const JSON_TYPE = 'application/json; charset=utf-8';

export class ResponseView implements PluginResponse {
  exitResponse: PluginExit | null = null;
  /**
   * Header changes made before the response exists (access phase), applied by attach: flat triples of lower-case
   * name, value (null = clear) and append, so that queuing a header allocates nothing of its own.
   */
  queued: Array<string | string[] | null | boolean> | null = null;
  /** The live response headers once header_filter starts (lower-case names). */
  live: Record<string, string | string[] | number | undefined> | null = null;
  status = 0;
  body: Buffer | undefined;
  /** Set in header_filter by filterChunks: the host streams the upstream body through it. */
  chunkFilter: ChunkFilter | null = null;

  /** `request` gives the Accept header for error bodies (read only when a plugin calls error()). */
  constructor(private readonly request: { getHeader(name: string): string | undefined }, private readonly requestId: string) {}

  get exited(): boolean { return this.exitResponse !== null; }

  exit(status: number, body?: unknown, headers?: Readonly<Record<string, string | readonly string[]>>, options?: { readonly proxied?: boolean }): void {
    const out: Record<string, string | string[]> = {};
    let payload: Buffer;
    if (body === undefined || body === null) payload = Buffer.alloc(0);
    else if (typeof body === 'string' || Buffer.isBuffer(body)) payload = Buffer.from(body as string);
    else {
      payload = Buffer.from(JSON.stringify(body));
      out['content-type'] = JSON_TYPE;
    }
    if (headers) for (const k of Object.keys(headers)) out[storedHeaderName(k)] = safeHeaderValues(headers[k]);
    this.exitResponse = { status, headers: out, body: payload, ...(options?.proxied ? { proxied: true } : {}) };
  }

  /**
   * The filter phase a plugin failed in (run-phases callSync), or null: the host fails the request with Kong's 500
   * while its head has not left, and cuts the connection once it has (sendProxyError does both).
   */
  failedPhase: 'header_filter' | 'body_filter' | null = null;

  fail(phase: 'header_filter' | 'body_filter'): void {
    this.failedPhase ??= phase;
  }

  error(status: number, message: string, headers?: Readonly<Record<string, string>>): void {
    const rendered = renderProxyError(status, message, this.request.getHeader('accept'), this.requestId);
    this.exit(status, rendered.body, { 'content-type': rendered.contentType, ...headers });
  }

  getStatus(): number { return this.status; }

  getHeader(name: string): string | undefined {
    const v = this.live?.[storedHeaderName(name)];
    if (v === undefined) return undefined;
    return Array.isArray(v) ? v[0] : String(v);
  }

  getHeaders(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    const live = this.live;
    if (live !== null) {
      for (const k of Object.keys(live)) {
        const v = live[k];
        if (v !== undefined) out[k] = Array.isArray(v) ? [...v] : String(v);
      }
    }
    return out;
  }

  setHeader(name: string, value: string | readonly string[]): void {
    this.change(storedHeaderName(name), safeHeaderValues(value), false);
  }

  addHeader(name: string, value: string): void { this.change(storedHeaderName(name), safeHeaderValue(value), true); }
  clearHeader(name: string): void { this.change(storedHeaderName(name), null, false); }

  /** Upstream trailers of a gRPC call (lower-case names), set by the proxy before body_filter. */
  trailers: Readonly<Record<string, string>> | null = null;

  getTrailer(name: string): string | undefined { return this.trailers?.[name.toLowerCase()]; }

  filterChunks(filter: ChunkFilter): void {
    const previous = this.chunkFilter;
    // two streaming plugins compose in chain order: the later one sees what the earlier one emitted
    this.chunkFilter = previous === null ? filter : (chunk, last) => {
      const out = previous(chunk, last);
      return filter(typeof out === 'string' ? Buffer.from(out) : out, last);
    };
  }

  getBody(): Buffer | undefined { return this.body; }
  setStatus(status: number): void { this.status = status; }
  setBody(body: Buffer | string): void { this.body = typeof body === 'string' ? Buffer.from(body) : body; }

  private change(key: string, value: string | string[] | null, append: boolean): void {
    if (this.live === null) {
      (this.queued ??= []).push(key, value, append);
      return;
    }
    applyHeader(this.live, key, value, append);
  }

  /** The service's status (Kong's kong.service.response.get_status): null when no plugin exit stood in for it. */
  serviceStatus: number | null = null;

  /** Starts header_filter on these headers: queued changes from access are applied first. */
  attach(status: number, headers: Record<string, string | string[] | number | undefined>): void {
    this.status = status;
    if (this.exitResponse === null) this.serviceStatus = status;
    this.live = headers;
    const queued = this.queued;
    if (queued !== null) {
      for (let i = 0; i < queued.length; i += 3) applyHeader(headers, queued[i] as string, queued[i + 1] as string | string[] | null, queued[i + 2] as boolean);
    }
    this.queued = null;
  }
}

function applyHeader(target: Record<string, string | string[] | number | undefined>, key: string, value: string | string[] | null, append: boolean): void {
  if (value === null) {
    delete target[key];
    return;
  }
  const existing = target[key];
  if (!append || existing === undefined) target[key] = value;
  else target[key] = [...(Array.isArray(existing) ? existing : [String(existing)]), ...(Array.isArray(value) ? value : [value])];
}
