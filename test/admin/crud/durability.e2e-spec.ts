// kill -9 of the control plane during a bulk import loses no acknowledged write, and the database reopens cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dao, openDataSource, type PersistenceSettings } from '../../../apps/admin/src/persistence';
import { schemaSource } from './schema-source';
import { guardPipes } from '../../support/child-pipes';

const ACKNOWLEDGED_BEFORE_KILL = 300;
const IN_FLIGHT = 8;

function startChild(file: string): Promise<{ child: ChildProcess; port: number }> {
  const child = guardPipes(spawn(process.execPath, ['-r', join(__dirname, '..', '..', '..', 'tools', 'ts-register.js'), join(__dirname, 'child', 'control-plane.ts'), file], {
    stdio: ['ignore', 'pipe', 'pipe'],
  }));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ child, port: JSON.parse(line).port });
    });
    child.once('exit', (code) => reject(new Error(`control plane exited (${code}) before listening: ${err}`)));
  });
}

describe('durability', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-durable-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('POST /services: every 2xx survives kill -9 mid-import', async () => {
    const file = join(dir, 'tollgate.db');
    const { child, port } = await startChild(file);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const acknowledged: string[] = [];
    let next = 0;
    let killed = false;

    const worker = async (): Promise<void> => {
      while (!killed) {
        const n = next++;
        try {
          const res = await fetch(`http://127.0.0.1:${port}/services`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ name: `bulk-${n}`, host: `bulk-${n}.test`, tags: ['bulk'] }),
          });
          if (res.status === 201) acknowledged.push(((await res.json()) as { id: string }).id);
        } catch {
          return; // the process is gone
        }
        if (acknowledged.length >= ACKNOWLEDGED_BEFORE_KILL && !killed) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    await exited;
    expect(acknowledged.length).toBeGreaterThanOrEqual(ACKNOWLEDGED_BEFORE_KILL);

    const dataSource = await openDataSource({ database: 'sqlite', sqlite_file: file } as PersistenceSettings, schemaSource);
    try {
      expect(await dataSource.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
      const dao = new Dao(dataSource, schemaSource);
      const stored = new Set((await dao.list('services', { size: 1000 })).data.map((s) => s.id));
      const missing = acknowledged.filter((id) => !stored.has(id));
      expect(missing).toEqual([]);
      const tagged = await dao.list('services', { size: 1000, tags: { mode: 'and', tags: ['bulk'] } });
      expect(tagged.data.length).toBe(stored.size);
    } finally {
      await dataSource.destroy();
    }
  });
});
