// kong.conf text syntax (Penlight's config reader as Kong uses it): `key = value` lines, `#` comments,
// `\#` for a literal `#`, surrounding spaces trimmed. Syntax only; keys are checked against the table by load.
import type { ConfigProblem } from './config-error';

export interface ConfEntry {
  readonly key: string;
  /** Trimmed value; '' means "unset". */
  readonly value: string;
  readonly line: number;
}

export interface ConfText {
  readonly entries: readonly ConfEntry[];
  readonly problems: readonly ConfigProblem[];
}

/** Drops a trailing comment and turns `\#` into `#`. */
function stripComment(line: string): string {
  let out = '';
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (char === '\\' && line[i + 1] === '#') {
      out += '#';
      i++;
    } else if (char === '#') {
      break;
    } else {
      out += char;
    }
  }
  return out;
}

export function parseConfText(text: string, fileName: string): ConfText {
  const entries: ConfEntry[] = [];
  const problems: ConfigProblem[] = [];
  const firstLine = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = index + 1;
    const content = stripComment(lines[index]).trim();
    if (content === '') continue;
    const eq = content.indexOf('=');
    const key = eq === -1 ? '' : content.slice(0, eq).trim();
    if (eq === -1 || !/^[A-Za-z0-9_]+$/.test(key)) {
      problems.push({ key: '', value: '', line, source: 'file', file: fileName,
        message: `expected 'key = value', got '${content}'` });
      continue;
    }
    const value = content.slice(eq + 1).trim();
    const previous = firstLine.get(key);
    if (previous !== undefined) {
      problems.push({ key, value, line, source: 'file', file: fileName,
        message: `${key}: duplicate key (set on lines ${previous} and ${line})` });
      continue;
    }
    firstLine.set(key, line);
    entries.push({ key, value, line });
  }
  return { entries, problems };
}
