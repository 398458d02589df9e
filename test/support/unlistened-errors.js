// Diagnostic preloaded by .ci/run (NODE_OPTIONS=--require): when an 'error' event is emitted with no listener in
// the jest process (which then fails whatever suite is running with only "read ECONNRESET"), print which emitter
// it was and where its socket was opened or accepted. Behaviour is unchanged: the emit still throws as before.
// Inactive in every other process (the tollgate nodes the tests start inherit NODE_OPTIONS).
'use strict';
if (/[\\/]\.bin[\\/]jest|jest-worker|processChild/.test(process.argv.join(' '))) {
  const EventEmitter = require('node:events');
  const net = require('node:net');
  const origin = Symbol('opened at');
  const frames = (label) => new Error(label).stack.split('\n').slice(2, 12).join('\n');
  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (...args) {
    if (this[origin] === undefined) this[origin] = `connect:\n${frames('connect')}`;
    return connect.apply(this, args);
  };
  const serverEmit = net.Server.prototype.emit;
  net.Server.prototype.emit = function (event, socket, ...rest) {
    if ((event === 'connection' || event === 'secureConnection') && socket && typeof socket === 'object' && socket[origin] === undefined) {
      let where = '';
      try { where = JSON.stringify(this.address()); } catch { /* closed */ }
      socket[origin] = `accepted on ${where}:\n${frames('accept')}`;
    }
    return serverEmit.call(this, event, socket, ...rest);
  };
  const emit = EventEmitter.prototype.emit;
  EventEmitter.prototype.emit = function (event, ...args) {
    if (event === 'error' && this.listenerCount('error') === 0) {
      const err = args[0];
      const opened = this[origin] ?? this.socket?.[origin] ?? '(origin unknown)';
      process.stderr.write(`\n[unlistened-errors] ${this.constructor?.name ?? 'emitter'} emitted '${err?.message ?? err}' with no 'error' listener; ${opened}\nemitted at:\n${frames('emit')}\n`);
    }
    return emit.call(this, event, ...args);
  };
}
