import type { FieldDef, FieldList } from '@tollgate/schema';
import { notARegex } from '../../validate-config';

/** Kong's is_regex; patterns run as JavaScript regular expressions, without flags (Kong: PCRE, `jo`). */
const regex: FieldDef = { type: 'string', custom: notARegex };

export const schema: FieldList = [
  ['allow', { type: 'array', elements: regex, default: [], description: 'Regular expressions matched against the User-Agent header that are let through.' }],
  ['deny', { type: 'array', elements: regex, default: [], description: 'Regular expressions matched against the User-Agent header that are refused.' }],
];

/** Kong: `consumer = typedefs.no_consumer`. */
export const noConsumer = true;
