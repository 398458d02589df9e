// The `yaml` package, loaded on first use: a process that never reads or writes YAML (a data plane fed JSON
// snapshots, its supervisor) does not carry it (issue 11: node RSS). Values through yaml(), types by `import type`.
import type * as Yaml from 'yaml';

let loaded: typeof Yaml | undefined;

export function yaml(): typeof Yaml {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (loaded ??= require('yaml') as typeof Yaml);
}
