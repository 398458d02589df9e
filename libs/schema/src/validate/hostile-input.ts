// Traversals of client-supplied JSON that stay safe whatever its shape. Keys are client-chosen, so a key such as
// `__proto__` must become a plain own property (an assignment would swap the object's prototype and the key
// would vanish); nesting is unbounded, so walks over whole values are iterative instead of recursive.

/** Kong's JSON decoder (cjson decode_max_depth) refuses deeper documents; values the schema does not describe
 *  (untyped lists and maps, `json` fields) are held to the same bound so nothing downstream has to recurse deeper. */
export const MAX_VALUE_DEPTH = 1000;

type Container = Record<string, unknown> | unknown[];

export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

export function getOwn(target: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(target, key) ? target[key] : undefined;
}

export function hasOwn(target: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(target, key);
}

function isJsonContainer(value: unknown): value is Container {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** True when objects/arrays inside `value` nest deeper than `limit` (a scalar has depth 0). */
export function nestsDeeperThan(value: unknown, limit: number = MAX_VALUE_DEPTH): boolean {
  if (!isJsonContainer(value)) return false;
  const stack: [Container, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > limit) return true;
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) if (isJsonContainer(child)) stack.push([child, depth + 1]);
  }
  return false;
}

function emptyLike(value: Container): Container {
  return Array.isArray(value) ? new Array(value.length) : {};
}

/** Deep copy of JSON-like data, iterative; other objects (Date, Buffer) are cloned whole. */
export function deepCopy<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (!isJsonContainer(value)) return structuredClone(value);
  const root = emptyLike(value);
  const stack: [Container, Container][] = [[value, root]];
  const copyStep = (child: unknown): unknown => {
    if (typeof child !== 'object' || child === null) return child;
    if (!isJsonContainer(child)) return structuredClone(child);
    const target = emptyLike(child);
    stack.push([child, target]);
    return target;
  };
  while (stack.length > 0) {
    const [source, target] = stack.pop()!;
    if (Array.isArray(source)) {
      for (let i = 0; i < source.length; i++) (target as unknown[])[i] = copyStep(source[i]);
    } else {
      for (const key of Object.keys(source)) setOwn(target as Record<string, unknown>, key, copyStep(source[key]));
    }
  }
  return root as T;
}

/** Structural equality of JSON-like values (object key order ignored), iterative. */
export function sameValue(a: unknown, b: unknown): boolean {
  const stack: [unknown, unknown][] = [[a, b]];
  while (stack.length > 0) {
    const [x, y] = stack.pop()!;
    if (x === y) continue;
    if (!isJsonContainer(x) || !isJsonContainer(y) || Array.isArray(x) !== Array.isArray(y)) return false;
    if (Array.isArray(x)) {
      const other = y as unknown[];
      if (x.length !== other.length) return false;
      for (let i = 0; i < x.length; i++) stack.push([x[i], other[i]]);
      continue;
    }
    const other = y as Record<string, unknown>;
    const keys = Object.keys(x);
    if (keys.length !== Object.keys(other).length) return false;
    for (const key of keys) {
      if (!hasOwn(other, key)) return false;
      stack.push([x[key], other[key]]);
    }
  }
  return true;
}
