// file-log: appends one JSON line per request. Writes are asynchronous and ordered per file.
import { appendFile } from 'node:fs';
import { createWriteStream, type WriteStream } from 'node:fs';
import { onReopen } from '@tollgate/logging';
import type { PluginHandler } from '../../types';
import { applyCustomFields, compileCustomFields, type CustomFields } from '../../log/custom-fields';
import { serializeLog } from '../../log/serializer';
import { KONG_VERSION } from '../common';

interface Conf { readonly path: string; readonly reopen: boolean; readonly custom: CustomFields | null }

const streams = new Map<string, WriteStream>();

// USR1 / `tollgate logs reopen` after logrotate moved a file: end the open streams so the next entry opens the
// path again, while the moved file still receives what was already written
onReopen(() => {
  for (const stream of streams.values()) stream.end();
  streams.clear();
});

export const handler: PluginHandler<Conf> = {
  name: 'file-log',
  priority: 9,
  version: KONG_VERSION,
  prepare: (c, env) => ({ path: c.path as string, reopen: c.reopen === true, custom: compileCustomFields(c, env.pluginId) }),
  log(kong, conf) {
    applyCustomFields(kong, conf.custom);
    const line = JSON.stringify(serializeLog(kong)) + '\n';
    if (conf.reopen) {
      appendFile(conf.path, line, (err) => err && kong.log.error(`[file-log] failed to write ${conf.path}: ${err.message}`));
      return;
    }
    let stream = streams.get(conf.path);
    if (!stream) {
      stream = createWriteStream(conf.path, { flags: 'a' });
      stream.on('error', (err) => {
        kong.log.error(`[file-log] failed to open ${conf.path}: ${err.message}`);
        streams.delete(conf.path);
      });
      streams.set(conf.path, stream);
    }
    stream.write(line);
  },
};

/** Closes the cached file streams (tests, shutdown). */
export function closeFileLogStreams(): Promise<void> {
  const all = [...streams.values()];
  streams.clear();
  return Promise.all(all.map((s) => new Promise<void>((r) => s.end(r)))).then(() => undefined);
}
