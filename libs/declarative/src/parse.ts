// Text -> plain value. JSON takes the fast path (a 10,000-route snapshot parses in milliseconds); anything else,
// or JSON that fails, goes through the YAML parser, whose errors carry line and column.
import { parseDocument } from 'yaml';

export class DeclarativeParseError extends Error {
  constructor(
    readonly detail: string,
    readonly line?: number,
    readonly column?: number,
    readonly fileName?: string,
  ) {
    super(`failed parsing declarative configuration: ${detail}`);
    this.name = 'DeclarativeParseError';
  }
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

function parseYaml(text: string, fileName?: string): unknown {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const error = doc.errors[0];
  if (error) {
    const { line, column } = error.linePos?.[0]
      ? { line: error.linePos[0].line, column: error.linePos[0].col }
      : lineColumn(text, error.pos[0]);
    const where = `${fileName ? fileName + ':' : ''}line ${line}, column ${column}`;
    const reason = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new DeclarativeParseError(`${reason} (${where})`, line, column, fileName);
  }
  return doc.toJS({ maxAliasCount: 1000 });
}

/** Parses a declarative config (YAML or JSON). Throws DeclarativeParseError naming line and column. */
export function parseDeclarative(text: string, opts: { fileName?: string } = {}): unknown {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    try {
      return JSON.parse(text);
    } catch {
      // fall through: YAML flow syntax is a superset of JSON and reports the position precisely
    }
  }
  if (trimmed === '') throw new DeclarativeParseError('expected an object', undefined, undefined, opts.fileName);
  return parseYaml(text, opts.fileName);
}
