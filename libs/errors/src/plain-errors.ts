// Admin API answers that are not DAO errors: always `{"message": ...}` (one is raw text, as Kong sends it).
import { KongError } from './kong-error';

export const PLAIN_MESSAGES = {
  NOT_FOUND: 'Not found',
  METHOD_NOT_ALLOWED: 'Method not allowed',
  UNEXPECTED: 'An unexpected error occurred',
  CANNOT_PARSE_JSON: 'Cannot parse JSON body',
  TOO_MANY_ARGUMENTS: 'Too many arguments',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported Media Type',
  MULTIPLE_CONTENT_TYPES: 'Multiple Content-Type headers not allowed',
} as const;

export function messageError(status: number, message: string): KongError {
  return new KongError(status, { message });
}

export const notFound = (message: string = PLAIN_MESSAGES.NOT_FOUND) => messageError(404, message);
export const methodNotAllowed = () => messageError(405, PLAIN_MESSAGES.METHOD_NOT_ALLOWED);
export const unexpectedError = (detail?: unknown) =>
  new KongError(500, { message: PLAIN_MESSAGES.UNEXPECTED }, detail);
export const cannotParseJson = () => messageError(400, PLAIN_MESSAGES.CANNOT_PARSE_JSON);
export const tooManyArguments = () => messageError(400, PLAIN_MESSAGES.TOO_MANY_ARGUMENTS);
/** Kong sends nginx's empty 415 page; tests check only the status, so we say why in JSON. */
export const unsupportedMediaType = () => messageError(415, PLAIN_MESSAGES.UNSUPPORTED_MEDIA_TYPE);
/** Raw text, not JSON: Kong passes a bare string to kong.response.exit. */
export const multipleContentTypes = () =>
  new KongError(400, PLAIN_MESSAGES.MULTIPLE_CONTENT_TYPES, undefined, 'text/plain; charset=utf-8');
export const badRequest = (message: string) => messageError(400, message);
export const noEntityNamed = (name: string) => messageError(404, `No entity named '${name}'`);
export const noPluginNamed = (name: string) => messageError(404, `No plugin named '${name}'`);
