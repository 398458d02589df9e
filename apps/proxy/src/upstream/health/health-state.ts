// The per-address circuit: counters in a row per kind of result, flipping the address when a limit
// (non-zero) is reached. A success clears the failure counters; a failure clears the success counter.
// A limit of 0 disables that kind of event entirely (it neither counts nor clears), as lua-resty-healthcheck.
import type { Address } from '../address';
import type { Thresholds } from './health-config';

export type CheckEvent = 'success' | 'http_failure' | 'tcp_failure' | 'timeout';

/** Returns true when the address changed state. */
export function recordEvent(a: Address, t: Thresholds, event: CheckEvent): boolean {
  switch (event) {
    case 'success':
      if (t.successes === 0) return false;
      a.httpFailures = a.tcpFailures = a.timeouts = 0;
      a.successes++;
      return !a.healthy && a.successes >= t.successes && setAddressHealth(a, true);
    case 'http_failure':
      if (t.httpFailures === 0) return false;
      a.successes = 0;
      a.httpFailures++;
      return a.healthy && a.httpFailures >= t.httpFailures && setAddressHealth(a, false);
    case 'tcp_failure':
      if (t.tcpFailures === 0) return false;
      a.successes = 0;
      a.tcpFailures++;
      return a.healthy && a.tcpFailures >= t.tcpFailures && setAddressHealth(a, false);
    case 'timeout':
      if (t.timeouts === 0) return false;
      a.successes = 0;
      a.timeouts++;
      return a.healthy && a.timeouts >= t.timeouts && setAddressHealth(a, false);
  }
}

/** HTTP status -> event per the status lists; null when the status is in neither list. */
export function classifyStatus(t: Thresholds, status: number): CheckEvent | null {
  if (status >= 0 && status < 1000) {
    if (t.healthyStatuses[status] === 1) return 'success';
    if (t.unhealthyStatuses[status] === 1) return 'http_failure';
  }
  return null;
}

export function setAddressHealth(a: Address, healthy: boolean): boolean {
  const changed = a.healthy !== healthy;
  a.healthy = healthy;
  a.successes = a.httpFailures = a.tcpFailures = a.timeouts = 0;
  return changed;
}
