// Where the compiled addons of native/transparent are (transparent.node, shm.node, memory.node): searched from this
// file upwards, so the source tree, a dist/ build and an installed package alike find <root>/native/transparent/build.
// TOLLGATE_<NAME>_ADDON names another file (benches comparing builds point every build at one addon).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type NativeAddonName = 'transparent' | 'shm' | 'memory';

export const NATIVE_BUILD_HINT = 'build it with: npx node-gyp rebuild --directory native/transparent';

/** The addon's path, or null when it is not built (the caller says what that costs). */
export function findNativeAddon(name: NativeAddonName): string | null {
  const override = process.env[`TOLLGATE_${name.toUpperCase()}_ADDON`];
  if (override) return existsSync(override) ? override : null;
  const relative = join('native', 'transparent', 'build', 'Release', `${name}.node`);
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return null;
  }
}
