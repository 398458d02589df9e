// The stream (L4) proxy: stream_listen listeners, tcp/tls/tls_passthrough routing, PROXY protocol, transparent.
export { startStreamListeners } from './listeners';
export { compileStreamConfig, type CompileStreamOptions, type CompileStreamResult } from './compile-stream-config';
export { parseClientHello, MAX_CLIENT_HELLO, type ClientHelloResult } from './client-hello';
export { parseProxyHeader, type ProxyHeaderResult, type ProxiedEndpoint } from './proxy-header';
export { openTransparentSocket } from './transparent';
export type {
  BoundStreamListener,
  DefaultCertificate,
  StreamAccessLog,
  StreamConfig,
  StreamListenerOptions,
  StreamListeners,
  StreamLog,
  StreamRoute,
  StreamService,
} from './types';
