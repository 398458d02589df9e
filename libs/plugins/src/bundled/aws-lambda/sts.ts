// aws_assume_role_arn: temporary credentials from STS AssumeRole (signed with the base credentials), kept until
// shortly before they expire and shared by every request of the same role.
import { signV4, type AwsCredentials } from './sigv4';
import { awsExchange } from './transport';

export interface AssumeRole {
  readonly roleArn: string;
  readonly sessionName: string;
  /** aws_sts_endpoint_url, else the region's STS endpoint. */
  readonly endpoint: string | null;
  readonly timeout: number;
  readonly proxy: URL | null;
}

interface Cached { credentials: Promise<AwsCredentials>; expiresAt: number }

// refreshed this long before expiry, so a request never signs with credentials about to lapse
const REFRESH_MARGIN_MS = 5 * 60_000;
const cache = new Map<string, Cached>();

export function assumedCredentials(base: AwsCredentials, role: AssumeRole, region: string): Promise<AwsCredentials> {
  const endpoint = role.endpoint ?? `https://sts.${region}.amazonaws.com`;
  const key = [base.accessKeyId, role.roleArn, role.sessionName, endpoint, region].join('\n');
  const hit = cache.get(key);
  if (hit && hit.expiresAt - REFRESH_MARGIN_MS > Date.now()) return hit.credentials;
  const entry: Cached = { credentials: Promise.resolve(null as never), expiresAt: Number.POSITIVE_INFINITY };
  entry.credentials = assumeRole(base, role, region, endpoint).then(
    ({ credentials, expiresAt }) => {
      entry.expiresAt = expiresAt;
      return credentials;
    },
    (err: Error) => {
      cache.delete(key); // the next request asks again
      throw err;
    },
  );
  cache.set(key, entry);
  return entry.credentials;
}

async function assumeRole(base: AwsCredentials, role: AssumeRole, region: string, endpoint: string): Promise<{ credentials: AwsCredentials; expiresAt: number }> {
  const url = new URL(endpoint);
  const body = Buffer.from(new URLSearchParams({ Action: 'AssumeRole', RoleArn: role.roleArn, RoleSessionName: role.sessionName, Version: '2011-06-15' }).toString());
  const tls = url.protocol === 'https:';
  const headers = signV4({
    method: 'POST', host: url.host, path: url.pathname || '/', query: [], body, region, service: 'sts', credentials: base, now: new Date(),
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
  });
  const port = Number(url.port || (tls ? 443 : 80));
  const answer = await awsExchange({ tls, host: url.hostname, port, path: url.pathname + url.search, method: 'POST', headers, body, timeout: role.timeout, proxy: role.proxy });
  const text = { status: answer.status, body: answer.body.toString('utf8') };
  const field = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(text.body)?.[1];
  const accessKeyId = field('AccessKeyId');
  const secretAccessKey = field('SecretAccessKey');
  if (text.status !== 200 || !accessKeyId || !secretAccessKey) throw new Error(`unable to assume role ${role.roleArn} (STS answered ${text.status}: ${field('Message') ?? text.body.slice(0, 200)})`);
  const expiration = Date.parse(field('Expiration') ?? '');
  return {
    credentials: { accessKeyId, secretAccessKey, ...(field('SessionToken') ? { sessionToken: field('SessionToken')! } : {}) },
    expiresAt: Number.isFinite(expiration) ? expiration : Date.now() + 15 * 60_000,
  };
}
