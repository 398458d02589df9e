// Reads the first bytes of a connection until a parser decides (PROXY header, ClientHello), bounded in time and
// size. The bytes read are returned so the caller can replay them (to the TLS terminator or the upstream).
import type { Socket } from 'node:net';

export type PrereadParser<T> = (buffered: Buffer) => T | 'incomplete';

export type PrereadOutcome<T> =
  | { readonly kind: 'done'; readonly value: T; readonly buffered: Buffer }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'closed' }
  | { readonly kind: 'too_large' };

/**
 * Resolves once `parse` returns something other than 'incomplete'. The socket is left paused with its 'data'
 * listener removed. `initial`: bytes already read by an earlier preread stage.
 */
export function preread<T>(socket: Socket, initial: Buffer, parse: PrereadParser<T>, maxBytes: number, timeoutMs: number): Promise<PrereadOutcome<T>> {
  if (initial.length > 0) {
    const value = parse(initial);
    if (value !== 'incomplete') return Promise.resolve({ kind: 'done', value, buffered: initial });
  }
  return new Promise((resolve) => {
    let buffered = initial;
    const finish = (outcome: PrereadOutcome<T>) => {
      clearTimeout(timer);
      socket.removeListener('data', onData);
      socket.removeListener('end', onClosed);
      socket.removeListener('close', onClosed);
      socket.pause();
      resolve(outcome);
    };
    const onData = (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      const value = parse(buffered);
      if (value !== 'incomplete') finish({ kind: 'done', value, buffered });
      else if (buffered.length >= maxBytes) finish({ kind: 'too_large' });
    };
    const onClosed = () => finish({ kind: 'closed' });
    const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
    socket.on('data', onData);
    socket.once('end', onClosed);
    socket.once('close', onClosed);
    socket.resume();
  });
}
