// Kong's error bodies (kong-admin-api.md §5) as OpenAPI components, referenced by every operation.

const code = (value: number) => ({ type: 'integer', enum: [value], example: value });

function daoError(codeValue: number, name: string, message: string, key: 'fields' | 'options' | null) {
  const properties: Record<string, unknown> = {
    code: code(codeValue),
    name: { type: 'string', enum: [name], example: name },
    message: { type: 'string', example: message },
  };
  if (key) properties[key] = { type: 'object', additionalProperties: true, description: 'Error tree mirroring the request body' };
  return { type: 'object', required: ['code', 'name', 'message'], properties };
}

export const ERROR_SCHEMAS: Record<string, unknown> = {
  MessageError: {
    type: 'object',
    required: ['message'],
    properties: { message: { type: 'string', example: 'Not found' } },
    description: 'Errors that are not database errors: 404 Not found, 405 Method not allowed, 400 Cannot parse JSON body, ...',
  },
  InvalidPrimaryKeyError: daoError(1, 'invalid primary key', `invalid primary key: '{id="expected a valid UUID"}'`, 'fields'),
  SchemaViolationError: daoError(2, 'schema violation', 'schema violation (name: required field missing)', 'fields'),
  ForeignKeyViolationError: daoError(4, 'foreign key violation', "an existing 'routes' entity references this 'services' entity", 'fields'),
  UniqueViolationError: daoError(5, 'unique constraint violation', `UNIQUE violation detected on '{name="example"}'`, 'fields'),
  NotFoundError: daoError(6, 'not found', `could not find the entity with '{name="example"}'`, 'fields'),
  InvalidOffsetError: daoError(7, 'invalid offset', "'x' is not a valid offset: bad base64 encoding", null),
  InvalidSizeError: daoError(9, 'invalid size', 'size must be an integer between 1 and 1000', null),
  InvalidOptionsError: daoError(11, 'invalid options', 'invalid option (tags: invalid filter syntax)', 'options'),
  OperationUnsupportedError: daoError(12, 'operation unsupported', "cannot create 'services' entities when not using a database", null),
  ForeignKeysUnresolvedError: daoError(13, 'foreign keys unresolved', 'foreign key unresolved (service.name: ...)', 'fields'),
};

const json = (ref: string) => ({ 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } });
const anyOf = (...refs: string[]) => ({ 'application/json': { schema: { oneOf: refs.map((r) => ({ $ref: `#/components/schemas/${r}` })) } } });

export const ERROR_RESPONSES: Record<string, unknown> = {
  BadRequest: {
    description: 'Invalid input: schema, foreign-key or primary-key violation, bad JSON, bad size/offset/tags',
    content: anyOf('SchemaViolationError', 'ForeignKeyViolationError', 'InvalidPrimaryKeyError', 'ForeignKeysUnresolvedError', 'InvalidSizeError', 'InvalidOffsetError', 'InvalidOptionsError', 'MessageError'),
  },
  Unauthorized: { description: 'Missing or wrong Kong-Admin-Token (admin_api_key is set)', content: json('MessageError') },
  Forbidden: { description: 'Client address outside admin_access_allow', content: json('MessageError') },
  NotFound: { description: 'No such entity or route', content: json('MessageError') },
  PatchNotFound: { description: 'No such entity', content: anyOf('NotFoundError', 'MessageError') },
  MethodNotAllowed: { description: 'Method not allowed (or a write in DB-less mode)', content: anyOf('MessageError', 'OperationUnsupportedError') },
  Conflict: { description: 'Unique constraint violation', content: json('UniqueViolationError') },
  UnsupportedMediaType: { description: 'Body with a Content-Type other than JSON, form-urlencoded or multipart', content: json('MessageError') },
};
