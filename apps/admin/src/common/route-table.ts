// What the express router knows about a path: used to tell 405 (known path, other method) from 404, and to
// answer OPTIONS with Kong's Allow list.
import type { INestApplication } from '@nestjs/common';

interface RouterLayer {
  route?: { methods: Record<string, boolean> };
  match(path: string): boolean;
}

export function allowedMethods(app: INestApplication, path: string): string[] {
  const express = app.getHttpAdapter().getInstance() as { router?: { stack: RouterLayer[] } };
  const methods = new Set<string>();
  for (const layer of express.router?.stack ?? []) {
    if (!layer.route || !layer.match(path)) continue;
    for (const [method, enabled] of Object.entries(layer.route.methods)) {
      if (enabled && method !== '_all') methods.add(method.toUpperCase());
    }
  }
  if (methods.size === 0) return [];
  if (methods.has('GET')) methods.add('HEAD');
  methods.add('OPTIONS');
  return [...methods].sort();
}
