// Every entity schema, in dependency order (a parent before its children), and the nested URLs derived from
// their foreign keys exactly as Kong's generated endpoints lay them out.
import { EntitySchema } from '../types';
import { services } from './services';
import { routes } from './routes';
import { consumers } from './consumers';
import { plugins } from './plugins';
import { upstreams } from './upstreams';
import { targets } from './targets';
import { certificates } from './certificates';
import { snis } from './snis';
import { ca_certificates } from './ca-certificates';
import { acls, basicauth_credentials, hmacauth_credentials, jwt_secrets, keyauth_credentials } from './credentials';
import { oauth2_authorization_codes, oauth2_credentials, oauth2_tokens } from './oauth2';
import { session_metadatas, sessions } from './sessions';
import { vaults } from './vaults';
import { acme_storage } from './acme-storage';
import { key_sets, keys } from './keys';

export { services, routes, consumers, plugins, upstreams, targets, certificates, snis, ca_certificates };
export { keyauth_credentials, basicauth_credentials, jwt_secrets, acls, hmacauth_credentials };
export { oauth2_credentials, oauth2_authorization_codes, oauth2_tokens, sessions, session_metadatas };
export { vaults, keys, key_sets, acme_storage };

export const ENTITIES: ReadonlyMap<string, EntitySchema> = new Map(
  [
    certificates, ca_certificates, snis, services, routes, consumers, upstreams, targets, plugins,
    keyauth_credentials, basicauth_credentials, jwt_secrets, acls, hmacauth_credentials,
    oauth2_credentials, oauth2_authorization_codes, oauth2_tokens, sessions, session_metadatas,
    vaults, key_sets, keys, acme_storage,
  ].map((schema) => [schema.name, schema]),
);

/** Admin path segment (`services`, `key-auths`) -> schema. */
export const ENTITIES_BY_ADMIN_PATH: ReadonlyMap<string, EntitySchema> = new Map(
  [...ENTITIES.values()].map((schema) => [schema.adminPath.slice(1), schema]),
);

export interface NestedPath {
  /** `children`: /{parentPath}/{p}/{segment} lists/creates children; `parent`: /{childPath}/{c}/{segment} is the parent. */
  readonly kind: 'children' | 'parent';
  readonly parent: string; // entity name, 'services'
  readonly child: string; // entity name, 'routes'
  readonly field: string; // the child's foreign field, 'service'
  readonly segment: string; // URL segment after the addressed entity: 'routes' / 'key-auth' / 'service'
  /** Full template with Kong's parameter names: '/services/{services}/routes'. */
  readonly path: string;
  /** Kong answers 404 for these (e.g. /targets/{targets}/upstream, /snis/{snis}/certificate). */
  readonly disabled?: boolean;
}

const segmentOf = (schema: EntitySchema) => schema.nestedName ?? schema.adminPath.slice(1);
const DISABLED_PARENT_LINKS = new Set(['targets.upstream', 'snis.certificate']);

function deriveNestedPaths(): NestedPath[] {
  const out: NestedPath[] = [];
  for (const child of ENTITIES.values()) {
    for (const [field, def] of child.fields) {
      if (def.type !== 'foreign' || !def.reference) continue;
      const parent = ENTITIES.get(def.reference);
      if (!parent) continue;
      const segment = segmentOf(child);
      out.push({
        kind: 'children', parent: parent.name, child: child.name, field, segment,
        path: `${parent.adminPath}/{${parent.name}}/${segment}`,
      });
      out.push({
        kind: 'parent', parent: parent.name, child: child.name, field, segment: field,
        path: `${child.adminPath}/{${child.name}}/${field}`,
        ...(DISABLED_PARENT_LINKS.has(`${child.name}.${field}`) ? { disabled: true } : {}),
      });
    }
  }
  return out;
}

export const NESTED_PATHS: readonly NestedPath[] = deriveNestedPaths();
