// decK's environment substitution, for files written for `deck gateway sync`: `${{ env "DECK_NAME" }}` is
// replaced by that variable's value before the file is parsed, optionally piped through decK's helpers
// (`| toBool`, `| toInt`, `| toFloat`, `| indent N`). As in decK only DECK_-prefixed variables may be read, and
// a variable the file names but the environment lacks fails the file. `{vault://...}` references are not
// templates: they stay in the text and are resolved by the data plane.
const TEMPLATE = /\$\{\{(.*?)\}\}/gs;
const ENV_CALL = /^\s*env\s+"([^"]*)"\s*((?:\|\s*[A-Za-z]+(?:\s+\d+)?\s*)*)$/;
const PREFIX = 'DECK_';

export class DeckEnvError extends Error {}

function pipe(value: string, step: string): string {
  const [fn, arg] = step.trim().split(/\s+/);
  switch (fn) {
    case 'toBool': {
      const v = value.trim();
      if (/^(1|t|T|TRUE|true|True)$/.test(v)) return 'true';
      if (/^(0|f|F|FALSE|false|False)$/.test(v)) return 'false';
      throw new DeckEnvError(`toBool: invalid syntax: '${value}'`);
    }
    case 'toInt':
      if (!/^[+-]?\d+$/.test(value.trim())) throw new DeckEnvError(`toInt: invalid syntax: '${value}'`);
      return String(parseInt(value, 10));
    case 'toFloat':
      if (value.trim() === '' || Number.isNaN(Number(value))) throw new DeckEnvError(`toFloat: invalid syntax: '${value}'`);
      return String(Number(value));
    case 'indent':
      if (arg === undefined) throw new DeckEnvError('indent: expects a number of spaces');
      return value.replace(/\n/g, '\n' + ' '.repeat(Number(arg)));
    default:
      throw new DeckEnvError(`function "${fn}" not defined`);
  }
}

/** Renders decK's `${{ ... }}` templates of `text` from `env`; names every problem in the error. */
export function substituteDeckEnv(text: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!text.includes('${{')) return text;
  return text.replace(TEMPLATE, (_whole, body: string) => {
    const m = ENV_CALL.exec(body);
    if (!m) throw new DeckEnvError(`unsupported template '\${{${body}}}': expected env "DECK_NAME"`);
    const name = m[1];
    if (!name.startsWith(PREFIX)) {
      throw new DeckEnvError(`environment variables in the state file must be prefixed with '${PREFIX}', found: '${name}'`);
    }
    const value = env[name];
    if (value === undefined) throw new DeckEnvError(`environment variable '${name}' present in state file but not set`);
    return m[2].split('|').slice(1).reduce(pipe, value);
  });
}
