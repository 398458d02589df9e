// A TLS 1.2 client that asks for a renegotiation right after its handshake, then checks the session still works.
import { connect as tlsConnect } from 'node:tls';

/**
 * 'refused' when the server ends the session (an error or a close) instead of renegotiating; 'renegotiated' when
 * the renegotiation completes and `probe`, written afterwards, gets an answer.
 */
export function renegotiationOutcome(port: number, servername: string, probe: string): Promise<'refused' | 'renegotiated'> {
  return new Promise((resolve) => {
    const s = tlsConnect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false, maxVersion: 'TLSv1.2', ALPNProtocols: ['http/1.1'] }, () => {
      s.renegotiate({ rejectUnauthorized: false }, (err) => {
        if (err) return resolve('refused');
        s.write(probe);
        s.once('data', () => resolve('renegotiated'));
      });
    });
    s.resume(); // reads the server's close while the renegotiation is pending
    s.on('error', () => resolve('refused'));
    s.on('close', () => resolve('refused'));
  });
}
