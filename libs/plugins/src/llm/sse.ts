// Splits a provider's streamed body into events as chunks arrive: server-sent events (blank-line separated
// `field: value` lines), or newline-delimited JSON (Ollama, Cohere), which Kong treats as `data:` events too.
// An event cut across chunks is held until its end arrives (Kong's truncated-frame handling).
import type { SseEvent } from './drivers';

export class EventSplitter {
  private pending = '';
  private mode: 'sse' | 'ndjson' | null = null;

  /** The complete events in `chunk` (plus what was held); `last` flushes a final event without its blank line. */
  push(chunk: string, last = false): SseEvent[] {
    let text = this.pending + chunk;
    if (this.mode === null) {
      const start = text.trimStart();
      if (start === '' && !last) {
        this.pending = text;
        return [];
      }
      this.mode = start.startsWith('{') ? 'ndjson' : 'sse';
    }
    // a CR at the very end may be the first half of a CRLF: it waits for the next chunk
    const carry = !last && text.endsWith('\r') ? '\r' : '';
    if (carry) text = text.slice(0, -1);
    text = text.replace(/\r\n?/g, '\n');
    const events: SseEvent[] = [];
    if (this.mode === 'ndjson') {
      const lines = text.split('\n');
      this.pending = last ? '' : lines.pop()! + carry;
      for (const line of lines) if (line.trim() !== '') events.push({ data: line.trim() });
      return events;
    }
    const blocks = text.split('\n\n');
    this.pending = last ? '' : blocks.pop()! + carry;
    for (const block of blocks) {
      const event = parseBlock(block);
      if (event) events.push(event);
    }
    return events;
  }
}

function parseBlock(block: string): SseEvent | null {
  let event: string | undefined;
  let id: string | undefined;
  let data: string | undefined;
  for (const line of block.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue; // comments (':keep-alive') and bare field names carry nothing here
    const field = line.slice(0, colon);
    const value = line.slice(colon + 1).trimStart();
    if (field === 'event') event = value;
    else if (field === 'id') id = value;
    else if (field === 'data') data = data === undefined ? value : `${data}\n${value}`;
  }
  if (event === undefined && id === undefined && data === undefined) return null;
  return { event, id, data };
}
