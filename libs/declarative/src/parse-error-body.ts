// POST /config and `tollgate config parse` report an unparsable file as a code-14 body whose fields hold one
// `error` string, as Kong does.
import type { DeclarativeErrorBody } from './error-tree';
import { declarativeMessage } from './error-tree';
import { DeclarativeParseError } from './parse';

export function parseErrorBody(error: DeclarativeParseError): DeclarativeErrorBody {
  const fields = { error: error.message };
  return { code: 14, name: 'invalid declarative configuration', message: declarativeMessage(fields), fields };
}
