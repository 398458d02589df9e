import { typedefs, type FieldDef, type FieldList } from '@tollgate/schema';
import { colonPair } from '../transform-lists';
import { templateProblem } from './templates';

/** `name:value` with a value whose template compiles (Kong's check_for_value). */
const templatedPair = (value: unknown): string | undefined => {
  const shape = colonPair(value);
  if (shape !== undefined || typeof value !== 'string') return shape;
  return templateProblem(value.slice(value.indexOf(':') + 1));
};

const strings: FieldDef = { type: 'array', default: [], required: true, elements: { type: 'string' } };
const pairsList: FieldDef = { type: 'array', default: [], required: true, elements: { type: 'string', custom: templatedPair } };
// headers become request/response headers: names must be tokens and values header-safe (then templates compile)
const headerPairs: FieldDef = { type: 'array', default: [], required: true,
  elements: { type: 'string', custom: (value: unknown) => typedefs.headerPair.custom!(value) ?? templatedPair(value) } };

const group = (withRenames: boolean, valued: boolean): FieldDef => ({
  type: 'record',
  required: true,
  fields: [
    ['body', valued || withRenames ? pairsList : strings],
    ['headers', valued || withRenames ? headerPairs : strings],
    ['querystring', valued || withRenames ? pairsList : strings],
  ],
});

export const schema: FieldList = [
  ['http_method', { type: 'string', match: /^[A-Z]+$/, matchMessage: 'invalid value' }],
  ['remove', group(false, false)],
  ['rename', group(true, false)],
  ['replace', { ...group(false, true), fields: [...(group(false, true).fields ?? []), ['uri', { type: 'string', custom: (v) => (typeof v === 'string' ? templateProblem(v) : undefined) }]] }],
  ['add', group(false, true)],
  ['append', group(false, true)],
];
