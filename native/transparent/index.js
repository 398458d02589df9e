'use strict';
// Loads the compiled addon. Kept in plain JS so it can be required from TypeScript and from plain Node alike.
module.exports = require('./build/Release/transparent.node');
