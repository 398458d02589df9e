import type { FieldDef, FieldList } from '@tollgate/schema';
import { colonPair } from '../transform-lists';

const strings: FieldDef = { type: 'array', default: [], required: true, elements: { type: 'string' } };
const pairsList: FieldDef = { type: 'array', default: [], required: true, elements: { type: 'string', custom: colonPair } };

const group = (withRenames: boolean, valued: boolean): FieldDef => ({
  type: 'record',
  required: true,
  fields: [
    ['body', valued || withRenames ? pairsList : strings],
    ['headers', valued || withRenames ? pairsList : strings],
    ['querystring', valued || withRenames ? pairsList : strings],
  ],
});

export const schema: FieldList = [
  ['http_method', { type: 'string', match: /^[A-Z]+$/, matchMessage: 'invalid value' }],
  ['remove', group(false, false)],
  ['rename', group(true, false)],
  ['replace', { ...group(false, true), fields: [...(group(false, true).fields ?? []), ['uri', { type: 'string' }]] }],
  ['add', group(false, true)],
  ['append', group(false, true)],
];
