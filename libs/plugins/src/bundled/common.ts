// Field definitions several bundled plugins share (Kong's typedefs for plugin schemas).
import { typedefs, type FieldDef } from '@tollgate/schema';

export const KONG_VERSION = '3.10.0';

export const anonymous: FieldDef = {
  type: 'string', description: 'Consumer id or username to use when authentication fails; null fails with 401.',
};
export const hideCredentials: FieldDef = { type: 'boolean', required: true, default: false, description: 'Remove the credential from the request before proxying.' };
export const runOnPreflight: FieldDef = { type: 'boolean', required: true, default: true, description: 'Also authenticate OPTIONS preflight requests.' };
export const realm = (def: string | null): FieldDef => ({ type: 'string', ...(def === null ? {} : { default: def }), description: 'Realm of the WWW-Authenticate header.' });
export const headerNames = (def: string[]): FieldDef => ({ type: 'array', required: true, elements: typedefs.headerName, default: def });
export const stringArray = (def?: string[]): FieldDef => ({ type: 'array', elements: { type: 'string' }, ...(def ? { default: def } : {}) });

/** Kong's typedefs.url: socket.url must find a host and a scheme. */
export const url = (value: unknown): string | undefined => {
  if (typeof value !== 'string') return undefined;
  if (value.startsWith('//')) return 'missing scheme in url';
  try {
    return new URL(value).host === '' ? 'missing host in url' : undefined;
  } catch {
    return 'missing host in url';
  }
};

/** A plugin field of Kong's typedefs.url. */
export const urlField: FieldDef = { type: 'string', custom: url };
