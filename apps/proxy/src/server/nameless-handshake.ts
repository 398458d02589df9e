// Kong runs the certificate phase on every TLS handshake of a proxy listener; Node calls a server's SNICallback
// only when the ClientHello names a server. OpenSSL's certificate callback does run on every handshake (Node turns
// it on when a server has an SNICallback), and its JS side, the TLS handle's `oncertcb`, finishes at once when no
// name was sent. So for the servers given a hook here, each TLS socket's `oncertcb` is wrapped: a nameless
// handshake waits for the hook, whose certificate (if it returns one) is the one served, as a named handshake's
// SNICallback result is. Node internals: where they differ (no `_init`, no `oncertcb`), nothing is wrapped.
import { TLSSocket, type SecureContext, type Server as TlsServer } from 'node:tls';

/** Runs for a handshake without SNI; null: nothing to wait for. A rejection fails that handshake only. */
export type NamelessHandshakeHook = (socket: TLSSocket) => Promise<SecureContext | null> | null;

const HOOK = Symbol('tollgate.namelessHandshakeHook');

interface CertCbInfo {
  readonly servername?: string;
}

interface TlsHandle {
  oncertcb?: (this: TlsHandle, info: CertCbInfo) => void;
  sni_context?: unknown;
}

interface TlsSocketInternals {
  _init?: (...args: unknown[]) => void;
  _handle: TlsHandle | null;
  server?: { [HOOK]?: NamelessHandshakeHook };
}

let installed: boolean | undefined;

/** Wraps TLSSocket's initialisation once per process; false when Node's internals are not the expected ones. */
function install(): boolean {
  if (installed !== undefined) return installed;
  const proto = TLSSocket.prototype as unknown as TlsSocketInternals;
  const init = proto._init;
  installed = typeof init === 'function';
  if (init === undefined || !installed) return false;
  proto._init = function (this: TlsSocketInternals, ...args: unknown[]) {
    init.apply(this, args);
    const hook = this.server?.[HOOK];
    if (hook !== undefined) wrapCertCallback(this as unknown as TLSSocket, hook);
  };
  return true;
}

function wrapCertCallback(socket: TLSSocket, hook: NamelessHandshakeHook): void {
  const handle = (socket as unknown as TlsSocketInternals)._handle;
  const original = handle?.oncertcb;
  if (!handle || typeof original !== 'function') return;
  handle.oncertcb = function (info: CertCbInfo) {
    if (info.servername) return original.call(this, info);
    let pending: Promise<SecureContext | null> | null;
    try {
      pending = hook(socket);
    } catch (err) {
      socket.destroy(err as Error);
      return;
    }
    if (pending === null) return original.call(this, info);
    pending.then(
      (context) => {
        const current = (socket as unknown as TlsSocketInternals)._handle;
        if (current === null) return;
        // the same property Node's SNICallback path sets: OpenSSL switches to this context when the callback ends
        if (context !== null) current.sni_context = (context as unknown as { context: unknown }).context;
        original.call(this, info);
      },
      (err: Error) => socket.destroy(err),
    );
  };
}

/**
 * From now on, handshakes without SNI on `server` (which must have an SNICallback, so that Node asks OpenSSL for
 * the certificate callback) run `hook` first. Returns false where Node's internals do not allow it.
 */
export function onNamelessHandshake(server: TlsServer, hook: NamelessHandshakeHook): boolean {
  if (!install()) return false;
  (server as unknown as { [HOOK]?: NamelessHandshakeHook })[HOOK] = hook;
  return true;
}
