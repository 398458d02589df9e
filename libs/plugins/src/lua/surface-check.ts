// Config-time checks of a Lua snippet: it parses, and every kong.* / ngx.* name it mentions is in SURFACE.
// The scan skips comments and string literals; what it cannot see (computed names) fails at run time instead,
// with the same message from the strict PDK tables.
import { SURFACE, type SurfaceTable } from './pdk';

/** The source without comments and string contents, so names inside them are not mistaken for calls. */
export function codeOnly(src: string): string {
  let out = '';
  let i = 0;
  const longBracket = (at: number): number => {
    const m = /^\[(=*)\[/.exec(src.slice(at));
    return m ? m[1].length : -1;
  };
  while (i < src.length) {
    const c = src[i];
    if (c === '-' && src[i + 1] === '-') {
      const level = longBracket(i + 2);
      if (level >= 0) {
        const close = src.indexOf(`]${'='.repeat(level)}]`, i + 4 + level);
        i = close === -1 ? src.length : close + level + 2;
      } else {
        const nl = src.indexOf('\n', i);
        i = nl === -1 ? src.length : nl;
      }
      out += ' ';
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < src.length && src[j] !== c && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
      out += '""';
      i = j + 1;
      continue;
    }
    if (c === '[') {
      const level = longBracket(i);
      if (level >= 0) {
        const close = src.indexOf(`]${'='.repeat(level)}]`, i + 2 + level);
        out += '""';
        i = close === -1 ? src.length : close + level + 2;
        continue;
      }
    }
    out += c;
    i++;
  }
  return out;
}

const REFERENCE = /(?<![\w.:])(kong|ngx)((?:\s*\.\s*[A-Za-z_]\w*)+)/g;

/** The first PDK name the snippet uses that Tollgate does not provide (e.g. "kong.cache.get"), or undefined. */
export function unknownPdkName(src: string): string | undefined {
  const code = codeOnly(src);
  for (const m of code.matchAll(REFERENCE)) {
    const segments = m[2].split('.').map((s) => s.trim()).filter(Boolean);
    let node: SurfaceTable = SURFACE[m[1]] as SurfaceTable;
    let path = m[1];
    for (const seg of segments) {
      const next: unknown = node[seg];
      path += `.${seg}`;
      if (next === undefined) return path;
      if (typeof next !== 'object') break;
      node = next as SurfaceTable;
    }
  }
  return undefined;
}
