import type { FieldDef, FieldList } from '@tollgate/schema';

/** Kong's is_regex; patterns run as JavaScript regular expressions, without flags (Kong: PCRE, `jo`). */
const regex: FieldDef = {
  type: 'string',
  custom: (value) => {
    if (typeof value !== 'string') return undefined;
    try {
      new RegExp(value);
      return undefined;
    } catch {
      return `not a valid regex: ${value}`;
    }
  },
};

export const schema: FieldList = [
  ['allow', { type: 'array', elements: regex, default: [], description: 'Regular expressions matched against the User-Agent header that are let through.' }],
  ['deny', { type: 'array', elements: regex, default: [], description: 'Regular expressions matched against the User-Agent header that are refused.' }],
];

/** Kong: `consumer = typedefs.no_consumer`. */
export const noConsumer = true;
