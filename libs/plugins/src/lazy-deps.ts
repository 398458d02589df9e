// Third-party packages that only some plugins need, loaded on first use: a data plane whose configuration never
// runs those plugins does not carry their code and heap (issue 11: node RSS; together about 40 MB per process).
// Plugin code takes its types with `import type` and its values through these getters, never a value import.
import type * as IORedis from 'ioredis';
import type * as Jose from 'jose';
import type * as Ldapts from 'ldapts';
import type * as PromClient from 'prom-client';
import type * as Protobuf from 'protobufjs';
import type * as Undici from 'undici';

function lazy<T>(load: () => T): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= load());
}

/* eslint-disable @typescript-eslint/no-require-imports */
export const undici = lazy(() => require('undici') as typeof Undici);
export const jose = lazy(() => require('jose') as typeof Jose);
export const ldapts = lazy(() => require('ldapts') as typeof Ldapts);
export const promClient = lazy(() => require('prom-client') as typeof PromClient);
export const protobufjs = lazy(() => require('protobufjs') as typeof Protobuf);
/** ioredis's client class (the package's default export). */
export const Redis = lazy(() => require('ioredis') as typeof IORedis.default);
