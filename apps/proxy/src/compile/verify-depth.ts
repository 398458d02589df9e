// `tls_verify_depth` (nginx's proxy_ssl_verify_depth): how many issuer certificates above the upstream's own
// may the verified chain hold. Node has no such option, so the check runs in checkServerIdentity, after Node's
// own hostname check, on the chain the handshake verified. Built once per service at compile time.
import { checkServerIdentity, type PeerCertificate } from 'node:tls';

export function verifyDepthCheck(depth: number): (host: string, cert: PeerCertificate) => Error | undefined {
  return (host, cert) => {
    const identity = checkServerIdentity(host, cert);
    if (identity) return identity;
    let issuers = 0;
    let current = cert as PeerCertificate & { issuerCertificate?: PeerCertificate };
    // A self-signed root is its own issuer: the walk ends there.
    while (current.issuerCertificate && current.issuerCertificate.fingerprint256 !== current.fingerprint256) {
      issuers++;
      current = current.issuerCertificate as typeof current;
    }
    return issuers > depth ? new Error(`upstream certificate chain has ${issuers} issuer(s), more than tls_verify_depth ${depth}`) : undefined;
  };
}
