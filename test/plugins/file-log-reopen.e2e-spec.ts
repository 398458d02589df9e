// file-log and logrotate on a real node: after the file is moved away, `tollgate logs reopen` (and SIGUSR1 to the
// node) make file-log write to a new file at its path; the moved file keeps only the older entries.
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { runCliAsync } from '../support/cli-node';
import { http } from '../support/http';
import { waitFor } from '../support/wait';
import { startLogNode, type LogNode } from './support/log-node';

describe('file-log reopens its file', () => {
  let n: LogNode;
  let file: string;
  const contents = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');
  const logged = async (query: string, path = file) => {
    expect((await http('GET', `${n.proxy}/filed?${query}`)).status).toBe(200);
    await waitFor(async () => (contents(path).includes(`?${query}"`) ? true : undefined), `${query} in ${path}`);
  };

  beforeAll(async () => {
    n = await startLogNode();
    file = join(n.node.prefix, 'requests.json');
    await n.route('filed', [{ name: 'file-log', config: { path: file } }]);
  });
  afterAll(async () => {
    await n?.close();
  });

  it('tollgate logs reopen: new entries go to a new file at the path', async () => {
    await logged('before=1');
    renameSync(file, `${file}.1`);
    const r = await runCliAsync(['logs', 'reopen', '-p', n.node.prefix]);
    expect(r.code).toBe(0);
    // the reopen reaches the worker asynchronously: retry until an entry lands in the new file
    await waitFor(async () => {
      await http('GET', `${n.proxy}/filed?after=1`);
      return contents(file).includes('?after=1"') ? true : undefined;
    }, 'an entry in the new file');
    expect(contents(file)).not.toContain('before=1');
    expect(contents(`${file}.1`)).toContain('before=1');
    for (const line of contents(file).trim().split('\n')) expect(JSON.parse(line).route.name).toBe('filed');
  });

  it('SIGUSR1 to the node does the same', async () => {
    renameSync(file, `${file}.2`);
    process.kill(n.node.child.pid!, 'SIGUSR1');
    await waitFor(async () => {
      await http('GET', `${n.proxy}/filed?after=2`);
      return contents(file).includes('?after=2"') ? true : undefined;
    }, 'an entry in the file opened after USR1');
    expect(contents(file)).not.toContain('after=1');
    expect(contents(`${file}.2`)).toContain('after=1');
  });
});
