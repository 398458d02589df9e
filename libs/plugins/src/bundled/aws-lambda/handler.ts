// aws-lambda: answers the request with an AWS Lambda function's result (Lambda's Invoke API, signed with SigV4)
// instead of proxying it. Credentials: aws_key/aws_secret, else the environment's AWS_ACCESS_KEY_ID /
// AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, exchanged for aws_assume_role_arn's through STS when set.
// Region: aws_region, else AWS_REGION / AWS_DEFAULT_REGION.
// `host`/`port`/`disable_https` point the plugin at another endpoint (Kong's testing option); proxy_url sends
// the calls through an HTTP proxy. As in Kong, the
// endpoint's TLS certificate is not verified, and any failure to invoke is the client's 500.
import http from 'node:http';
import https from 'node:https';
import type { PluginContext, PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';
import { buildPayload, type PayloadConf } from './payload';
import { legacyEmptyArrays, proxyResponse } from './response';
import { signV4, type AwsCredentials } from './sigv4';
import { assumedCredentials, type AssumeRole } from './sts';
import { awsExchange, type AwsAnswer } from './transport';

interface Conf extends PayloadConf {
  readonly region: string | null;
  readonly host: string | null;
  readonly port: number;
  readonly tls: boolean;
  readonly timeout: number;
  readonly agent: http.Agent;
  readonly proxy: URL | null;
  readonly credentials: AwsCredentials | null;
  readonly assumeRole: AssumeRole | null;
  readonly functionName: string;
  readonly qualifier: string | null;
  readonly invocationType: string;
  readonly logType: string;
  readonly isProxyIntegration: boolean;
  readonly unhandledStatus: number | null;
  readonly legacyEmptyArrays: boolean;
}

export const handler: PluginHandler<Conf> = {
  name: 'aws-lambda',
  priority: 750,
  version: KONG_VERSION,
  prepare: (c) => {
    const tls = c.disable_https !== true;
    const keepalive = c.keepalive as number;
    return {
      region: (c.aws_region as string | null) ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? null,
      host: (c.host as string | null) ?? null,
      port: (c.port as number | null) ?? 443,
      tls,
      timeout: c.timeout as number,
      agent: tls ? new https.Agent({ keepAlive: true, timeout: keepalive, rejectUnauthorized: false }) : new http.Agent({ keepAlive: true, timeout: keepalive }),
      proxy: typeof c.proxy_url === 'string' ? new URL(c.proxy_url) : null,
      credentials: credentialsOf(c),
      assumeRole: typeof c.aws_assume_role_arn === 'string'
        ? {
          roleArn: c.aws_assume_role_arn, sessionName: c.aws_role_session_name as string, endpoint: (c.aws_sts_endpoint_url as string | null) ?? null,
          timeout: c.timeout as number, proxy: typeof c.proxy_url === 'string' ? new URL(c.proxy_url) : null,
        }
        : null,
      functionName: (c.function_name as string | null) ?? '',
      qualifier: (c.qualifier as string | null) ?? null,
      invocationType: c.invocation_type as string,
      logType: c.log_type as string,
      isProxyIntegration: c.is_proxy_integration === true,
      unhandledStatus: (c.unhandled_status as number | null) ?? null,
      legacyEmptyArrays: c.empty_arrays_mode !== 'correct',
      awsgatewayCompatible: c.awsgateway_compatible === true,
      forwardMethod: c.forward_request_method === true,
      forwardUri: c.forward_request_uri === true,
      forwardHeaders: c.forward_request_headers === true,
      forwardBody: c.forward_request_body === true,
      base64EncodeBody: c.base64_encode_body !== false,
    };
  },
  async access(kong, conf) {
    if (!conf.region) throw new Error('no region specified');
    if (!conf.credentials) throw new Error('no AWS credentials: set aws_key/aws_secret or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY');
    const credentials = conf.assumeRole ? await assumedCredentials(conf.credentials, conf.assumeRole, conf.region) : conf.credentials;
    const payload = Buffer.from(await buildPayload(kong, conf));
    const started = Date.now();
    const answer = await invoke(conf, conf.region, credentials, payload);
    // the function's time is the "upstream" time of this request (Kong's KONG_WAITING_TIME)
    kong.timings.upstreamLatency = Date.now() - started;
    if (answer.status >= 400) throw new Error(`Lambda answered ${answer.status}: ${lambdaMessage(answer.body)}`);
    respond(kong, conf, answer);
  },
};

function credentialsOf(c: Record<string, unknown>): AwsCredentials | null {
  if (typeof c.aws_key === 'string' && typeof c.aws_secret === 'string') return { accessKeyId: c.aws_key, secretAccessKey: c.aws_secret };
  const env = process.env;
  const accessKeyId = env.AWS_ACCESS_KEY_ID ?? env.AWS_ACCESS_KEY;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY ?? env.AWS_SECRET_KEY;
  if (!accessKeyId || !secretAccessKey) return null;
  return { accessKeyId, secretAccessKey, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) };
}

// characters the AWS SDK leaves as they are in a path parameter (an ARN's colons among them)
const escapePathParam = (s: string) => s.replace(/[^!#$&'()*+,:;=?@[\]A-Za-z0-9_.~-]/g, (c) => encodeURIComponent(c));

function invoke(conf: Conf, region: string, credentials: AwsCredentials, payload: Buffer): Promise<AwsAnswer> {
  const hostname = conf.host ?? `lambda.${region}.amazonaws.com`;
  const defaultPort = conf.tls ? 443 : 80;
  const hostHeader = conf.port === defaultPort ? hostname : `${hostname}:${conf.port}`;
  const path = `/2015-03-31/functions/${escapePathParam(conf.functionName)}/invocations`;
  const query: Array<[string, string]> = conf.qualifier !== null ? [['Qualifier', conf.qualifier]] : [];
  const headers = signV4({
    method: 'POST', host: hostHeader, path, query, body: payload, region, service: 'lambda', credentials, now: new Date(),
    headers: { 'x-amz-invocation-type': conf.invocationType, 'x-amz-log-type': conf.logType },
  });
  const search = query.length ? `?${query.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}` : '';
  return awsExchange({
    tls: conf.tls, host: hostname, port: conf.port, path: path + search, method: 'POST', headers, body: payload,
    timeout: conf.timeout, agent: conf.agent, proxy: conf.proxy,
  });
}

function lambdaMessage(body: Buffer): string {
  try {
    const doc = JSON.parse(body.toString('utf8')) as { Message?: string; message?: string };
    return doc.Message ?? doc.message ?? body.toString('utf8');
  } catch {
    return body.toString('utf8');
  }
}

function respond(kong: PluginContext, conf: Conf, answer: AwsAnswer): void {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(answer.headers)) if (v !== undefined && k !== 'content-length') headers[k] = v;
  let body = answer.body;
  let status: number | null = null;
  if (conf.isProxyIntegration) {
    const proxied = proxyResponse(body.toString('utf8'));
    if (typeof proxied === 'string') {
      kong.log.error(`[aws-lambda] ${proxied}`);
      kong.response.exit(502, { message: 'Bad Gateway', error: `could not JSON decode Lambda function response: ${proxied}` });
      return;
    }
    status = proxied.status;
    for (const [k, v] of Object.entries(proxied.headers)) {
      for (const existing of Object.keys(headers)) if (existing.toLowerCase() === k.toLowerCase()) delete headers[existing];
      headers[k] = v;
    }
    body = proxied.body;
  }
  if (status === null) {
    status = conf.unhandledStatus !== null && headers['x-amz-function-error'] === 'Unhandled' ? conf.unhandledStatus : answer.status;
  }
  if (conf.legacyEmptyArrays && !conf.isProxyIntegration && /application\/.*json/.test(String(headers['content-type'] ?? '').toLowerCase())) {
    body = legacyEmptyArrays(body);
  }
  kong.response.exit(status, body, headers, { proxied: true });
}
