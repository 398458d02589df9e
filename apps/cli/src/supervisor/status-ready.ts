// `GET|POST /status/ready` on the status listener, as Kong's kong/status/ready.lua answers it: draining first, then
// the database, then whether every worker built the configuration.
import type { IncomingMessage } from 'node:http';
import type { Settings } from '@tollgate/config';
import type { StatusSource } from './status-server';

export interface ReadyAnswer { readonly status: number; readonly body?: unknown }

export class Readiness {
  private draining = false;

  constructor(private readonly settings: Settings, private readonly source: StatusSource) {}

  async answer(req: IncomingMessage): Promise<ReadyAnswer> {
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const text = Buffer.concat(chunks).toString();
      // Kong's drain switch: only `status=draining` is understood, and it cannot be undone
      if (!/(^|&)status=draining(&|$)|"status"\s*:\s*"draining"/.test(text)) return { status: 400 };
      this.draining = true;
      return { status: 204 };
    }
    if (this.draining) return { status: 503, body: { message: 'draining' } };
    if (this.source.databaseReachable && !(await this.source.databaseReachable().catch(() => false))) {
      return { status: 503, body: { message: 'failed to connect to database' } };
    }
    if (this.source.appliedHash() === null) {
      const message = this.settings.database === 'off' ? 'no configuration available (empty configuration present)' : 'router builds not yet complete';
      return { status: 503, body: { message } };
    }
    return { status: 200, body: { message: 'ready' } };
  }
}
