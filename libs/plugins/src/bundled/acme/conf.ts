// The validated acme config as the code reads it (field names are Kong's).
import type { RedisStorageConfig } from './storage';

export interface AcmeConf {
  readonly account_email: string;
  readonly account_key?: { readonly key_id: string; readonly key_set?: string | null } | null;
  readonly api_uri: string;
  readonly tos_accepted: boolean;
  readonly eab_kid?: string | null;
  readonly eab_hmac_key?: string | null;
  readonly cert_type: 'rsa' | 'ecc';
  readonly rsa_key_size: number;
  readonly renew_threshold_days: number;
  readonly domains?: readonly string[] | null;
  readonly allow_any_domain: boolean;
  readonly fail_backoff_minutes: number;
  readonly storage: 'kong' | 'shm' | 'redis' | 'consul' | 'vault';
  readonly storage_config?: {
    readonly shm?: { readonly shm_name?: string | null } | null;
    readonly redis?: RedisStorageConfig | null;
  } | null;
  readonly preferred_chain?: string | null;
  readonly enable_ipv4_common_name: boolean;
}

/** Kong's build_domain_matcher + check_domains: exact names, and `*.example.com` as a suffix. */
export function domainMatcher(conf: AcmeConf): (host: string) => boolean {
  const plain = new Set<string>();
  const suffixes: string[] = [];
  for (const d of conf.domains ?? []) {
    if (d.startsWith('*')) suffixes.push(d.slice(1).toLowerCase());
    else plain.add(d.toLowerCase());
  }
  const listed = (host: string) => plain.has(host) || suffixes.some((s) => host.endsWith(s));
  return (rawHost) => {
    const host = rawHost.toLowerCase();
    if (!conf.enable_ipv4_common_name && /^\d+\.\d+\.\d+\.\d+$/.test(host)) return false;
    if (conf.allow_any_domain) return true;
    return listed(host);
  };
}

/** The domains list alone (the Admin API's sanity check ignores allow_any_domain, as Kong's api.lua). */
export function listedDomain(conf: AcmeConf, host: string): boolean {
  return domainMatcher({ ...conf, allow_any_domain: false, enable_ipv4_common_name: true })(host);
}
