import type { FieldDef, FieldList } from '@tollgate/schema';
import { colonPair } from '../transform-lists';

const strings: FieldDef = { type: 'array', default: [], required: true, elements: { type: 'string' } };
const pairsList: FieldDef = { type: 'array', default: [], required: true, elements: { type: 'string', custom: colonPair } };
const jsonTypes: FieldDef = { type: 'array', default: [], required: true, elements: { type: 'string', one_of: ['boolean', 'number', 'string'] } };

export const schema: FieldList = [
  ['remove', { type: 'record', required: true, fields: [['json', strings], ['headers', strings]] }],
  ['rename', { type: 'record', required: true, fields: [['headers', pairsList], ['json', pairsList]] }],
  ['replace', { type: 'record', required: true, fields: [['json', pairsList], ['json_types', jsonTypes], ['headers', pairsList]] }],
  ['add', { type: 'record', required: true, fields: [['json', pairsList], ['json_types', jsonTypes], ['headers', pairsList]] }],
  ['append', { type: 'record', required: true, fields: [['json', pairsList], ['json_types', jsonTypes], ['headers', pairsList]] }],
];
