// Radix trie over path prefixes. Each node holds the candidates whose prefix ends exactly there, already in
// priority order; a request walks the trie once along its path and meets every candidate whose prefix it has.

export interface TrieNode<T> {
  label: string;
  children: Map<number, TrieNode<T>> | null;
  entries: T[] | null;
}

export function createTrie<T>(): TrieNode<T> {
  return { label: '', children: null, entries: null };
}

function addEntry<T>(node: TrieNode<T>, entry: T): void {
  if (node.entries === null) node.entries = [entry];
  else node.entries.push(entry);
}

/** Entries must be inserted in priority order: nodes keep insertion order. */
export function trieInsert<T>(root: TrieNode<T>, key: string, entry: T): void {
  let node = root;
  let i = 0;
  for (;;) {
    if (i === key.length) return addEntry(node, entry);
    const first = key.charCodeAt(i);
    const child = node.children?.get(first);
    if (child === undefined) {
      node.children ??= new Map();
      node.children.set(first, { label: key.slice(i), children: null, entries: [entry] });
      return;
    }
    let common = 0;
    while (common < child.label.length && i + common < key.length && child.label.charCodeAt(common) === key.charCodeAt(i + common)) common++;
    if (common < child.label.length) {
      const mid: TrieNode<T> = { label: child.label.slice(0, common), children: new Map(), entries: null };
      child.label = child.label.slice(common);
      mid.children!.set(child.label.charCodeAt(0), child);
      node.children!.set(first, mid);
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
    if (node.children === null || i >= path.length) return;
    const child = node.children.get(path.charCodeAt(i));
    if (child === undefined || !path.startsWith(child.label, i)) return;
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
    if (node.children === null || j < 0) return;
    const child = node.children.get(text.charCodeAt(j));
    if (child === undefined) return;
    const label = child.label;
    if (label.length > j + 1) return;
    for (let k = 1; k < label.length; k++) {
      if (label.charCodeAt(k) !== text.charCodeAt(j - k)) return;
    }
    j -= label.length;
    node = child;
  }
}

export function reversed(text: string): string {
  let out = '';
  for (let i = text.length - 1; i >= 0; i--) out += text[i];
  return out;
}
