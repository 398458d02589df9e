// Custom plugins for suites that run a real node: the node loads them from disk (`plugins = bundled,<dir>`), so
// test-defined plugins are written as JS packages and TypeScript plugin folders are compiled, as a user ships them.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { transformSync } from '@swc/core';

/** A package folder whose index.js is `source` (CommonJS exporting `schema` and `handler`); returns its path. */
export function jsPluginPackage(name: string, source: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'tollgate-plugin-')), name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'index.js'), source);
  return dir;
}

/** Compiles a TypeScript plugin folder (schema.ts + handler.ts) to schema.js + handler.js in a temp folder. */
export function compiledPluginFolder(src: string): string {
  const out = mkdtempSync(join(tmpdir(), 'tollgate-plugin-'));
  for (const file of readdirSync(src).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))) {
    const { code } = transformSync(readFileSync(join(src, file), 'utf8'), {
      filename: file, swcrc: false, module: { type: 'commonjs' }, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    });
    writeFileSync(join(out, file.replace(/\.ts$/, '.js')), code);
  }
  return out;
}

/** The lines a plugin appended to `file` with appendFileSync (none if it does not exist yet). */
export function readLines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}
