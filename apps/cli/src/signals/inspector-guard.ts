// Imported FIRST by every Tollgate entry point (the CLI, each data-plane worker). Node opens its inspector on
// 127.0.0.1:9229 when a process receives SIGUSR1 and no JavaScript listener exists for it, which would let any
// local user run code as the gateway's user. A listener present from the first module on closes that door; the
// real meaning of USR1 (reopen log files) is added later by whoever owns the process's logs.
import inspector from 'node:inspector';

process.on('SIGUSR1', () => {});

// A USR1 that arrived while Node was still booting (before any module ran) has already opened the inspector:
// close it, unless the operator asked for one on the command line.
const asked = /--inspect/.test(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`);
const closeSignalOpened = () => {
  if (!asked && inspector.url() !== undefined) inspector.close();
};
closeSignalOpened();
setImmediate(closeSignalOpened);
