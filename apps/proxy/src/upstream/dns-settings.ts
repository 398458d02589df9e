// Kong's dns_* keys -> the options of the upstream DNS cache: name servers (dns_resolver), a hosts file answering
// first (dns_hostsfile), the record types tried and their order (dns_order) and how long a stale answer is served (dns_stale_ttl).
// new_dns_client = on takes them from the resolver_* keys instead, as Kong's new DNS client does, queries as that
// client (resolver_family) and keeps its statistics (GET /status/dns): the same cache either way.
import { readFileSync } from 'node:fs';
import type { Settings } from '@tollgate/config';
import { systemResolver, type DnsCacheOptions } from './dns-cache';
import { DnsStats } from './dns-stats';

export type DnsSettings = Pick<Settings, 'dns_resolver' | 'dns_hostsfile' | 'dns_order' | 'dns_stale_ttl'
  | 'new_dns_client' | 'resolver_address' | 'resolver_hosts_file' | 'resolver_family' | 'resolver_stale_ttl'>;

/** `ip name [alias...]` lines, `#` comments; the first address of a family listed for a name comes first. */
export function parseHostsFile(text: string): Map<string, string[]> {
  const hosts = new Map<string, string[]>();
  for (const raw of text.split('\n')) {
    const [ip, ...names] = raw.replace(/#.*/, '').trim().split(/\s+/);
    if (!ip || names.length === 0) continue;
    for (const name of names) {
      const key = name.toLowerCase();
      const list = hosts.get(key) ?? [];
      if (!list.includes(ip)) list.push(ip);
      hosts.set(key, list);
    }
  }
  return hosts;
}

function readHosts(path: string): Map<string, string[]> {
  try {
    return parseHostsFile(readFileSync(path, 'utf8'));
  } catch {
    return new Map(); // Kong starts without the file too; names then come from DNS
  }
}

export function dnsCacheOptions(settings: Partial<DnsSettings>): DnsCacheOptions {
  if (settings.new_dns_client === true) {
    const family = settings.resolver_family ?? ['A', 'SRV'];
    return {
      resolver: systemResolver(settings.resolver_address ?? []),
      hosts: readHosts(settings.resolver_hosts_file ?? '/etc/hosts'),
      family: { a: family.includes('A'), aaaa: family.includes('AAAA'), srv: family.includes('SRV') },
      staleTtlMs: (settings.resolver_stale_ttl ?? 3600) * 1000,
      stats: new DnsStats(),
    };
  }
  return {
    resolver: systemResolver(settings.dns_resolver ?? []),
    hosts: readHosts(settings.dns_hostsfile ?? '/etc/hosts'),
    order: settings.dns_order,
    staleTtlMs: (settings.dns_stale_ttl ?? 3600) * 1000,
  };
}
