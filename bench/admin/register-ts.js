// Lets plain `node` run the TypeScript sources for the benchmark (no build step): compiles .ts with swc on
// require, with the decorator settings Nest needs, and maps the @tollgate/<lib> aliases as jest does.
'use strict';
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');
const swc = require('@swc/core');

const ROOT = path.resolve(__dirname, '..', '..');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolve(request, parent, ...rest) {
  const alias = /^@tollgate\/([a-z-]+)(\/.*)?$/.exec(request);
  if (alias) request = path.join(ROOT, 'libs', alias[1], 'src', alias[2] ?? '');
  return resolveFilename.call(this, request, parent, ...rest);
};
Module._extensions['.ts'] = function compile(module, filename) {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    swcrc: false,
    jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
