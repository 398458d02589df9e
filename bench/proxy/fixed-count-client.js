// N keep-alive GETs over C connections, spread over 100 routes and keys (apikey key-<i>) as plugins-wrk.lua sends
// them; exits 0 once every response was a 200. Usage: node fixed-count-client.js <port> <N> <C>
const net = require('node:net');
const [port, n, c] = process.argv.slice(2).map(Number);
let sent = 0, done = 0;
function conn() {
  const s = net.connect(port, '127.0.0.1');
  let buf = '';
  const send = () => { if (sent >= n) { s.end(); return; } const i = sent++; s.write(`GET /api/v1/r${i % 100}/x HTTP/1.1\r\nHost: 127.0.0.1\r\napikey: key-${i % 100}\r\n\r\n`); };
  s.on('connect', send);
  s.on('data', (d) => { buf += d.toString('latin1'); let k; while ((k = buf.indexOf('\r\n\r\n')) !== -1) { const head = buf.slice(0, k); const m = /content-length: *(\d+)/i.exec(head); const len = m ? +m[1] : 0; if (buf.length < k + 4 + len) break; if (!head.startsWith('HTTP/1.1 200')) { console.error('bad', head.split('\r\n')[0]); process.exit(1); } buf = buf.slice(k + 4 + len); done++; send(); } if (done >= n) process.exit(0); });
  s.on('error', (e) => { console.error(e.message); process.exit(1); });
}
for (let i = 0; i < c; i++) conn();
