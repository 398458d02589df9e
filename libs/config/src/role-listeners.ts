// Which listen keys each role opens: `tollgate start` opens exactly these, and `tollgate config check` lists only
// these, so the two never disagree about what a node would listen on.
import type { ListenerKind, Role } from './types';

export const ROLE_LISTENERS: Readonly<Record<Role, readonly ListenerKind[]>> = Object.freeze({
  traditional: ['proxy', 'stream', 'admin', 'status'],
  control_plane: ['admin', 'cluster', 'status'],
  data_plane: ['proxy', 'stream', 'status'],
});
