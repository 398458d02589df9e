import { loadSettings, ConfigError, renderDefaultConf } from '@tollgate/config';
try { const s = loadSettings({ cwd: '/tmp', env: {} }); console.log(JSON.stringify(s, null, 1).slice(0, 3000)); } catch (e) { console.log((e as Error).message); }
test("x", () => {});
