import { createHash, createHmac } from 'node:crypto';
import { digestMatches, parseHmacHeader, signatureMatches, signingString } from './signature';

describe('hmac-auth signature', () => {
  test('parses Kong\'s Authorization parameters', () => {
    expect(parseHmacHeader('hmac username="alice", algorithm="hmac-sha256", headers="date request-line", signature="c2ln"')).toEqual({
      username: 'alice', algorithm: 'hmac-sha256', headers: ['date', 'request-line'], signature: 'c2ln',
    });
    expect(parseHmacHeader('Basic YTpi')).toBeUndefined();
  });

  test('signing string: headers, @request-target, request-line, missing header', () => {
    const req = { method: 'POST', pathWithQuery: '/a?b=1', httpVersion: '1.1', header: (n: string) => (n === 'date' ? 'D' : undefined) };
    expect(signingString(req, ['date', '@request-target', 'request-line', 'x-missing'])).toBe(
      'date: D\n@request-target: post /a?b=1\nPOST /a?b=1 HTTP/1.1\nx-missing:',
    );
  });

  test.each(['hmac-sha1', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512'])('%s signatures verify; others do not', (algo) => {
    const sig = createHmac(algo.slice(5), 'k').update('data').digest('base64');
    expect(signatureMatches(algo, 'k', 'data', sig)).toBe(true);
    expect(signatureMatches(algo, 'other', 'data', sig)).toBe(false);
    expect(signatureMatches('hmac-md5', 'k', 'data', sig)).toBe(false);
  });

  test('Digest: SHA-256 of the body; none only for an empty body', () => {
    const body = Buffer.from('{"a":1}');
    expect(digestMatches(`SHA-256=${createHash('sha256').update(body).digest('base64')}`, body)).toBe(true);
    expect(digestMatches('SHA-256=AAAA', body)).toBe(false);
    expect(digestMatches(undefined, Buffer.alloc(0))).toBe(true);
    expect(digestMatches(undefined, body)).toBe(false);
  });
});
