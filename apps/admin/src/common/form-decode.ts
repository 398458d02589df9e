// Kong's nested form keys (kong-admin-api.md §2.2): `service.id=`, `paths[]=`, `paths[1]=`, `headers[x-foo]=`,
// `a[1].b=`, and repeated keys building arrays. Values stay strings here; the entity schema coerces them later.

import { getOwn, setOwn } from './own-property';

type Segment = string | number | null; // key, 1-based index, append

/** A `[n]` beyond the argument limit cannot be part of a dense list; it is kept as a map key instead of
 *  allocating a huge sparse array. */
const MAX_INDEX = 1000;
/** Deeper keys stay verbatim (an unknown field): the recursive validators must stay far from the stack limit. */
const MAX_SEGMENTS = 100;

export type FormTree = { [key: string]: unknown };

function parseKey(key: string): Segment[] {
  const segments: Segment[] = [];
  const head = /^[^.[]*/.exec(key)![0];
  segments.push(head);
  const rest = /\.([^.[]+)|\[([^\]]*)\]/g;
  rest.lastIndex = head.length;
  let match: RegExpExecArray | null;
  let consumed = head.length;
  while ((match = rest.exec(key)) && match.index === consumed) {
    consumed += match[0].length;
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] === '') segments.push(null);
    else if (/^[0-9]{1,4}$/.test(match[2]) && Number(match[2]) <= MAX_INDEX) segments.push(Number(match[2]));
    else segments.push(match[2]);
  }
  if (consumed !== key.length || segments.length > MAX_SEGMENTS) return [key]; // not our grammar: keep the key verbatim
  return segments;
}

function containerFor(next: Segment): unknown[] | FormTree {
  return typeof next === 'string' ? {} : [];
}

function assign(container: unknown[] | FormTree, segment: Segment, value: unknown, last: boolean): unknown {
  if (Array.isArray(container)) {
    const index = segment === null ? container.length : typeof segment === 'number' ? segment - 1 : -1;
    if (index < 0) return undefined;
    if (last) {
      container[index] = value;
      return undefined;
    }
    return container[index];
  }
  const key = String(segment);
  if (last) {
    const existing = getOwn(container, key);
    if (existing === undefined) setOwn(container, key, value);
    else if (Array.isArray(existing)) existing.push(value);
    else setOwn(container, key, [existing, value]);
    return undefined;
  }
  return getOwn(container, key);
}

export function decodeFormPairs(pairs: Iterable<readonly [string, string]>): FormTree {
  const root: FormTree = {};
  for (const [key, value] of pairs) {
    const segments = parseKey(key);
    let node: unknown[] | FormTree = root;
    for (let i = 0; i < segments.length; i++) {
      const last = i === segments.length - 1;
      const child = assign(node, segments[i], value, last);
      if (last) break;
      if (child && typeof child === 'object') {
        node = child as unknown[] | FormTree;
        continue;
      }
      const created = containerFor(segments[i + 1]);
      if (Array.isArray(node)) {
        const index = segments[i] === null ? node.length : (segments[i] as number) - 1;
        if (index < 0) break;
        node[index] = created;
      } else {
        setOwn(node, String(segments[i]), created);
      }
      node = created;
    }
  }
  return fillHoles(root) as FormTree;
}

function fillHoles(value: unknown): unknown {
  if (Array.isArray(value)) return Array.from(value, (item) => (item === undefined ? null : fillHoles(item)));
  if (value && typeof value === 'object') {
    for (const key of Object.keys(value)) setOwn(value as FormTree, key, fillHoles((value as FormTree)[key]));
  }
  return value;
}
