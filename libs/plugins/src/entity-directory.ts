// Consumers and credentials of one snapshot, indexed once at compile time so auth plugins only look up.
import type { Row, Snapshot } from '@tollgate/declarative/snapshot';

export interface EntityDirectory {
  readonly consumers: ReadonlyMap<string, Row>;
  /** Consumer by id or by username (Kong's `anonymous` accepts either). */
  consumerByIdOrName(idOrName: string): Row | undefined;
  readonly keyauth: ReadonlyMap<string, Row>;
  readonly basicauth: ReadonlyMap<string, Row>;
  readonly jwt: ReadonlyMap<string, Row>;
  readonly hmacauth: ReadonlyMap<string, Row>;
  /** oauth2 client applications by client_id (and by id: tokens point at them). */
  readonly oauth2: ReadonlyMap<string, Row>;
  readonly oauth2ById: ReadonlyMap<string, Row>;
  /** consumer id -> its ACL groups */
  readonly aclGroups: ReadonlyMap<string, readonly string[]>;
}

export function buildEntityDirectory(snapshot: Snapshot): EntityDirectory {
  const consumers = new Map<string, Row>();
  const byName = new Map<string, Row>();
  for (const c of snapshot.consumers ?? []) {
    consumers.set(c.id, c);
    if (typeof c.username === 'string') byName.set(c.username, c);
  }
  const index = (rows: readonly Row[] | undefined, key: string) => {
    const map = new Map<string, Row>();
    for (const r of rows ?? []) if (typeof r[key] === 'string') map.set(r[key] as string, r);
    return map;
  };
  const aclGroups = new Map<string, string[]>();
  for (const acl of snapshot.acls ?? []) {
    const owner = (acl.consumer as { id: string } | null)?.id;
    if (!owner) continue;
    const list = aclGroups.get(owner) ?? [];
    list.push(acl.group as string);
    aclGroups.set(owner, list);
  }
  return {
    consumers,
    consumerByIdOrName: (v) => consumers.get(v) ?? byName.get(v),
    keyauth: index(snapshot.keyauth_credentials, 'key'),
    basicauth: index(snapshot.basicauth_credentials, 'username'),
    jwt: index(snapshot.jwt_secrets, 'key'),
    hmacauth: index(snapshot.hmacauth_credentials, 'username'),
    oauth2: index(snapshot.oauth2_credentials, 'client_id'),
    oauth2ById: index(snapshot.oauth2_credentials, 'id'),
    aclGroups,
  };
}

/** The consumer a credential row points at. */
export function ownerOf(entities: EntityDirectory, credential: Row): Row | undefined {
  const ref = credential.consumer as { id: string } | null;
  return ref ? entities.consumers.get(ref.id) : undefined;
}
