// The request as plugins see and change it. Changes are recorded lazily: a request no plugin touches allocates
// nothing here beyond the view itself.
import type { IncomingHttpHeaders } from 'node:http';
import type { PluginRequest } from '../types';
import type { HostRequest } from './host';
import { storedHeaderName, safeHeaderValues } from './header-name';

export class RequestView implements PluginRequest {
  /** lower-case name -> new value (null = removed) */
  headerChanges: Map<string, string | string[] | null> | null = null;
  pathOverride: string | null = null;
  methodOverride: string | null = null;
  queryOverride: ReadonlyMap<string, readonly string[]> | null = null;
  /** A query string set as written (Lua's ngx.req.set_uri_args, Kong's set_query / set_raw_query): sent unchanged. */
  rawQueryOverride: string | null = null;
  bodyOverride: Buffer | null = null;
  /**
   * Where the plugins' fields start in the upstream header list applyRequestHeaderChanges last changed (its
   * length when nothing changed, 0 when they set the Host of its first pair): the entries before it are the host's
   * own, in their order.
   */
  upstreamFieldsAt = -1;
  private parsedQuery: Map<string, string[]> | null = null;
  private bodyPromise: Promise<Buffer> | null = null;

  constructor(readonly host_: HostRequest) {}

  get method() { return this.methodOverride ?? this.host_.method; }
  get protocol() { return this.host_.protocol; }
  get scheme() { return this.host_.scheme; }
  get host() { return this.host_.host; }
  get rawPath() { return this.host_.rawPath; }
  get rawQuery() { return this.host_.rawQuery; }
  get httpVersion() { return (this.host_.httpVersion ?? 1.1).toFixed(1); }
  get trustedPeer() { return this.host_.trustedPeer === true; }
  get headers(): IncomingHttpHeaders { return this.host_.headers; }

  headerCount(name: string): number {
    if (this.host_.headerCount) return this.host_.headerCount(name);
    const v = this.host_.headers[name];
    return v === undefined ? 0 : Array.isArray(v) ? v.length : 1;
  }

  getHeader(name: string): string | undefined {
    const changed = this.headerChanges?.get(name);
    if (changed !== undefined) return changed === null ? undefined : Array.isArray(changed) ? changed[0] : changed;
    const v = this.host_.headers[name];
    return Array.isArray(v) ? v[0] : v;
  }

  setHeader(name: string, value: string | readonly string[]): void {
    (this.headerChanges ??= new Map()).set(storedHeaderName(name), safeHeaderValues(value));
  }

  addHeader(name: string, value: string): void {
    const key = storedHeaderName(name);
    const existing = this.headerChanges?.has(key) ? this.headerChanges.get(key) : this.host_.headers[key];
    if (existing === undefined || existing === null) return this.setHeader(key, value);
    this.setHeader(key, [...(Array.isArray(existing) ? existing : [existing]), value]);
  }

  clearHeader(name: string): void {
    const key = storedHeaderName(name);
    if (this.headerChanges === null && this.host_.headers[key] === undefined) return;
    (this.headerChanges ??= new Map()).set(key, null);
  }

  getQuery(): ReadonlyMap<string, readonly string[]> {
    if (this.queryOverride) return this.queryOverride;
    if (!this.parsedQuery) {
      this.parsedQuery = new Map();
      for (const [k, v] of new URLSearchParams(this.host_.rawQuery)) {
        const list = this.parsedQuery.get(k);
        if (list) list.push(v);
        else this.parsedQuery.set(k, [v]);
      }
    }
    return this.parsedQuery;
  }

  setQuery(query: ReadonlyMap<string, readonly string[]>): void {
    this.queryOverride = query;
    this.rawQueryOverride = null;
  }

  /** Sets the upstream query string as written (no leading `?`); getQuery reads it parsed. */
  setRawQuery(raw: string): void {
    const parsed = new Map<string, string[]>();
    for (const [k, v] of new URLSearchParams(raw)) {
      const list = parsed.get(k);
      if (list) list.push(v);
      else parsed.set(k, [v]);
    }
    this.queryOverride = parsed;
    this.rawQueryOverride = raw;
  }
  getPath(): string { return this.pathOverride ?? this.host_.upstreamPath; }
  setPath(path: string): void { this.pathOverride = path; }
  setMethod(method: string): void { this.methodOverride = method.toUpperCase(); }

  readBody(): Promise<Buffer> {
    if (this.bodyOverride) return Promise.resolve(this.bodyOverride);
    return (this.bodyPromise ??= this.host_.readBody());
  }

  /** true when the body was (or is being) read by a plugin: the host must forward the buffered copy. */
  get bodyBuffered(): boolean { return this.bodyPromise !== null || this.bodyOverride !== null; }
  /** The buffered body to forward, once bodyBuffered. */
  bufferedBody(): Promise<Buffer> { return this.bodyOverride ? Promise.resolve(this.bodyOverride) : this.bodyPromise!; }

  setBody(body: Buffer | string): void { this.bodyOverride = typeof body === 'string' ? Buffer.from(body) : body; }

  /** A plugin asked for the request to go upstream as a gRPC call (callAsGrpc). */
  grpcCall = false;
  callAsGrpc(): void { this.grpcCall = true; }

  /** Upstream query string ('' or '?a=b') after plugin changes. */
  upstreamQuery(): string {
    if (!this.queryOverride) return this.host_.rawQuery === '' ? '' : '?' + this.host_.rawQuery;
    if (this.rawQueryOverride !== null) return this.rawQueryOverride === '' ? '' : '?' + this.rawQueryOverride;
    const params = new URLSearchParams();
    for (const [k, values] of this.queryOverride) for (const v of values) params.append(k, v);
    const text = params.toString();
    return text === '' ? '' : '?' + text;
  }

  /** Request headers for the upstream: the client's with plugin changes applied. */
  upstreamHeaders(): IncomingHttpHeaders {
    if (!this.headerChanges) return this.host_.headers;
    const out: IncomingHttpHeaders = { ...this.host_.headers };
    for (const [k, v] of this.headerChanges) {
      if (v === null) delete out[k];
      else out[k] = v;
    }
    return out;
  }
}
