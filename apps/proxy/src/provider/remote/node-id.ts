// The data plane's identity in /clustering/data-planes: the node's one id (`node_id` when set, else generated once
// and kept under the prefix), the same id the node reports everywhere else.
import { resolveNodeIdentity } from '@tollgate/config';

export function resolveDataPlaneId(nodeId: string | null, prefix: string): string {
  return resolveNodeIdentity({ node_id: nodeId, prefix }).nodeId;
}
