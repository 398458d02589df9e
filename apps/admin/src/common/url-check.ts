// Express decodes path parameters with decodeURIComponent, which throws on a bad escape (`%zz`, a bare `%`) or
// on bytes that are not UTF-8 (`%FF`). Checked once up front, such a URL is a plain 400 (nginx answers a bad
// escape the same way) instead of an exception inside the router.

export function pathDecodes(url: string): boolean {
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  if (!path.includes('%')) return true;
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}
