// `tollgate prepare`, as `kong prepare`: lay out the prefix (directories, node id, the default certificates of
// every `ssl` listener without a configured one) without starting, so an image or a unit can ship it ready.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { resolveNodeIdentity, type Settings } from '@tollgate/config';
import { ensureDefaultCertificate, type DefaultCertName } from '@tollgate/pki';
import { settingsFromArgs } from '../settings';
import type { Command } from './types';

/** The default certificates a start would generate, by the listeners the role opens. */
function defaultCertificates(settings: Settings): DefaultCertName[] {
  const names: DefaultCertName[] = [];
  const dataPlane = settings.role !== 'control_plane';
  const controlPlane = settings.role !== 'data_plane';
  if (dataPlane && settings.proxy_listeners.some((e) => e.ssl) && !settings.ssl_cert?.length) names.push('proxy');
  if (dataPlane && settings.stream_listeners.some((e) => e.ssl)) names.push('stream');
  if (controlPlane && settings.admin_listeners.some((e) => e.ssl) && !settings.admin_ssl_cert?.length) names.push('admin');
  return names;
}

export const prepare: Command = {
  summary: 'create the prefix (directories, node id, default certificates) without starting',
  usage: 'tollgate prepare [-c FILE] [-p PREFIX]',
  positionals: 0,
  async run(args) {
    const settings = settingsFromArgs(args);
    mkdirSync(settings.prefix, { recursive: true, mode: 0o700 });
    for (const dir of ['pids', 'logs']) mkdirSync(join(settings.prefix, dir), { recursive: true, mode: 0o700 });
    const { nodeId } = resolveNodeIdentity(settings);
    const made = defaultCertificates(settings).map((name) => ensureDefaultCertificate(settings.prefix, name).certPath);
    process.stdout.write(`prefix prepared at ${settings.prefix} (role ${settings.role}, node id ${nodeId})\n`);
    for (const cert of made) process.stdout.write(`  certificate ${cert}\n`);
    return 0;
  },
};
