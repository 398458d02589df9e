// A stand-in for AWS Lambda's Invoke API (POST /2015-03-31/functions/{name}/invocations) over HTTP or HTTPS.
// Every call's SigV4 signature is checked with npm's `aws4` (an implementation independent of the gateway's):
// a bad one gets Lambda's 403. Functions answer as Lambda does (status by invocation type, X-Amz-Function-Error,
// X-Amz-Log-Result, X-Amz-Executed-Version).
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import aws4 from 'aws4';
import type { PemPair } from '@tollgate/pki';

export interface LambdaKey { readonly secret: string; readonly sessionToken?: string }

export interface LambdaCall {
  readonly accessKeyId: string;
  readonly region: string;
  readonly functionName: string;
  readonly qualifier: string | null;
  readonly invocationType: string | undefined;
  readonly logType: string | undefined;
  readonly signedHeaders: string[];
  readonly payload: unknown;
}

export interface FakeLambda { readonly port: number; readonly calls: LambdaCall[]; close(): Promise<void> }

type Reply = { status: number; headers?: Record<string, string>; body?: unknown };

/** What each function returns for a payload (RequestResponse). */
const FUNCTIONS: Record<string, (payload: unknown) => Reply> = {
  echo: (payload) => ({ status: 200, body: payload }),
  proxy: () => ({
    status: 200,
    body: {
      statusCode: 201, headers: { 'x-fn': 'yes', 'content-type': 'text/plain' }, multiValueHeaders: { 'set-cookie': ['a=1', 'b=2'] },
      body: Buffer.from('hello from lambda').toString('base64'), isBase64Encoded: true,
    },
  }),
  'bad-proxy': () => ({ status: 200, body: { errorMessage: 'oops' } }),
  crash: () => ({ status: 200, headers: { 'X-Amz-Function-Error': 'Unhandled' }, body: { errorMessage: 'boom', errorType: 'Error' } }),
  empty: () => ({ status: 200, body: { items: [], n: 1 } }),
};

interface SignerInternals { prepareRequest(): void; authHeader(): string; datetime: string }

/** Checks a request's SigV4 Authorization with aws4, at the date the request says, for a known key (and its
 *  session token, which must be signed). Undefined when anything is off. */
export function verifySigV4(req: http.IncomingMessage, body: Buffer, keys: Record<string, LambdaKey>, service: string): { accessKeyId: string; region: string; signedHeaders: string[] } | undefined {
  const auth = new RegExp(`^AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([^/]+)/${service}/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=[0-9a-f]{64}$`).exec(req.headers.authorization ?? '');
  if (!auth) return undefined;
  const [, accessKeyId, , region, signed] = auth;
  const key = keys[accessKeyId];
  if (!key) return undefined;
  const signedHeaders = signed.split(';');
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) headers[name] = String(req.headers[name] ?? '');
  const signer = new aws4.RequestSigner(
    { host: req.headers.host, method: req.method, path: req.url, service, region, headers, body, doNotModifyHeaders: true } as aws4.Request,
    { accessKeyId, secretAccessKey: key.secret, sessionToken: key.sessionToken },
  ) as unknown as SignerInternals;
  signer.prepareRequest();
  signer.datetime = String(req.headers['x-amz-date']);
  const at = Date.parse(signer.datetime.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
  const tokenOk = !key.sessionToken || (req.headers['x-amz-security-token'] === key.sessionToken && signedHeaders.includes('x-amz-security-token'));
  const ok = Math.abs(at - Date.now()) < 300_000 && tokenOk && signer.authHeader() === req.headers.authorization
    && signedHeaders.includes('host') && signedHeaders.includes('x-amz-date');
  return ok ? { accessKeyId, region, signedHeaders } : undefined;
}

export interface FakeSts { readonly port: number; readonly calls: Array<{ accessKeyId: string; region: string; roleArn: string | null; sessionName: string | null }>; close(): Promise<void> }

/** STS AssumeRole (query API, form body): issues a temporary key, added to `keys` so the fake Lambda accepts it. */
export async function startFakeSts(keys: Record<string, LambdaKey>): Promise<FakeSts> {
  const calls: FakeSts['calls'] = [];
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (p: Buffer) => parts.push(p));
    req.on('end', () => {
      const body = Buffer.concat(parts);
      const verified = verifySigV4(req, body, keys, 'sts');
      const form = new URLSearchParams(body.toString());
      if (!verified || form.get('Action') !== 'AssumeRole') {
        res.writeHead(403, { 'content-type': 'text/xml' });
        res.end('<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>signature mismatch</Message></Error></ErrorResponse>');
        return;
      }
      calls.push({ accessKeyId: verified.accessKeyId, region: verified.region, roleArn: form.get('RoleArn'), sessionName: form.get('RoleSessionName') });
      const issued = { id: `ASIAROLE${calls.length}`, secret: `role-secret-${calls.length}`, token: `role-token-${calls.length}` };
      keys[issued.id] = { secret: issued.secret, sessionToken: issued.token };
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(`<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>`
        + `<AccessKeyId>${issued.id}</AccessKeyId><SecretAccessKey>${issued.secret}</SecretAccessKey><SessionToken>${issued.token}</SessionToken>`
        + `<Expiration>${new Date(Date.now() + 3600_000).toISOString()}</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>`);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    port: (server.address() as AddressInfo).port,
    calls,
    close: () => new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  };
}

export async function startFakeLambda(keys: Record<string, LambdaKey>, tls?: PemPair): Promise<FakeLambda> {
  const calls: LambdaCall[] = [];
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const parts: Buffer[] = [];
    req.on('data', (p: Buffer) => parts.push(p));
    req.on('end', () => {
      const body = Buffer.concat(parts);
      const send = (r: Reply) => {
        const text = r.body === undefined ? '' : JSON.stringify(r.body);
        res.writeHead(r.status, { 'Content-Type': 'application/json', 'x-amzn-RequestId': 'b0e91dc8-3807-11e2-83c6-5912bf8ad066', ...r.headers });
        res.end(text);
      };
      const verified = verifySigV4(req, body, keys, 'lambda');
      if (!verified) {
        return send({ status: 403, headers: { 'x-amzn-ErrorType': 'InvalidSignatureException' }, body: { message: 'The request signature we calculated does not match the signature you provided.' } });
      }
      const { accessKeyId, region, signedHeaders } = verified;
      const url = new URL(req.url ?? '/', 'http://lambda');
      const m = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(url.pathname);
      if (req.method !== 'POST' || !m) return send({ status: 404, body: { message: 'Not found' } });
      // a name, or an ARN whose last parts are the name (and maybe a qualifier)
      const named = decodeURIComponent(m[1]);
      const functionName = named.startsWith('arn:') ? named.split(':')[6] : named;
      let payload: unknown;
      try {
        payload = JSON.parse(body.toString('utf8'));
      } catch {
        return send({ status: 400, headers: { 'x-amzn-ErrorType': 'InvalidRequestContentException' }, body: { Type: 'User', Message: 'Could not parse request body into json' } });
      }
      const invocationType = req.headers['x-amz-invocation-type'] as string | undefined;
      const logType = req.headers['x-amz-log-type'] as string | undefined;
      calls.push({ accessKeyId, region, functionName, qualifier: url.searchParams.get('Qualifier'), invocationType, logType, signedHeaders, payload });
      const fn = FUNCTIONS[functionName];
      if (!fn) return send({ status: 404, headers: { 'x-amzn-ErrorType': 'ResourceNotFoundException' }, body: { Type: 'User', Message: `Function not found: ${named}` } });
      if (invocationType === 'Event') return send({ status: 202 });
      if (invocationType === 'DryRun') return send({ status: 204 });
      const reply = fn(payload);
      const extra: Record<string, string> = { 'X-Amz-Executed-Version': '$LATEST' };
      if (logType === 'Tail') extra['X-Amz-Log-Result'] = Buffer.from(`START RequestId: 1 Version: $LATEST\nEND RequestId: 1\n`).toString('base64');
      send({ ...reply, headers: { ...extra, ...reply.headers } });
    });
  };
  const server = tls ? https.createServer({ cert: tls.cert, key: tls.key }, handler) : http.createServer(handler);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    port: (server.address() as AddressInfo).port,
    calls,
    close: () => new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  };
}
