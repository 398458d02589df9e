// Kong's standard validator messages (kong/db/schema/init.lua), one place so every entity says the same thing.

export const MSG = {
  REQUIRED: 'required field missing',
  UNKNOWN_FIELD: 'unknown field',
  UUID: 'expected a valid UUID',
  MISSING_PK: 'missing primary key',
  IMMUTABLE: 'immutable field cannot be updated',
  MUST_BE_NULL: 'value must be null',
  /** Not Kong's (its JSON decoder refuses such bodies before validation): for values the schema leaves untyped. */
  tooDeep: (levels: number) => `nested deeper than ${levels} levels`,
  expected: (what: string) => `expected ${what}`,
  lenMin: (n: number) => `length must be at least ${n}`,
  lenMax: (n: number) => `length must be at most ${n}`,
  lenEq: (n: number) => `length must be ${n}`,
  between: (a: number, b: number) => `value should be between ${a} and ${b}`,
  gt: (n: number) => `value must be greater than ${n}`,
  oneOf: (list: readonly unknown[]) => `expected one of: ${list.join(', ')}`,
  notOneOf: (list: readonly unknown[]) => `must not be one of: ${list.join(', ')}`,
  invalidValue: (v: unknown) => `invalid value: ${String(v)}`,
  startsWith: (s: string) => `should start with: ${s}`,
  quoted: (fields: readonly string[]) => fields.map((f) => `'${f}'`).join(', '),
  atLeastOneOf: (fields: readonly string[]) => `at least one of these fields must be non-empty: ${MSG.quoted(fields)}`,
  allOrNone: (fields: readonly string[]) => `all or none of these fields must be set: ${MSG.quoted(fields)}`,
  onlyOneOrNone: (fields: readonly string[]) => `only one or none of these fields must be set: ${MSG.quoted(fields)}`,
  distinct: (fields: readonly string[]) => `values of these fields must be distinct: ${MSG.quoted(fields)}`,
  conditional: (field: string) => `failed conditional validation given value of field '${field}'`,
  mutuallyExclusive: (subsets: ReadonlyArray<readonly string[]>) =>
    `these sets are mutually exclusive: ${subsets.map((s) => '(' + MSG.quoted(s) + ')').join(', ')}`,
} as const;
