// Schema pieces the tracing plugins share: Kong's typedefs.propagation record, timeouts and endpoint URLs.
import { typedefs, type FieldDef } from '@tollgate/schema';
import { FORMATS } from './propagation';
import { urlField } from '../bundled/common';

const EXTRACTORS = FORMATS.filter((f) => f !== 'b3-single');

/** Kong's `typedefs.propagation { default = { default_format = ... } }`: the plugin's format is the record's
 *  default, so a propagation record given without default_format is refused (required field missing). */
export const propagationRecord = (defaultFormat: string): FieldDef => ({
  type: 'record',
  required: true,
  default: { extract: null, clear: null, inject: null, default_format: defaultFormat },
  fields: [
    ['extract', { type: 'array', elements: { type: 'string', one_of: EXTRACTORS }, description: 'Header formats used to extract tracing context from incoming requests (the first one found is used).' }],
    ['clear', { type: 'array', elements: typedefs.headerName, description: 'Header names to clear after context extraction.' }],
    ['inject', { type: 'array', elements: { type: 'string', one_of: ['preserve', ...FORMATS] }, description: 'Header formats used to inject tracing context; preserve = the incoming format.' }],
    ['default_format', { type: 'string', one_of: [...FORMATS], required: true, description: 'Format injected for preserve when nothing was extracted.' }],
  ],
});

/** Kong's typedefs.timeout (milliseconds). */
export const timeoutMs = (def: number): FieldDef => ({ type: 'integer', between: [0, 2147483646], default: def });

/** Kong's typedefs.url. */
export const endpointUrl = (extra: Partial<FieldDef> = {}): FieldDef => ({ ...urlField, ...extra } as FieldDef);
