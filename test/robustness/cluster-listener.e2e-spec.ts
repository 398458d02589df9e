// The cluster listener (mutual TLS, control_plane role) under the same hostile HTTP/1 inputs as the other
// listeners: a data plane holding the right certificate is trusted to authenticate, not to send good bytes.
import { stopNode, type RunningNode } from '../support/cli-node';
import { clusterCertificate, rawPull, startControlPlane, type ClusterFiles } from '../hybrid/hybrid-support';
import { rawRequest } from './support/raw-client';

describe('cluster_listen with hostile requests from an authenticated peer', () => {
  let files: ClusterFiles;
  let cp: RunningNode;

  beforeAll(async () => {
    files = clusterCertificate();
    cp = await startControlPlane(files, { extra: {} });
  });
  afterAll(async () => {
    if (cp) await stopNode(cp);
  });

  const tls = () => ({ cert: files.pair.cert, key: files.pair.key, servername: 'kong_clustering' });

  it('GET /v1/config HTTP/2.0 over HTTP/1 -> 505 JSON, and the listener still answers pulls', async () => {
    const r = await rawRequest(cp.port('cluster_listen'), 'GET /v1/config HTTP/2.0\r\nHost: x\r\n\r\n', { tls: tls() });
    expect(r.status).toBe(505);
    expect(r.text.endsWith('{"message":"HTTP Version Not Supported"}')).toBe(true);
    // a data plane newer than the control plane: refused with Kong's 409 body, so the endpoint itself ran
    const pull = await rawPull(cp.port('cluster_listen'), files.pair, { node_id: '6a1b3f3e-54b4-4c07-b4a8-6e1e3c5b0d9a', node_hostname: 'dp', node_version: '99.0.0' });
    expect(pull.status).toBe(409);
    expect(JSON.parse(pull.body).sync_status).toBe('kong_version_incompatible');
    expect(cp.child.exitCode).toBeNull();
  });
});
