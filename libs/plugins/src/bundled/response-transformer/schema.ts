import { typedefs, type FieldDef, type FieldList } from '@tollgate/schema';
import { colonPair } from '../transform-lists';

const strings: FieldDef = { type: 'array', default: [], required: true, elements: { type: 'string' } };
const pairsList: FieldDef = { type: 'array', default: [], required: true, elements: { type: 'string', custom: colonPair } };
// headers become request/response headers: names must be tokens and values header-safe
const headerPairs: FieldDef = { type: 'array', default: [], required: true, elements: typedefs.headerPair };
const jsonTypes: FieldDef = { type: 'array', default: [], required: true, elements: { type: 'string', one_of: ['boolean', 'number', 'string'] } };

export const schema: FieldList = [
  ['remove', { type: 'record', required: true, fields: [['json', strings], ['headers', strings]] }],
  ['rename', { type: 'record', required: true, fields: [['json', pairsList], ['headers', headerPairs]] }],
  ['replace', { type: 'record', required: true, fields: [['json', pairsList], ['json_types', jsonTypes], ['headers', headerPairs]] }],
  ['add', { type: 'record', required: true, fields: [['json', pairsList], ['json_types', jsonTypes], ['headers', headerPairs]] }],
  ['append', { type: 'record', required: true, fields: [['json', pairsList], ['json_types', jsonTypes], ['headers', headerPairs]] }],
];
