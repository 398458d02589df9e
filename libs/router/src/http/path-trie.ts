// Radix trie over path prefixes. Each node holds the candidates whose prefix ends exactly there, already in
// priority order; a request walks the trie once along its path and meets every candidate whose prefix it has.
// Children are kept in a small array indexed by their first character (a string of those characters), not a
// Map: fan-out is small and the walk touches fewer cache lines, which is what matching 10,000 routes costs.

export interface TrieNode<T> {
  label: string;
  /** First character of each child's label, parallel to `children`. */
  firsts: string;
  children: TrieNode<T>[];
  entries: T[] | null;
}

export function createTrie<T>(): TrieNode<T> {
  return { label: '', firsts: '', children: [], entries: null };
}

function addEntry<T>(node: TrieNode<T>, entry: T): void {
  if (node.entries === null) node.entries = [entry];
  else node.entries.push(entry);
}

function childIndex<T>(node: TrieNode<T>, code: number): number {
  const firsts = node.firsts;
  for (let k = 0; k < firsts.length; k++) if (firsts.charCodeAt(k) === code) return k;
  return -1;
}

/** Entries must be inserted in priority order: nodes keep insertion order. */
export function trieInsert<T>(root: TrieNode<T>, key: string, entry: T): void {
  let node = root;
  let i = 0;
  for (;;) {
    if (i === key.length) return addEntry(node, entry);
    const k = childIndex(node, key.charCodeAt(i));
    if (k < 0) {
      node.firsts += key[i];
      node.children.push({ label: key.slice(i), firsts: '', children: [], entries: [entry] });
      return;
    }
    const child = node.children[k];
    let common = 0;
    while (common < child.label.length && i + common < key.length && child.label.charCodeAt(common) === key.charCodeAt(i + common)) common++;
    if (common < child.label.length) {
      const rest = child.label.slice(common);
      const mid: TrieNode<T> = { label: child.label.slice(0, common), firsts: rest[0], children: [child], entries: null };
      child.label = rest;
      node.children[k] = mid;
      node = mid;
    } else {
      node = child;
    }
    i += common;
  }
}

/**
 * Calls `visit` with the entry list of every node whose prefix `path` starts with, shortest prefix first.
 * hot path: no allocation.
 */
export function trieWalk<T>(root: TrieNode<T>, path: string, visit: (entries: T[]) => void): void {
  let node = root;
  let i = 0;
  for (;;) {
    if (node.entries !== null) visit(node.entries);
    if (i >= path.length) return;
    const k = childIndex(node, path.charCodeAt(i));
    if (k < 0) return;
    const child = node.children[k];
    if (!path.startsWith(child.label, i)) return;
    i += child.label.length;
    node = child;
  }
}

/** Like trieWalk but over `text` read from its end; keys must have been inserted reversed. hot path: no allocation. */
export function trieWalkReverse<T>(root: TrieNode<T>, text: string, visit: (entries: T[]) => void): void {
  let node = root;
  let j = text.length - 1;
  for (;;) {
    if (node.entries !== null) visit(node.entries);
    if (j < 0) return;
    const k = childIndex(node, text.charCodeAt(j));
    if (k < 0) return;
    const label = node.children[k].label;
    if (label.length > j + 1) return;
    for (let n = 1; n < label.length; n++) {
      if (label.charCodeAt(n) !== text.charCodeAt(j - n)) return;
    }
    j -= label.length;
    node = node.children[k];
  }
}

export function reversed(text: string): string {
  let out = '';
  for (let i = text.length - 1; i >= 0; i--) out += text[i];
  return out;
}

// Persistent updates: the trie a router was built with is never changed (a request may still walk it); an update
// copies the nodes on the way to the key and shares every other node with the trie it came from. Costs the depth
// of the key and the width of the nodes it passes, not the size of the trie.

/** A copy of `root` with `entry` added under `key`, placed in `entries` before the first entry `before` says it precedes. */
export function trieWith<T>(root: TrieNode<T>, key: string, entry: T, precedes: (a: T, b: T) => boolean): TrieNode<T> {
  return insertCopy(root, key, 0, entry, precedes);
}

function insertCopy<T>(node: TrieNode<T>, key: string, i: number, entry: T, precedes: (a: T, b: T) => boolean): TrieNode<T> {
  if (i === key.length) return { label: node.label, firsts: node.firsts, children: node.children, entries: insertSorted(node.entries, entry, precedes) };
  const k = childIndex(node, key.charCodeAt(i));
  if (k < 0) {
    const leaf: TrieNode<T> = { label: key.slice(i), firsts: '', children: [], entries: [entry] };
    return { label: node.label, firsts: node.firsts + key[i], children: [...node.children, leaf], entries: node.entries };
  }
  const child = node.children[k];
  let common = 0;
  while (common < child.label.length && i + common < key.length && child.label.charCodeAt(common) === key.charCodeAt(i + common)) common++;
  let replacement: TrieNode<T>;
  if (common < child.label.length) {
    const rest: TrieNode<T> = { label: child.label.slice(common), firsts: child.firsts, children: child.children, entries: child.entries };
    const mid: TrieNode<T> = { label: child.label.slice(0, common), firsts: rest.label[0], children: [rest], entries: null };
    replacement = insertCopy(mid, key, i + common, entry, precedes);
  } else {
    replacement = insertCopy(child, key, i + common, entry, precedes);
  }
  const children = node.children.slice();
  children[k] = replacement;
  return { label: node.label, firsts: node.firsts, children, entries: node.entries };
}

function insertSorted<T>(entries: T[] | null, entry: T, precedes: (a: T, b: T) => boolean): T[] {
  if (entries === null) return [entry];
  let at = entries.length;
  while (at > 0 && precedes(entry, entries[at - 1])) at--;
  const out = entries.slice(0, at);
  out.push(entry);
  for (let n = at; n < entries.length; n++) out.push(entries[n]);
  return out;
}

/**
 * A copy of `root` without the entries under `key` that `drop` selects (`root` itself when there are none). Nodes
 * left without entries or children go, and a node left with one child and no entries merges with it, so the trie
 * a long series of updates leaves is as compact as one built from scratch.
 */
export function trieWithout<T>(root: TrieNode<T>, key: string, drop: (entry: T) => boolean): TrieNode<T> {
  return removeCopy(root, key, 0, drop, true) ?? createTrie<T>();
}

function removeCopy<T>(node: TrieNode<T>, key: string, i: number, drop: (entry: T) => boolean, isRoot: boolean): TrieNode<T> | null {
  if (i === key.length) {
    if (node.entries === null) return node;
    const kept = node.entries.filter((e) => !drop(e));
    if (kept.length === node.entries.length) return node;
    return compact({ label: node.label, firsts: node.firsts, children: node.children, entries: kept.length > 0 ? kept : null }, isRoot);
  }
  const k = childIndex(node, key.charCodeAt(i));
  if (k < 0) return node;
  const child = node.children[k];
  if (!key.startsWith(child.label, i)) return node;
  const replacement = removeCopy(child, key, i + child.label.length, drop, false);
  if (replacement === child) return node;
  let firsts = node.firsts;
  let children: TrieNode<T>[];
  if (replacement === null) {
    firsts = firsts.slice(0, k) + firsts.slice(k + 1);
    children = node.children.filter((_, n) => n !== k);
  } else {
    children = node.children.slice();
    children[k] = replacement;
  }
  return compact({ label: node.label, firsts, children, entries: node.entries }, isRoot);
}

function compact<T>(node: TrieNode<T>, isRoot: boolean): TrieNode<T> | null {
  if (isRoot || node.entries !== null) return node;
  if (node.children.length === 0) return null;
  if (node.children.length > 1) return node;
  const only = node.children[0];
  return { label: node.label + only.label, firsts: only.firsts, children: only.children, entries: only.entries };
}
