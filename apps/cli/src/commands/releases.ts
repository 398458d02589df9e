// `tollgate config history | diff N [M] | rollback N`: config releases, asked of the running node's Admin API
// (the address it recorded in its prefix; Kong-Admin-Token from admin_api_key when set).
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Settings } from '@tollgate/config';
import { UsageError, type ParsedArgs } from '../args';
import { settingsFromArgs } from '../settings';
import { readListenersFile } from '../supervisor/pidfile';

interface AdminTarget {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
}

function adminTarget(settings: Settings): AdminTarget | null {
  const bound = (readListenersFile(settings.prefix) ?? []).filter((l) => l.key === 'admin_listen');
  if (!bound.length) return null;
  // the node writes its admin listeners in admin_listen order: prefer a plain one, as `curl localhost:8001` would
  const index = Math.max(0, settings.admin_listeners.findIndex((e) => !e.ssl));
  const chosen = bound[Math.min(index, bound.length - 1)];
  const host = chosen.address === '0.0.0.0' ? '127.0.0.1' : chosen.address === '::' ? '::1' : chosen.address;
  return { host, port: chosen.port, tls: settings.admin_listeners[index]?.ssl === true };
}

function call(target: AdminTarget, apiKey: string | null, method: string, path: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (apiKey) headers['kong-admin-token'] = apiKey;
    const options = { host: target.host, port: target.port, method, path, headers, timeout: 30_000, rejectUnauthorized: false };
    const req = (target.tls ? httpsRequest : httpRequest)(options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

function positiveInt(text: string | undefined, what: string): number {
  if (text === undefined || !/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`${what} must be a release number (a positive integer), got '${text ?? ''}'`);
  return Number(text);
}

function describeSource(source: { type?: string; client_ip?: string | null; api_key?: string | null; rollback_of?: number }): string {
  const parts = [source.type ?? '?'];
  if (source.client_ip) parts.push(`from ${source.client_ip}`);
  if (source.api_key) parts.push(`key ${source.api_key}`);
  if (source.rollback_of !== undefined) parts.push(`rollback to ${source.rollback_of}`);
  return parts.join(' ');
}

function describeSummary(summary: Record<string, { created: number; updated: number; deleted: number }>): string {
  const parts = Object.entries(summary).map(([entity, c]) =>
    `${entity} ${[c.created ? `+${c.created}` : '', c.updated ? `~${c.updated}` : '', c.deleted ? `-${c.deleted}` : ''].filter(Boolean).join(' ')}`);
  return parts.length ? parts.join(', ') : 'no changes';
}

async function run(sub: string, args: ParsedArgs): Promise<number> {
  const settings = settingsFromArgs(args);
  let path: string;
  let method = 'GET';
  const [, first, second] = args.positionals;
  if (sub === 'history') path = '/config/releases?size=100';
  else if (sub === 'diff') path = `/config/releases/${positiveInt(first, 'N')}/diff${second !== undefined ? `?against=${positiveInt(second, 'M')}` : ''}`;
  else {
    path = `/config/releases/${positiveInt(first, 'N')}/rollback`;
    method = 'POST';
  }
  const target = adminTarget(settings);
  if (!target) {
    process.stderr.write(`Error: no running node with an Admin API in ${settings.prefix}\n`);
    return 1;
  }
  let res: { status: number; text: string };
  try {
    res = await call(target, settings.admin_api_key, method, path);
  } catch (err) {
    process.stderr.write(`Error: the Admin API at ${target.host}:${target.port} is unreachable: ${(err as Error).message}\n`);
    return 1;
  }
  let body: any;
  try {
    body = JSON.parse(res.text);
  } catch {
    body = { message: res.text };
  }
  if (res.status >= 400) {
    process.stderr.write(`Error: ${body?.message ?? `HTTP ${res.status}`}\n`);
    return 1;
  }
  if (sub === 'history') {
    for (const r of body.data) {
      const when = new Date(r.created_at * 1000).toISOString();
      process.stdout.write(`${String(r.number).padEnd(6)} ${when}  ${r.hash.slice(0, 12)}  ${describeSource(r.source)}  ${describeSummary(r.summary)}\n`);
    }
  } else if (sub === 'diff') {
    process.stdout.write(`release ${body.from} -> ${body.to}: ${body.changes.length} change(s)\n`);
    for (const c of body.changes) {
      process.stdout.write(`${c.op.padEnd(6)} ${c.entity} ${c.name ?? ''}${c.name ? ' ' : ''}(${c.id})\n`);
      if (c.op === 'update') for (const [field, v] of Object.entries(c.fields as Record<string, { from: unknown; to: unknown }>)) {
        process.stdout.write(`         ${field}: ${JSON.stringify(v.from)} -> ${JSON.stringify(v.to)}\n`);
      }
    }
  } else {
    process.stdout.write(`rolled back to release ${first}: new release ${body.number} (${body.hash.slice(0, 12)})\n`);
  }
  return 0;
}

/** Runs one release sub-command; undefined when `sub` is not one of them. */
export function runReleases(sub: string | undefined, args: ParsedArgs): Promise<number> | undefined {
  return sub === 'history' || sub === 'diff' || sub === 'rollback' ? run(sub, args) : undefined;
}

export const RELEASES_USAGE = 'tollgate config history | diff N [M] | rollback N  [-p PREFIX] [-c FILE]';
