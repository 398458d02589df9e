// Lets a plain `node` child process run this repository's TypeScript: compiles .ts with @swc/core (as jest
// does) and maps @tollgate/<lib> to libs/<lib>/src. Test-only.
const Module = require('node:module');
const path = require('node:path');
const { transformSync } = require('@swc/core');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const m = /^@tollgate\/([a-z-]+)(\/.*)?$/.exec(request);
  if (m) request = path.join(ROOT, 'libs', m[1], 'src') + (m[2] ?? '');
  return resolve.call(this, request, parent, ...rest);
};
require.extensions['.ts'] = function (module, filename) {
  const source = require('node:fs').readFileSync(filename, 'utf8');
  const { code } = transformSync(source, {
    filename,
    swcrc: false,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
