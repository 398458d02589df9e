// The Snapshot is the one format configuration travels in: control plane -> data plane, the data plane's disk
// cache, `tollgate config db_export`, and `declarative_config` files (Kong's `_format_version: "3.0"`, flat form).
// Rows are exactly what the Admin API returns for each entity: every field present, unset ones null, foreign
// keys as {id}. `tags` and timestamps included.

export type Row = Readonly<Record<string, unknown>> & { readonly id: string };
export type ForeignKey = { readonly id: string } | null;

export interface ServiceRow extends Row {
  readonly name: string | null;
  readonly protocol: string; // http, https, grpc, grpcs, tcp, tls, tls_passthrough, udp
  readonly host: string;
  readonly port: number;
  readonly path: string | null;
  readonly retries: number;
  readonly connect_timeout: number;
  readonly write_timeout: number;
  readonly read_timeout: number;
  readonly enabled: boolean;
  readonly tls_verify: boolean | null;
  readonly tls_verify_depth: number | null;
  readonly ca_certificates: readonly string[] | null;
  readonly client_certificate: ForeignKey;
}

export interface RouteRow extends Row {
  readonly name: string | null;
  readonly protocols: readonly string[];
  readonly methods: readonly string[] | null;
  readonly hosts: readonly string[] | null;
  readonly paths: readonly string[] | null;
  readonly headers: Readonly<Record<string, readonly string[]>> | null;
  readonly snis: readonly string[] | null;
  readonly sources: ReadonlyArray<{ ip?: string | null; port?: number | null }> | null;
  readonly destinations: ReadonlyArray<{ ip?: string | null; port?: number | null }> | null;
  readonly regex_priority: number;
  readonly strip_path: boolean;
  readonly preserve_host: boolean;
  readonly path_handling: 'v0' | 'v1';
  readonly https_redirect_status_code: number;
  readonly request_buffering: boolean;
  readonly response_buffering: boolean;
  readonly created_at: number;
  readonly service: ForeignKey;
}

export interface Snapshot {
  readonly _format_version: '3.0';
  readonly services?: readonly ServiceRow[];
  readonly routes?: readonly RouteRow[];
  readonly consumers?: readonly Row[];
  readonly plugins?: readonly Row[];
  readonly upstreams?: readonly Row[];
  readonly targets?: readonly Row[];
  readonly certificates?: readonly Row[];
  readonly snis?: readonly Row[];
  readonly ca_certificates?: readonly Row[];
  readonly keyauth_credentials?: readonly Row[];
  readonly basicauth_credentials?: readonly Row[];
  readonly jwt_secrets?: readonly Row[];
  readonly acls?: readonly Row[];
  readonly hmacauth_credentials?: readonly Row[];
  readonly oauth2_credentials?: readonly Row[];
  readonly vaults?: readonly Row[];
  readonly key_sets?: readonly Row[];
  readonly keys?: readonly Row[];
}

/** A snapshot as shipped: the config plus its content hash (hex sha256 of the canonical JSON) and version. */
export interface VersionedSnapshot {
  readonly hash: string;
  readonly version: number;
  readonly config: Snapshot;
  /** The config release it is (hybrid data planes, when the control plane said so): kept in the disk cache. */
  readonly release?: number | null;
}
