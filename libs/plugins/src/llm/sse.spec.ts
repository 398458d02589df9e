import { EventSplitter } from './sse';

describe('EventSplitter', () => {
  it('holds an event cut across chunks until its blank line arrives', () => {
    const s = new EventSplitter();
    expect(s.push('event: message_start\ndata: {"a"')).toEqual([]);
    expect(s.push(':1}\n\nevent: ping\n')).toEqual([{ event: 'message_start', data: '{"a":1}' }]);
    expect(s.push('data: {}\n\n')).toEqual([{ event: 'ping', data: '{}' }]);
  });

  it('reads CRLF line endings, even with the CR and LF in different chunks', () => {
    const s = new EventSplitter();
    expect(s.push('data: one\r\n\r')).toEqual([]);
    expect(s.push('\ndata: two\r\n\r\n')).toEqual([{ data: 'one' }, { data: 'two' }]);
  });

  it('skips comments and joins multi-line data', () => {
    const s = new EventSplitter();
    expect(s.push(': keep-alive\n\ndata: a\ndata: b\n\n')).toEqual([{ data: 'a\nb' }]);
  });

  it('treats a body that starts with { as newline-delimited JSON', () => {
    const s = new EventSplitter();
    expect(s.push('{"x":1}\n{"x"')).toEqual([{ data: '{"x":1}' }]);
    expect(s.push(':2}', true)).toEqual([{ data: '{"x":2}' }]);
  });

  it('flushes a last event without its blank line at the end', () => {
    const s = new EventSplitter();
    expect(s.push('data: [DONE]', true)).toEqual([{ data: '[DONE]' }]);
  });
});
