// Constructors for Kong's DAO errors `{code, name, message, fields}`; one per code in ./codes.
import { ERRORS, ERROR_CODES, ErrorCode } from './codes';
import { KongError, KongErrorBody } from './kong-error';
import { luaPretty } from './lua-pretty';
import { summarise } from './violation-message';

export type ErrorTree = Record<string, unknown>;

function daoError(code: ErrorCode, message: string, extra: Partial<KongErrorBody> = {}, name?: string): KongError {
  const entry = ERRORS.get(code)!;
  return new KongError(entry.status, { code, name: name ?? entry.name, message, ...extra });
}

/** 400 code 1: the *errors* of the key are pretty-printed, e.g. `invalid primary key: '{id="expected a valid UUID"}'`. */
export function invalidPrimaryKey(errors: ErrorTree): KongError {
  return daoError(ERROR_CODES.INVALID_PRIMARY_KEY, `invalid primary key: '${luaPretty(errors)}'`, { fields: errors });
}

/** 400 code 2. */
export function schemaViolation(fields: ErrorTree): KongError {
  const message = summarise(fields, 'schema violation', 'schema violations');
  return daoError(ERROR_CODES.SCHEMA_VIOLATION, message, { fields });
}

/** 400 code 3 (Kong's generic handlers answer 400). */
export function primaryKeyViolation(primaryKey: ErrorTree): KongError {
  return daoError(ERROR_CODES.PRIMARY_KEY_VIOLATION, `primary key violation on key '${luaPretty(primaryKey)}'`, {
    fields: primaryKey,
  });
}

/** 400 code 4 on insert/update: `field` points at a missing `parentEntity` row. */
export function foreignKeyViolation(field: string, parentEntity: string, key: ErrorTree): KongError {
  return daoError(
    ERROR_CODES.FOREIGN_KEY_VIOLATION,
    `the foreign key '${luaPretty(key)}' does not reference an existing '${parentEntity}' entity.`,
    { fields: { [field]: key } },
  );
}

/** 400 code 4 on delete: a restrict foreign key of `childEntity` still points at the row. */
export function foreignKeyRestrict(childEntity: string, parentEntity: string): KongError {
  return daoError(
    ERROR_CODES.FOREIGN_KEY_VIOLATION,
    `an existing '${childEntity}' entity references this '${parentEntity}' entity`,
    { fields: { '@referenced_by': childEntity } },
  );
}

/** 409 code 5: `fields` holds the conflicting values (composite keys included, null printed as null). */
export function uniqueViolation(fields: ErrorTree): KongError {
  return daoError(ERROR_CODES.UNIQUE_VIOLATION, `UNIQUE violation detected on '${luaPretty(fields)}'`, { fields });
}

/** 404 code 6. `byPrimaryKey` false gives the endpoint-key form `could not find the entity with '{name="x"}'`. */
export function entityNotFound(key: ErrorTree, byPrimaryKey = true): KongError {
  const prefix = byPrimaryKey ? 'could not find the entity with primary key' : 'could not find the entity with';
  return daoError(ERROR_CODES.NOT_FOUND, `${prefix} '${luaPretty(key)}'`, { fields: key });
}

/** 400 code 7; reason is `bad base64 encoding` or `bad json encoding`. */
export function invalidOffset(token: string, reason: string): KongError {
  return daoError(ERROR_CODES.INVALID_OFFSET, `'${token}' is not a valid offset: ${reason}`);
}

/** 500 code 8: the client sees only `{"message":"An unexpected error occurred"}`; `detail` is for logs. */
export function databaseError(detail?: unknown): KongError {
  return new KongError(500, { message: 'An unexpected error occurred' }, detail);
}

export const SIZE_NOT_A_NUMBER = 'size must be a number';
export const SIZE_OUT_OF_RANGE = 'size must be an integer between 1 and 1000';

/** 400 code 9. */
export function invalidSize(message: string = SIZE_OUT_OF_RANGE): KongError {
  return daoError(ERROR_CODES.INVALID_SIZE, message);
}

/** 400 code 10, name `invalid unique <field>`, message the validator's message. */
export function invalidUnique(field: string, message: string): KongError {
  return daoError(ERROR_CODES.INVALID_UNIQUE, message, {}, `invalid unique ${field}`);
}

/** 400 code 11; the tree goes under `options`, not `fields`. */
export function invalidOptions(options: ErrorTree): KongError {
  return daoError(ERROR_CODES.INVALID_OPTIONS, summarise(options, 'invalid option', 'option violations'), { options });
}

/** 405 code 12, e.g. `cannot create 'routes' entities when not using a database`. */
export function operationUnsupported(message: string): KongError {
  return daoError(ERROR_CODES.OPERATION_UNSUPPORTED, message);
}

/** The code 12 message for a DB-less write. `verb`: create | create or update | update | remove. */
export function dblessWriteMessage(verb: string, entity: string, endpointKey?: string): string {
  const by = endpointKey ? ` by '${endpointKey}'` : '';
  return `cannot ${verb} '${entity}' entities${by} when not using a database`;
}

/** The per-field text for an unresolved foreign key in a body (`{service:{name:"x"}}`). */
export function unresolvedForeignKeyMessage(key: ErrorTree, parentEntity: string): string {
  return `the foreign key cannot be resolved with '${luaPretty(key)}' for an existing '${parentEntity}' entity`;
}

/** 400 code 13, e.g. fields `{service:{name:"the foreign key cannot be resolved ..."}}`. */
export function foreignKeysUnresolved(fields: ErrorTree): KongError {
  const message = summarise(fields, 'foreign key unresolved', 'foreign keys unresolved');
  return daoError(ERROR_CODES.FOREIGN_KEYS_UNRESOLVED, message, { fields });
}

/** 400 code 14 (`/config`). */
export function invalidDeclarativeConfig(fields: ErrorTree): KongError {
  return daoError(ERROR_CODES.DECLARATIVE_CONFIG, `declarative config is invalid: ${luaPretty(fields)}`, { fields });
}

/** 400 code 19, e.g. `ca certificate <id> is still referenced by services (id = <sid>)`. */
export function referencedByOthers(message: string): KongError {
  return daoError(ERROR_CODES.REFERENCED_BY_OTHERS, message);
}
