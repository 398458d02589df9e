// The Date field of responses written without node:http's writeHead (client-head.ts, the lean server's
// H1Response): one string per second, as Node's own cache keeps it.
let dateCache = '';

export function utcDate(): string {
  if (dateCache === '') {
    const now = new Date();
    dateCache = now.toUTCString();
    // valid until the next second starts
    setTimeout(clearDate, 1000 - now.getMilliseconds()).unref();
  }
  return dateCache;
}

function clearDate(): void {
  dateCache = '';
}
