// Custom plugins: `plugins = bundled,<folder>` on a real node loads the example plugin from its (compiled) folder; plain JS packages
// exporting {schema, handler} load too; bad entries fail at start with a clear error.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadPlugins, PluginLoadError } from '@tollgate/plugins';
import { KONG_BUNDLED_BY_PRIORITY } from '../support/kong-bundled-plugins';
import { createKit, type Kit } from './support/kit';
import { compiledPluginFolder } from './support/plugin-folder';

const EXAMPLE = resolve(__dirname, '..', '..', 'examples', 'plugins', 'tollgate-example-header');

describe('custom plugins (proxy)', () => {
  let kit: Kit;

  beforeAll(async () => {
    // the node loads compiled JS, as a user ships the folder (the example's .ts sources need a TS loader)
    kit = await createKit({ plugins: ['bundled', compiledPluginFolder(EXAMPLE)] });
    const b = kit.builder;
    const s = b.service(kit.upstream.port);
    const route = b.route(s, ['/custom']);
    b.plugin('tollgate-example-header', { value: 'v1', echo_downstream: true }, { route });
    await kit.start();
  });
  afterAll(() => kit.close());

  it('the example plugin from its folder runs on real traffic', async () => {
    const res = await kit.get('/custom/x');
    expect(res.status).toBe(200);
    expect(res.json.headers['x-tollgate-example']).toBe('v1');
    expect(res.headers['x-tollgate-example']).toBe('v1');
  });

  it('a JS package entry exporting {schema, handler} is loaded', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-plugin-'));
    writeFileSync(join(dir, 'index.js'), "exports.schema = []; exports.handler = { name: 'js-plugin', priority: 5, version: '0.0.1', access() {} };");
    const registry = loadPlugins(['key-auth', dir]);
    expect(registry.names).toEqual(['key-auth', 'js-plugin']);
    expect(registry.plugins.get('js-plugin')!.version).toBe('0.0.1');
  });

  it.each([
    ['/no/such/folder', "could not load plugin '/no/such/folder'"],
    ['not-a-bundled-plugin-or-package', "could not load plugin 'not-a-bundled-plugin-or-package'"],
  ])('%s fails with PluginLoadError', (spec, message) => {
    expect(() => loadPlugins(['bundled', spec])).toThrow(PluginLoadError);
    expect(() => loadPlugins(['bundled', spec])).toThrow(message);
  });

  it('plugins = bundled lists every bundled plugin in priority order', () => {
    expect(loadPlugins().names).toEqual([...KONG_BUNDLED_BY_PRIORITY]);
  });
});
