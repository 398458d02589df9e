// The human-readable form of one JSON log line, for a terminal:
//   2026-12-06T14:27:01.123Z notice  tollgate started (role traditional) role=traditional pid=4242
// Time, level word, message, then the remaining fields as key=value (strings with spaces quoted, objects as JSON).
const SKIPPED = new Set(['time', 'level', 'msg', 'name', 'pid', 'hostname']);

function fieldText(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (value instanceof Object) return JSON.stringify(value);
  return String(value);
}

export function formatText(jsonLine: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(jsonLine);
  } catch {
    return jsonLine;
  }
  const err = entry.err as { message?: string; stack?: string } | undefined;
  const fields = Object.entries(entry)
    .filter(([key]) => !SKIPPED.has(key) && key !== 'err')
    .map(([key, value]) => `${key}=${fieldText(value)}`);
  if (err?.message) fields.push(`err=${fieldText(err.message)}`);
  const level = String(entry.level ?? '').padEnd(6);
  return `${entry.time ?? ''} ${level} ${entry.msg ?? ''}${fields.length ? ` ${fields.join(' ')}` : ''}\n`;
}
