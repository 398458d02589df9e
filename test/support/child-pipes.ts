// A child's pipes can report the child's end as an error: a node killed with SIGKILL under load has left its reader
// "read ECONNRESET" on its stderr. With no listener, that error is thrown in the jest process and fails whichever suite
// runs at that moment, with nothing but the message. Tests judge a child by its exit and its output, so the pipes'
// own errors are dropped here, on every pipe of every child a test starts.
import type { ChildProcess } from 'node:child_process';

export function guardPipes<T extends ChildProcess>(child: T): T {
  for (const pipe of [child.stdin, child.stdout, child.stderr]) pipe?.on('error', () => undefined);
  return child;
}
