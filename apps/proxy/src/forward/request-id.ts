// X-Kong-Request-Id: 32 hex characters, unique per process (random prefix) and per request (counter).
import { randomBytes } from 'node:crypto';

const PREFIX = randomBytes(8).toString('hex');
let counter = 0;

export function nextRequestId(): string {
  counter = (counter + 1) % 0x10000000000000;
  return PREFIX + counter.toString(16).padStart(16, '0');
}
