// Kong's DAO error codes (kong/db/errors.lua) and the Admin API status each one maps to. Closed table.

export const ERROR_CODES = {
  INVALID_PRIMARY_KEY: 1,
  SCHEMA_VIOLATION: 2,
  PRIMARY_KEY_VIOLATION: 3,
  FOREIGN_KEY_VIOLATION: 4,
  UNIQUE_VIOLATION: 5,
  NOT_FOUND: 6,
  INVALID_OFFSET: 7,
  DATABASE_ERROR: 8,
  INVALID_SIZE: 9,
  INVALID_UNIQUE: 10,
  INVALID_OPTIONS: 11,
  OPERATION_UNSUPPORTED: 12,
  FOREIGN_KEYS_UNRESOLVED: 13,
  DECLARATIVE_CONFIG: 14,
  REFERENCED_BY_OTHERS: 19,
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** code -> Kong's `name` and the HTTP status the Admin API answers with. Code 10's name ends with the field. */
export const ERRORS: ReadonlyMap<ErrorCode, { readonly name: string; readonly status: number }> = new Map<
  ErrorCode,
  { name: string; status: number }
>([
  [1, { name: 'invalid primary key', status: 400 }],
  [2, { name: 'schema violation', status: 400 }],
  [3, { name: 'primary key violation', status: 400 }],
  [4, { name: 'foreign key violation', status: 400 }],
  [5, { name: 'unique constraint violation', status: 409 }],
  [6, { name: 'not found', status: 404 }],
  [7, { name: 'invalid offset', status: 400 }],
  [8, { name: 'database error', status: 500 }],
  [9, { name: 'invalid size', status: 400 }],
  [10, { name: 'invalid unique', status: 400 }],
  [11, { name: 'invalid options', status: 400 }],
  [12, { name: 'operation unsupported', status: 405 }],
  [13, { name: 'foreign keys unresolved', status: 400 }],
  [14, { name: 'invalid declarative configuration', status: 400 }],
  [19, { name: 'referenced by others', status: 400 }],
]);
