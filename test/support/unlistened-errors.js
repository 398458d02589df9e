// Diagnostic preloaded by .ci/run (NODE_OPTIONS=--require): when an 'error' event is emitted with no listener in
// the jest process (which then fails whatever suite is running with only "read ECONNRESET"), print which emitter
// it was, where its socket got its handle (any path: connect, accept, a child's stdio, a passed handle), where it was
// connected or accepted, who destroyed it with the error, and what it had carried. Behaviour is unchanged: the emit
// still throws as before. Inactive in every other process (the tollgate nodes the tests start inherit NODE_OPTIONS).
'use strict';
if (/[\\/]\.bin[\\/]jest|jest-worker|processChild/.test(process.argv.join(' '))) {
  const EventEmitter = require('node:events');
  const net = require('node:net');
  const origin = Symbol('opened at');
  const created = Symbol('handle set at');
  const destroyedBy = Symbol('destroyed with an error at');
  const frames = (label) => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 24;
    const stack = new Error(label).stack;
    Error.stackTraceLimit = limit;
    return stack.split('\n').slice(2, 20).join('\n');
  };
  // every Socket's handle is announced here, whichever internal path made it (connect, accept, a child's stdio)
  const handleStacks = new WeakMap();
  require('node:async_hooks').createHook({
    init(_id, type, _trigger, resource) {
      if (type === 'TCPWRAP' || type === 'PIPEWRAP') handleStacks.set(resource, `${type}:\n${frames('handle')}`);
    },
  }).enable();
  const destroy = net.Socket.prototype.destroy;
  net.Socket.prototype.destroy = function (err, cb) {
    if (err && this[destroyedBy] === undefined) {
      this[destroyedBy] = frames('destroy');
      if (this._handle) this[created] = handleStacks.get(this._handle);
    }
    return destroy.call(this, err, cb);
  };
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
  const describe = (s) => {
    const state = {};
    for (const k of ['bytesRead', 'bytesWritten', '_peername', '_sockname', '_type', 'readable', 'writable', 'allowHalfOpen', 'connecting']) {
      try { state[k] = s[k]; } catch { /* getter needs a handle */ }
    }
    try { state.server = s.server?.address?.(); } catch { /* closed */ }
    try { state.listeners = s.eventNames?.(); } catch { /* none */ }
    return JSON.stringify(state);
  };
  const emit = EventEmitter.prototype.emit;
  EventEmitter.prototype.emit = function (event, ...args) {
    if (event === 'error' && this.listenerCount('error') === 0) {
      const err = args[0];
      const s = this[origin] !== undefined || this[created] !== undefined ? this : this.socket ?? this;
      process.stderr.write(
        `\n[unlistened-errors] ${this.constructor?.name ?? 'emitter'} emitted '${err?.message ?? err}' with no 'error' listener\n` +
          `opened: ${s[origin] ?? '(not connected or accepted here)'}\n` +
          `handle set: ${s[created] ?? '(unknown)'}\n` +
          `destroyed by: ${s[destroyedBy] ?? '(unknown)'}\n` +
          `state: ${describe(s)}\n` +
          `emitted at:\n${frames('emit')}\n`,
      );
    }
    return emit.call(this, event, ...args);
  };
}
