// Entry point: `node bench/router/run.js` (see README.md).
'use strict';
require('../../tools/ts-register');
require('./run.ts');
