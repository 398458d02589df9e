// Where the method llhttp refused lies, from its error position (positions as llhttp 9 reports them).
import { refusedMethod } from './unknown-method';

describe('refusedMethod', () => {
  it.each([
    ['alone', 'BREW /x HTTP/1.1', 1, { start: 0, end: 4, open: false }],
    ['after a method llhttp knows', 'GETX /x HTTP/1.1', 3, { start: 0, end: 4, open: false }],
    ['llhttp stopped on its space', 'BI /x HTTP/1.1', 2, { start: 0, end: 2, open: false }],
    ['behind a request', 'GET /a HTTP/1.1\r\n\r\nBREW /y', 20, { start: 19, end: 23, open: false }],
    // the previous body ends in method characters: llhttp took only "F" (a prefix of FLUSH) before stopping at "O"
    ['behind a body ending in A-Z', 'XYZFOO /e', 4, { start: 3, end: 6, open: false }],
    ['cut before its space', 'BR', 1, { start: 0, end: 2, open: true }],
    ['_ and -', 'FOO_BAR-X /', 1, { start: 0, end: 9, open: false }],
  ])('%s', (_name, text, at, span) => {
    expect(refusedMethod(Buffer.from(text, 'latin1'), at, false)).toEqual(span);
  });

  it.each([
    ['a byte outside A-Z _ -', 'BR3W /x', 1],
    ['lower case', 'brew /x', 0],
    ['a tab after it', 'GET\t/x', 3],
    ['a space before it', ' BREW /x', 0],
    // llhttp cannot have stopped here after these bytes: the method began in a read not given
    ['a start not in the bytes', 'REW /x', 0],
  ])('none nginx takes, or not found: %s', (_name, text, at) => {
    expect(refusedMethod(Buffer.from(text, 'latin1'), at, false)).toBeNull();
  });

  it.each([
    ['PLAY /x HTTP/1.1', 12, { start: 0, end: 4, open: false }],
    ['GET /a HTTP/1.1\r\n\r\nGET_PARAMETER /p HTTP/1.1', 40, { start: 19, end: 32, open: false }],
  ])('an RTSP method on HTTP/x.x: %j', (text, at, span) => {
    expect(refusedMethod(Buffer.from(text, 'latin1'), at, true)).toEqual(span);
  });
});
