// `tollgate cluster cert`: the shared mTLS pair for `cluster_mtls = shared`, as `kong hybrid gen_cert` makes it.
// Both files go to the control plane and to every data plane (cluster_cert / cluster_cert_key).
import { resolve } from 'node:path';
import { writeClusterCertificate } from '@tollgate/pki';
import { UsageError } from '../args';
import type { Command } from './types';

const DEFAULT_DAYS = 3 * 365;

export const cluster: Command = {
  summary: 'hybrid mode helpers: generate the shared cluster certificate',
  usage: 'tollgate cluster cert [CERT KEY | --cert FILE --key FILE] [--days N] [--force]',
  positionals: 3,
  async run(args) {
    const [sub, certArg, keyArg] = args.positionals;
    if (sub !== 'cert') throw new UsageError(sub ? `unknown cluster sub-command '${sub}'` : 'cluster needs a sub-command');
    // Kong's positional form (`kong hybrid gen_cert [<cert> <key>]`) or the flags; each file defaults on its own.
    const pick = (positional: string | undefined, flag: 'cert' | 'key', fallback: string): string => {
      const flagged = typeof args.flags[flag] === 'string' ? (args.flags[flag] as string) : undefined;
      if (positional !== undefined && flagged !== undefined) throw new UsageError(`the ${flag} file is given twice: '${positional}' and --${flag} '${flagged}'`);
      return resolve(positional ?? flagged ?? fallback);
    };
    const cert = pick(certArg, 'cert', 'cluster.crt');
    const key = pick(keyArg, 'key', 'cluster.key');
    const daysText = typeof args.flags.days === 'string' ? args.flags.days : String(DEFAULT_DAYS);
    const days = Number(daysText);
    if (!Number.isInteger(days) || days < 1) throw new UsageError(`--days expects a positive whole number of days, got '${daysText}'`);
    try {
      writeClusterCertificate(cert, key, { days, force: args.flags.force === true });
    } catch (err) {
      process.stderr.write(`Error: ${(err as Error).message}\n`);
      return 1;
    }
    process.stdout.write(`wrote ${cert} and ${key} (valid ${days} days); set cluster_cert and cluster_cert_key to them on the control plane and on every data plane\n`);
    return 0;
  },
};
