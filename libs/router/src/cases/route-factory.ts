// Builds complete RouteRows (every field present, as the Admin API returns them) from the few fields a case sets.
import type { RouteRow } from '@tollgate/declarative/snapshot';
import { uuidV5 } from '@tollgate/declarative';

const TEST_NAMESPACE = '2b5cfb6e-3f0a-4a8e-9a54-0f1f6f0d1c11';

export type RouteSpec = Partial<Omit<RouteRow, 'name'>> & { readonly name: string };

export function route(spec: RouteSpec): RouteRow {
  return {
    id: (spec.id as string | undefined) ?? uuidV5(spec.name, TEST_NAMESPACE),
    protocols: ['http', 'https'],
    methods: null,
    hosts: null,
    paths: null,
    headers: null,
    snis: null,
    sources: null,
    destinations: null,
    regex_priority: 0,
    strip_path: true,
    preserve_host: false,
    path_handling: 'v0',
    https_redirect_status_code: 426,
    request_buffering: true,
    response_buffering: true,
    created_at: 1700000000,
    updated_at: 1700000000,
    tags: null,
    service: { id: '00000000-0000-4000-8000-000000000001' },
    ...spec,
  };
}

/** Ids ordered for tie-break tests: HIGH_ID > LOW_ID as Kong compares UUIDs. */
export const LOW_ID = '11111111-1111-4111-8111-111111111111';
export const HIGH_ID = 'eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee';
