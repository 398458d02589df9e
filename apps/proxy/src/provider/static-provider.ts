// A fixed configuration: a VersionedSnapshot object, a bare Snapshot, or a JSON/YAML file holding either.
import { readFileSync } from 'node:fs';
import { yaml } from '@tollgate/declarative/yaml-module';
import type { Snapshot, VersionedSnapshot } from '@tollgate/declarative/snapshot';
import { hashSnapshot } from '@tollgate/protocol';
import type { ConfigProvider, SnapshotListener } from './types';

export class StaticConfigProvider implements ConfigProvider {
  private listener: SnapshotListener | null = null;
  private snapshot: VersionedSnapshot;

  constructor(source: VersionedSnapshot | Snapshot) {
    this.snapshot = toVersioned(source);
  }

  static fromFile(path: string): StaticConfigProvider {
    const text = readFileSync(path, 'utf8');
    const data = /\.ya?ml$/i.test(path) ? yaml().parse(text) : JSON.parse(text);
    return new StaticConfigProvider(data as VersionedSnapshot | Snapshot);
  }

  async start(onSnapshot: SnapshotListener): Promise<void> {
    this.listener = onSnapshot;
    onSnapshot(this.snapshot);
  }

  /** Replaces the configuration (tests and `tollgate config` reloads use this). */
  update(source: VersionedSnapshot | Snapshot): void {
    this.snapshot = toVersioned(source);
    this.listener?.(this.snapshot);
  }

  async stop(): Promise<void> {
    this.listener = null;
  }
}

export function toVersioned(source: VersionedSnapshot | Snapshot): VersionedSnapshot {
  if ('config' in source && 'hash' in source) return source as VersionedSnapshot;
  const config = source as Snapshot;
  // the contract's hash: equal content gives the hash the control plane would give it
  const hash = hashSnapshot(config);
  return { hash, version: 0, config };
}
