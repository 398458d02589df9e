// The slice of express's request/response we use (express ships no types here and we add no @types package).
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface AdminRequest extends IncomingMessage {
  method: string;
  body?: unknown;
  params: Record<string, string>;
  query: Record<string, unknown>;
  path: string;
  originalUrl: string;
}

export type AdminResponse = ServerResponse;
export type Next = (error?: unknown) => void;
