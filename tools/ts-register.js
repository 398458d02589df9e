// Lets plain `node` run this repository's TypeScript sources with no build step (benchmarks, and child processes
// spawned by end-to-end tests): compiles .ts with @swc/core on require, with the decorator settings NestJS needs,
// and maps the @tollgate/<lib> aliases to libs/<lib>/src as jest's config does. Use: node -r tools/ts-register.js
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const swc = require('@swc/core');

const ROOT = path.resolve(__dirname, '..');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
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
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};
