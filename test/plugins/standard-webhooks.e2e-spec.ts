// standard-webhooks through a real DB-less node: a delivery signed as the Standard Webhooks spec says reaches the
// service; every other one is Kong's 400. The signature is computed here from the spec's definition.
import { createHmac } from 'node:crypto';
import { http } from '../support/http';
import { createKit, type Kit } from './support/kit';

const SECRET = 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';

/** v1,<base64 HMAC-SHA256 of "id.timestamp.body">, keyed with the configured secret as Kong keys it. */
const sign = (id: string, ts: number | string, body: string, secret = SECRET) =>
  `v1,${createHmac('sha256', secret).update(`${id}.${ts}.${body}`).digest('base64')}`;

describe('standard-webhooks (proxy)', () => {
  let kit: Kit;
  const now = () => Math.floor(Date.now() / 1000);
  const post = (headers: Record<string, string>, body?: string) =>
    kit.send('POST', '/hooks', { body, headers: { 'content-type': 'application/json', ...headers } });

  beforeAll(async () => {
    kit = await createKit();
    const b = kit.builder;
    const s = b.service(kit.upstream.port);
    b.plugin('standard-webhooks', { secret_v1: SECRET }, { route: b.route(s, ['/hooks']) });
    b.plugin('standard-webhooks', { secret_v1: SECRET, tolerance_second: 0 }, { route: b.route(s, ['/strict']) });
    await kit.start();
  });
  afterAll(async () => kit?.close());

  it('a correctly signed delivery reaches the service with its headers and body', async () => {
    const body = '{"type":"invoice.paid","id":42}';
    const ts = now();
    const r = await post({ 'webhook-id': ID, 'webhook-timestamp': String(ts), 'webhook-signature': sign(ID, ts, body) }, body);
    expect(r.status).toBe(200);
    expect(r.json.body).toBe(body);
    expect(r.json.headers['webhook-id']).toBe(ID);
  });

  it.each([
    ['a missing webhook-signature', () => ({ 'webhook-id': ID, 'webhook-timestamp': String(now()) }), '{"a":1}'],
    ['a missing webhook-id', () => ({ 'webhook-timestamp': String(now()), 'webhook-signature': sign(ID, now(), '{"a":1}') }), '{"a":1}'],
    ['a timestamp that is not a number', () => ({ 'webhook-id': ID, 'webhook-timestamp': 'XYZ', 'webhook-signature': sign(ID, 'XYZ', '{"a":1}') }), '{"a":1}'],
    ['a timestamp older than tolerance_second', () => ({ 'webhook-id': ID, 'webhook-timestamp': String(now() - 360), 'webhook-signature': sign(ID, now() - 360, '{"a":1}') }), '{"a":1}'],
    ['no body', () => ({ 'webhook-id': ID, 'webhook-timestamp': String(now()), 'webhook-signature': sign(ID, now(), '') }), undefined],
    ['a body changed after signing', () => ({ 'webhook-id': ID, 'webhook-timestamp': String(now()), 'webhook-signature': sign(ID, now(), '{"a":1}') }), '{"a":2}'],
    ['another secret', () => ({ 'webhook-id': ID, 'webhook-timestamp': String(now()), 'webhook-signature': sign(ID, now(), '{"a":1}', 'other') }), '{"a":1}'],
    ['another message id', () => ({ 'webhook-id': 'msg_other', 'webhook-timestamp': String(now()), 'webhook-signature': sign(ID, now(), '{"a":1}') }), '{"a":1}'],
  ])('refuses %s with Kong\'s 400', async (_name, headers, body) => {
    const r = await post(headers(), body);
    expect(r.status).toBe(400);
    expect(r.json.message).toBe('Bad request');
  });

  it('tolerance_second bounds the age of the timestamp', async () => {
    const body = '{"a":1}';
    const old = now() - 2;
    const headers = { 'webhook-id': ID, 'webhook-timestamp': String(old), 'webhook-signature': sign(ID, old, body), 'content-type': 'application/json' };
    expect((await kit.send('POST', '/strict', { body, headers })).status).toBe(400);
    expect((await kit.send('POST', '/hooks', { body, headers })).status).toBe(200);
  });

  it('schema: secret_v1 required, tolerance_second an integer above -1 defaulting to 300, no consumer', async () => {
    const validate = (config: Record<string, unknown>) => http('POST', `${kit.admin}/schemas/plugins/validate`, { body: { name: 'standard-webhooks', config } });
    expect((await validate({})).json.fields.config).toEqual({ secret_v1: 'required field missing' });
    expect((await validate({ secret_v1: 'x', tolerance_second: 5.67 })).json.fields.config).toEqual({ tolerance_second: 'expected an integer' });
    expect((await validate({ secret_v1: 'x', tolerance_second: -1 })).json.fields.config).toEqual({ tolerance_second: 'value must be greater than -1' });
    const schema = await http('GET', `${kit.admin}/schemas/plugins/standard-webhooks`);
    const fields = schema.json.fields.find((f: Record<string, unknown>) => 'config' in f).config.fields;
    expect(fields[1].tolerance_second).toMatchObject({ type: 'integer', default: 300, required: true });
    // Kong's no_consumer: a declarative config scoping it to a consumer is refused
    const config = {
      _format_version: '3.0',
      consumers: [{ username: 'sender', plugins: [{ name: 'standard-webhooks', config: { secret_v1: 'x' } }] }],
    };
    const refused = await http('POST', `${kit.admin}/config`, { body: config });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.json)).toContain('value must be null');
  });
});
