// Rules that involve more than one key. Each names the key the operator should look at, with Kong's message
// where Kong has one. A rule runs only when every key it reads is valid, so its verdict is never a side effect
// of another problem, yet independent problems are still reported together.
import { insecureExposureError } from './admin-exposure';
import type { Settings } from './types';

export interface CrossProblem {
  readonly key: string;
  readonly message: string;
}

/** Settings before freezing; only valid keys are present. */
export type Draft = Omit<Settings, 'sources'>;

interface CrossRule {
  readonly needs: readonly (keyof Draft)[];
  readonly check: (s: Draft) => CrossProblem[];
}

const controlPlaneNeeds: CrossRule = {
  needs: ['role', 'database', 'admin_listeners', 'cluster_listeners'],
  check: (s) => {
    if (s.role !== 'control_plane') return [];
    const problems: CrossProblem[] = [];
    if (s.database === 'off') problems.push({ key: 'database', message: 'in-memory storage can not be used when role = "control_plane"' });
    if (s.admin_listeners.length === 0) problems.push({ key: 'admin_listen', message: 'admin_listen must be specified when role = "control_plane"' });
    if (s.cluster_listeners.length === 0) problems.push({ key: 'cluster_listen', message: 'cluster_listen must be specified when role = "control_plane"' });
    return problems;
  },
};

// Kong's data plane also demands database = off; Tollgate's data plane never opens a database, so it ignores the key.
const dataPlaneNeeds: CrossRule = {
  needs: ['role', 'proxy_listeners'],
  check: (s) => (s.role === 'data_plane' && s.proxy_listeners.length === 0
    ? [{ key: 'proxy_listen', message: 'proxy_listen must be specified when role = "data_plane"' }]
    : []),
};

const labelsOnlyOnDataPlane: CrossRule = {
  needs: ['role', 'cluster_dp_labels'],
  check: (s) => (s.role !== 'data_plane' && Object.keys(s.cluster_dp_labels).length > 0
    ? [{ key: 'cluster_dp_labels', message: 'cluster_dp_labels can only be set when role = "data_plane"' }]
    : []),
};

const hybridCertificate: CrossRule = {
  needs: ['role', 'cluster_mtls', 'cluster_cert', 'cluster_cert_key'],
  check: (s) => (s.role !== 'traditional' && s.cluster_mtls === 'shared' && (!s.cluster_cert || !s.cluster_cert_key)
    ? [{ key: s.cluster_cert ? 'cluster_cert_key' : 'cluster_cert', message: 'cluster certificate and key must be provided to use Hybrid mode' }]
    : []),
};

function certificatePair(prefix: '' | 'admin_' | 'status_'): CrossRule {
  const certKey = `${prefix}ssl_cert` as const;
  const keyKey = `${prefix}ssl_cert_key` as const;
  return {
    needs: [certKey, keyKey],
    check: (s) => {
      const certs = s[certKey].length;
      const keys = s[keyKey].length;
      if (certs > 0 && keys === 0) return [{ key: keyKey, message: `${keyKey} must be specified` }];
      if (keys > 0 && certs === 0) return [{ key: certKey, message: `${certKey} must be specified` }];
      if (certs !== keys) return [{ key: certKey, message: `${certKey} was specified ${certs} times while ${keyKey} was specified ${keys} times` }];
      return [];
    },
  };
}

const realIpFromProxyProtocol: CrossRule = {
  needs: ['real_ip_header', 'proxy_listeners'],
  check: (s) => (s.real_ip_header.toLowerCase() === 'proxy_protocol' && !s.proxy_listeners.some((entry) => entry.proxyProtocol)
    ? [{ key: 'real_ip_header', message: "real_ip_header = proxy_protocol needs a proxy_listen entry with the 'proxy_protocol' flag" }]
    : []),
};

// Data planes never open admin_listen, so only the roles that do are refused for exposing it.
const adminExposure: CrossRule = {
  needs: ['role', 'admin_listeners', 'admin_access_allow', 'admin_api_key', 'admin_ssl_client_ca', 'admin_allow_insecure'],
  check: (s) => {
    const refusal = s.role === 'data_plane' ? null : insecureExposureError(s);
    return refusal ? [{ key: 'admin_listen', message: refusal }] : [];
  },
};

// Kong: `off` cannot be combined with other instrumentation types
const tracingOffAlone: CrossRule = {
  needs: ['tracing_instrumentations'],
  check: (s) => {
    const list = s.tracing_instrumentations as readonly string[] | null;
    return list && list.length > 1 && list.includes('off')
      ? [{ key: 'tracing_instrumentations', message: 'invalid tracing types: off, other types are mutually exclusive' }]
      : [];
  },
};

const RULES: readonly CrossRule[] = [
  tracingOffAlone,
  adminExposure,
  controlPlaneNeeds, dataPlaneNeeds, labelsOnlyOnDataPlane, hybridCertificate,
  certificatePair(''), certificatePair('admin_'), certificatePair('status_'), realIpFromProxyProtocol,
];

export function crossCheck(draft: Partial<Draft>): CrossProblem[] {
  return RULES
    .filter((rule) => rule.needs.every((key) => draft[key] !== undefined))
    .flatMap((rule) => rule.check(draft as Draft));
}
