// Kong's templater: `{{name}}` placeholders filled from the request's `properties` (strings only, JSON-escaped so
// a value cannot break out of the JSON string it lands in); placeholders left over are an error.
const PLACEHOLDER = /\{\{([A-Za-z0-9_]+)\}\}/g;

export function renderTemplate(template: string, properties: unknown): { text: string } | { error: string } {
  if (properties === null || typeof properties !== 'object' || Array.isArray(properties)) return { error: 'properties must be an object' };
  const values = new Map<string, string>();
  for (const [k, v] of Object.entries(properties as Record<string, unknown>)) {
    if (typeof v !== 'string') return { error: `property values must be a string, got ${v === null ? 'nil' : Array.isArray(v) ? 'table' : typeof v === 'object' ? 'table' : typeof v}` };
    values.set(k, JSON.stringify(v).slice(1, -1));
  }
  const text = template.replace(PLACEHOLDER, (whole, name: string) => values.get(name) ?? whole);
  const missing = [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]))];
  if (missing.length) return { error: `missing template parameters: ${missing.map((m) => `[${m}]`).join(', ')}` };
  return { text };
}
