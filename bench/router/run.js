// Entry point: `node bench/router/run.js` (see README.md).
'use strict';
require('./register-ts');
require('./run.ts');
