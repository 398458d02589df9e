// The least a Node process can do per proxied HTTP/1.1 request: the floor under any gateway written for Node on
// this machine, measured by run.sh beside Tollgate, nginx and Caddy. It is not a proxy anyone should run: the
// client's request head is forwarded byte for byte (no routing, no header rewriting), the upstream's response is
// written back byte for byte once its Content-Length is in, there are no timeouts, no logs, no error answers.
// What remains is what every Node proxy pays: libuv's reads and writes on two sockets, the event loop, Buffers.
// Env: UPSTREAM_PORT, HTTP_PORT, HTTPS_PORT, CERT, KEY (PEM files for the TLS listener).
'use strict';
const net = require('node:net');
const tls = require('node:tls');
const { readFileSync } = require('node:fs');

const UPSTREAM_PORT = Number(process.env.UPSTREAM_PORT);
const HEAD_END = Buffer.from('\r\n\r\n');
const LENGTH = Buffer.from('\r\ncontent-length:');
const idle = [];

/** Content-Length of a response head (nginx's upstream always sends one for `return 200`), or -1. */
function contentLength(buf, headEnd) {
  // response heads are short: a case-insensitive scan of the head only
  const head = buf.toString('latin1', 0, headEnd).toLowerCase();
  const at = head.indexOf('\r\ncontent-length:');
  return at === -1 ? -1 : parseInt(head.slice(at + LENGTH.length), 10);
}

function upstreamConnection() {
  const up = idle.pop();
  if (up !== undefined) return up;
  const s = net.connect({ host: '127.0.0.1', port: UPSTREAM_PORT, noDelay: true });
  s.client = null;
  s.buf = null;
  s.on('error', () => s.client?.destroy());
  s.on('data', function (chunk) {
    const buf = this.buf === null ? chunk : Buffer.concat([this.buf, chunk]);
    const headEnd = buf.indexOf(HEAD_END);
    if (headEnd === -1) return void (this.buf = buf);
    const length = contentLength(buf, headEnd);
    if (length !== -1 && buf.length < headEnd + 4 + length) return void (this.buf = buf);
    this.buf = null;
    const client = this.client;
    this.client = null;
    idle.push(this);
    if (client !== null) {
      client.write(buf);
      client.busy = false;
      if (client.queued !== null) {
        const next = client.queued;
        client.queued = null;
        onClientData.call(client, next);
      }
    }
  });
  return s;
}

function onClientData(chunk) {
  if (this.busy) return void (this.queued = this.queued === null ? chunk : Buffer.concat([this.queued, chunk]));
  const buf = this.buf === null ? chunk : Buffer.concat([this.buf, chunk]);
  const headEnd = buf.indexOf(HEAD_END);
  if (headEnd === -1) return void (this.buf = buf);
  this.buf = null;
  const end = headEnd + 4;
  // requests without a body only (wrk's GETs); anything pipelined after the head waits for this response
  if (end < buf.length) this.queued = buf.subarray(end);
  this.busy = true;
  const up = upstreamConnection();
  up.client = this;
  up.write(end === buf.length ? buf : buf.subarray(0, end));
}

function accept(socket) {
  socket.buf = null;
  socket.queued = null;
  socket.busy = false;
  socket.setNoDelay(true);
  socket.on('error', () => undefined);
  socket.on('data', onClientData);
}

net.createServer(accept).listen(Number(process.env.HTTP_PORT), '127.0.0.1');
tls.createServer({ cert: readFileSync(process.env.CERT), key: readFileSync(process.env.KEY) }, accept)
  .listen(Number(process.env.HTTPS_PORT), '127.0.0.1', () => process.stdout.write('READY\n'));
