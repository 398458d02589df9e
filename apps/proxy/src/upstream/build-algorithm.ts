// algorithm name -> Algorithm over the current addresses. hash_on other than none implies consistent-hashing.
import type { Address } from './address';
import type { Algorithm } from './algorithms/algorithm';
import { ConsistentHashing } from './algorithms/consistent-hashing';
import { Latency } from './algorithms/latency';
import { LeastConnections } from './algorithms/least-connections';
import { RoundRobin } from './algorithms/round-robin';
import type { Row } from './types';

export type AlgorithmName = 'round-robin' | 'consistent-hashing' | 'least-connections' | 'latency';

export function algorithmName(upstream: Row): AlgorithmName {
  const hashOn = (upstream.hash_on as string | null) ?? 'none';
  const algorithm = (upstream.algorithm as AlgorithmName | null) ?? 'round-robin';
  if (algorithm === 'least-connections' || algorithm === 'latency') return algorithm;
  return hashOn !== 'none' ? 'consistent-hashing' : algorithm;
}

export function buildAlgorithm(name: AlgorithmName, addresses: readonly Address[], slots: number, now: () => number): Algorithm {
  switch (name) {
    case 'consistent-hashing':
      return new ConsistentHashing(addresses, slots);
    case 'least-connections':
      return new LeastConnections(addresses);
    case 'latency':
      return new Latency(addresses, now);
    default:
      return new RoundRobin(addresses);
  }
}
