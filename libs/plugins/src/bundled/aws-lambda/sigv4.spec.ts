import aws4 from 'aws4';
import { signV4 } from './sigv4';

// aws4 (npm) is an independent SigV4 implementation: the same request signed by both must carry the same Authorization.
describe('signV4 agrees with aws4', () => {
  const now = new Date('2026-03-01T12:34:56.789Z');
  it.each([
    ['a plain function', '/2015-03-31/functions/echo/invocations', [] as Array<[string, string]>, undefined],
    ['an ARN (colons in the path) and a qualifier', '/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:echo/invocations', [['Qualifier', 'prod v2']] as Array<[string, string]>, undefined],
    ['temporary credentials', '/2015-03-31/functions/echo/invocations', [['b', '2'], ['a', '1']] as Array<[string, string]>, 'token/with+chars='],
  ])('%s', (_name, path, query, sessionToken) => {
    const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', ...(sessionToken ? { sessionToken } : {}) };
    const body = Buffer.from('{"hello":"world"}');
    const ours = signV4({
      method: 'POST', host: 'lambda.eu-west-1.amazonaws.com', path, query, body, region: 'eu-west-1', service: 'lambda', credentials, now,
      headers: { 'x-amz-invocation-type': 'RequestResponse', 'x-amz-log-type': 'Tail' },
    });
    const search = query.length ? `?${query.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}` : '';
    const headers = Object.fromEntries(Object.entries(ours).filter(([k]) => k !== 'authorization'));
    const signer = new aws4.RequestSigner(
      { host: 'lambda.eu-west-1.amazonaws.com', method: 'POST', path: path + search, service: 'lambda', region: 'eu-west-1', headers, body, doNotModifyHeaders: true } as aws4.Request,
      credentials,
    ) as unknown as { prepareRequest(): void; authHeader(): string; datetime: string };
    signer.prepareRequest();
    signer.datetime = '20260301T123456Z';
    expect(ours['x-amz-date']).toBe('20260301T123456Z');
    expect(ours.authorization).toBe(signer.authHeader());
    if (sessionToken) expect(ours['x-amz-security-token']).toBe(sessionToken);
  });
});
