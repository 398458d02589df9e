// Text -> plain value, read as Kong reads it. JSON takes the fast path (a 10,000-route snapshot parses in
// milliseconds); anything else, or JSON that fails, goes through the YAML parser, whose errors carry line and
// column. Kong parses YAML with libyaml (lyaml), i.e. YAML 1.1: `yes`/`no`/`on`/`off` are booleans, `<<` merge
// keys work, and a repeated key silently replaces the earlier one (we keep the last value too, and warn).
import type { ScalarTag } from 'yaml';
import { yaml } from './yaml-module';
import { MAX_JSON_DEPTH, nestsDeeperThan, yamlNestsDeeperThan } from './nesting';

/**
 * The YAML parser recurses once per level: past about 900 levels it overflows the stack (and a regular expression
 * compiled on that overflow ends the process). Real kong.yml files nest a dozen levels.
 */
const MAX_YAML_DEPTH = 200;

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

export interface ParseOptions {
  readonly fileName?: string;
  /** Receives what Kong accepts but a user likely did not mean (a repeated key). */
  readonly warnings?: string[];
}

const BOOL = 'tag:yaml.org,2002:bool';
// lyaml's implicit booleans: the YAML 1.1 words, without the single letters y/n the `yaml` package adds
const LYAML_TRUE = /^(?:[Tt]rue|TRUE|[Yy]es|YES|[Oo]n|ON)$/;
const LYAML_FALSE = /^(?:[Ff]alse|FALSE|[Nn]o|NO|[Oo]ff|OFF)$/;

/** The yaml-1.1 schema narrowed to lyaml's implicit scalars: its booleans, and no timestamps (lyaml keeps strings). */
function lyamlTags(tags: unknown[]): unknown[] {
  return tags
    .filter((tag) => (tag as ScalarTag).tag !== 'tag:yaml.org,2002:timestamp')
    .map((tag) => {
      const t = tag as ScalarTag;
      if (t.tag !== BOOL || !t.test) return tag;
      return { ...t, test: t.test.source.includes('rue') ? LYAML_TRUE : LYAML_FALSE };
    });
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

function parseYaml(text: string, opts: ParseOptions): unknown {
  const lineCounter = new (yaml().LineCounter)();
  const doc = yaml().parseDocument(text, {
    prettyErrors: false, uniqueKeys: false, version: '1.1', merge: true, lineCounter,
    customTags: lyamlTags as never,
  });
  const error = doc.errors[0];
  const where = (line: number, column: number) => `${opts.fileName ? opts.fileName + ':' : ''}line ${line}, column ${column}`;
  if (error) {
    const { line, column } = error.linePos?.[0]
      ? { line: error.linePos[0].line, column: error.linePos[0].col }
      : lineColumn(text, error.pos[0]);
    const reason = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new DeclarativeParseError(`${reason} (${where(line, column)})`, line, column, opts.fileName);
  }
  if (opts.warnings) {
    const warnings = opts.warnings;
    yaml().visit(doc, {
      Map(_key, map) {
        const seen = new Set<string>();
        for (const pair of map.items) {
          if (!yaml().isScalar(pair.key) || pair.key.value === '<<') continue;
          const name = String(pair.key.value);
          if (!seen.has(name)) {
            seen.add(name);
            continue;
          }
          const { line, col } = lineCounter.linePos(pair.key.range?.[0] ?? 0);
          warnings.push(`duplicate key '${name}' (${where(line, col)}): the last value is used`);
        }
        return yaml().isMap(map) ? undefined : yaml().visit.SKIP;
      },
    });
  }
  try {
    return doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    // an alias expanding past the limit ("billion laughs"): the document's fault, not ours
    throw new DeclarativeParseError((err as Error).message, undefined, undefined, opts.fileName);
  }
}

/** Parses a declarative config (YAML or JSON). Throws DeclarativeParseError naming line and column. */
export function parseDeclarative(text: string, opts: ParseOptions = {}): unknown {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    if (nestsDeeperThan(text, MAX_JSON_DEPTH)) throw new DeclarativeParseError(`nested deeper than ${MAX_JSON_DEPTH} levels`, undefined, undefined, opts.fileName);
    try {
      return JSON.parse(text);
    } catch {
      // fall through: YAML flow syntax is a superset of JSON and reports the position precisely
    }
  }
  if (trimmed === '') throw new DeclarativeParseError('expected an object', undefined, undefined, opts.fileName);
  if (yamlNestsDeeperThan(text, MAX_YAML_DEPTH)) throw new DeclarativeParseError(`nested deeper than ${MAX_YAML_DEPTH} levels`, undefined, undefined, opts.fileName);
  return parseYaml(text, opts);
}
