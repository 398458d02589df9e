// `GET /upstreams/{u}/health` and `PUT .../targets/{t}[/{address}]/healthy|unhealthy` (kong/api/routes/upstreams.lua):
// the targets come from the database, their health from the workers' balancers.
import { Inject, Injectable, Optional } from '@nestjs/common';
import { messageError, notFound } from '@tollgate/errors';
import type { NodeIdentity } from '@tollgate/config';
import { NODE_IDENTITY, SNAPSHOTS } from '../../bootstrap/tokens';
import type { SnapshotService } from '../../cluster/snapshot.service';
import type { AdminRequest } from '../../common/http-types';
import { parseListQuery } from '../../entities/list-query';
import { Dao, type Entity } from '../../persistence';
import { DATA_PLANE_LINK, type DataPlaneLink, type HealthAnswer, type HealthQuery } from './data-plane-link';

type TargetHealthRow = Extract<HealthAnswer, { kind: 'targets' }>['targets'][number];

@Injectable()
export class UpstreamHealthService {
  constructor(
    @Inject(Dao) private readonly dao: Dao,
    @Inject(SNAPSHOTS) private readonly snapshots: SnapshotService,
    @Inject(NODE_IDENTITY) private readonly identity: NodeIdentity,
    @Optional() @Inject(DATA_PLANE_LINK) private readonly link?: DataPlaneLink,
  ) {}

  async health(upstreamKey: string, req: AdminRequest): Promise<Record<string, unknown>> {
    const upstream = await this.upstream(upstreamKey);
    const nodeId = this.identity.nodeId;
    const balancerHealth = req.query.balancer_health;
    if (String(Array.isArray(balancerHealth) ? balancerHealth[0] : balancerHealth) === '1') {
      const answer = await this.ask({ kind: 'balancer', upstream: String(upstream.id) });
      return { ...(answer?.kind === 'balancer' ? { data: answer.balancer } : {}), next: null, node_id: nodeId };
    }
    const options = parseListQuery(req.query as Record<string, unknown>, this.dao.schemaOf('targets'), true);
    const scope = { field: 'upstream', id: String(upstream.id) };
    const page = await this.dao.listNewestFirst('targets', { size: options.size, offset: options.offset, path: `/upstreams/${encodeURIComponent(upstreamKey)}/health` }, scope);
    const answer = await this.ask({ kind: 'targets', upstream: String(upstream.id) });
    const data = answer?.kind === 'targets' ? page.data.map((row) => withHealth(row, answer.targets)) : page.data;
    return { data, ...(page.offset !== undefined ? { offset: page.offset } : {}), next: page.next, node_id: nodeId };
  }

  async setHealth(upstreamKey: string, targetKey: string, address: string | null, healthy: boolean): Promise<void> {
    const upstream = await this.upstream(upstreamKey);
    const target = await this.dao.get('targets', targetKey, { field: 'upstream', id: String(upstream.id) });
    if (!target) throw notFound();
    const answer = await this.ask({ kind: 'set', upstream: String(upstream.id), target: String(target.id), address, healthy });
    if (answer?.kind !== 'set') throw messageError(400, `Upstream ${String(upstream.name)} has no balancer`);
    if (!answer.result.ok) throw messageError(answer.result.status, answer.result.message);
  }

  private async upstream(key: string): Promise<Entity> {
    const upstream = await this.dao.get('upstreams', key);
    if (!upstream) throw notFound();
    return upstream;
  }

  /** The first worker's answer: `set` went to every worker, and each one applies it to its own balancer. */
  private async ask(query: HealthQuery): Promise<HealthAnswer | null> {
    if (!this.link) return null;
    const snapshot = await this.snapshots.settle();
    const answers = await this.link.askHealth(query, snapshot.hash);
    const failed = answers.find((a) => a.kind === 'set' && !a.result.ok);
    return failed ?? answers.find((a) => a.kind !== 'no-balancer') ?? null;
  }
}

/** Kong: a target the balancer does not know (its name did not resolve) is reported as DNS_ERROR. */
function withHealth(row: Entity, known: readonly TargetHealthRow[]): Entity {
  const found = known.find((t) => t.id === row.id);
  if (!found) return { ...row, health: 'DNS_ERROR' };
  return { ...row, health: found.health, data: found.data };
}
