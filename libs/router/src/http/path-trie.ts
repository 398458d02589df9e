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
