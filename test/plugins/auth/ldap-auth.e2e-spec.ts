// ldap-auth on a real node against a real OpenLDAP (slapd started by the test): binds as
// <attribute>=<user>,<base_dn> over ldap, ldaps and StartTLS; Kong's 401/500 answers, header_type, hide_credentials.
import { startAuthNode, type AuthNode } from './node-kit';
import { startSlapd, type Slapd } from '../../support/slapd';

const ldap = (user: string, password: string, scheme = 'ldap') => ({ authorization: `${scheme} ${Buffer.from(`${user}:${password}`).toString('base64')}` });

describe('ldap-auth', () => {
  let kit: AuthNode;
  let slapd: Slapd;

  beforeAll(async () => {
    slapd = await startSlapd();
    slapd.add([
      'dn: ou=people,dc=example,dc=com', 'objectClass: organizationalUnit', 'ou: people', '',
      'dn: uid=einstein,ou=people,dc=example,dc=com', 'objectClass: inetOrgPerson', 'uid: einstein', 'cn: Albert Einstein', 'sn: Einstein', 'userPassword: relativity', '',
    ].join('\n'));
    kit = await startAuthNode();
    await kit.must('POST', '/services', { name: 's', url: `http://127.0.0.1:${kit.upstreamPort}` }, 201);
    await kit.must('POST', '/consumers', { username: 'guest' }, 201);
    const base = { ldap_host: '127.0.0.1', ldap_port: slapd.port, base_dn: 'ou=people,dc=example,dc=com', attribute: 'uid', cache_ttl: 1 };
    for (const [name, config] of [
      ['plain', base],
      ['hidden', { ...base, hide_credentials: true, header_type: 'basic', realm: 'corp' }],
      ['ldaps', { ...base, ldap_port: slapd.ldapsPort, ldaps: true }],
      ['starttls', { ...base, start_tls: true }],
      ['down', { ...base, ldap_port: 1, timeout: 1000 }],
      ['anon', { ...base, anonymous: 'guest' }],
    ] as const) {
      await kit.must('POST', '/services/s/routes', { name, paths: [`/${name}`] }, 201);
      await kit.must('POST', `/routes/${name}/plugins`, { name: 'ldap-auth', config }, 201);
    }
  }, 60_000);
  afterAll(async () => {
    await kit?.close();
    await slapd?.stop();
  });

  it('GET /schemas/plugins/ldap-auth and Kong\'s check on ldaps + start_tls', async () => {
    const body = await kit.must('GET', '/schemas/plugins/ldap-auth', undefined, 200);
    const f = Object.assign({}, ...body.fields.find((x: Record<string, unknown>) => 'config' in x).config.fields);
    expect(f.ldap_port).toMatchObject({ default: 389, required: true });
    expect(f.header_type.default).toBe('ldap');
    const both = await kit.adminCall('POST', '/plugins', { name: 'ldap-auth', config: { ldap_host: 'h', base_dn: 'x', attribute: 'uid', ldaps: true, start_tls: true } });
    expect(both.status).toBe(400);
    expect(both.json.fields.config.start_tls).toBe("'ldaps' and 'start_tls' cannot be enabled simultaneously");
  });

  it('a good bind proxies with the LDAP user as the credential identifier', async () => {
    const r = await kit.until('GET', '/plain/x', (res) => res.status !== 404, { headers: ldap('einstein', 'relativity') });
    expect(r.status).toBe(200);
    expect(r.json.headers['x-credential-identifier']).toBe('einstein');
    expect(r.json.headers['x-consumer-username']).toBeUndefined();
    expect(r.json.headers['x-anonymous-consumer']).toBeUndefined();
    expect(r.json.headers.authorization).toBeDefined();
  });

  it.each([
    ['no header', {}],
    ['wrong password', ldap('einstein', 'newton')],
    ['unknown user', ldap('bohr', 'x')],
    ['other scheme', ldap('einstein', 'relativity', 'basic')],
  ])('%s -> 401 Unauthorized with the LDAP challenge', async (_n, headers) => {
    const r = await kit.proxyCall('GET', '/plain/x', { headers: headers as Record<string, string> });
    expect(r.status).toBe(401);
    expect(r.json.message).toBe('Unauthorized');
    expect(r.headers['www-authenticate']).toBe('LDAP');
  });

  it('header_type, realm and hide_credentials', async () => {
    const denied = await kit.proxyCall('GET', '/hidden/x');
    expect(denied.headers['www-authenticate']).toBe('basic realm="corp"');
    const ok = await kit.proxyCall('GET', '/hidden/x', { headers: ldap('einstein', 'relativity', 'Basic') });
    expect(ok.status).toBe(200);
    expect(ok.json.headers.authorization).toBeUndefined();
  });

  it('ldaps and StartTLS bind over TLS', async () => {
    expect((await kit.proxyCall('GET', '/ldaps/x', { headers: ldap('einstein', 'relativity') })).status).toBe(200);
    expect((await kit.proxyCall('GET', '/starttls/x', { headers: ldap('einstein', 'relativity') })).status).toBe(200);
    expect((await kit.proxyCall('GET', '/starttls/x', { headers: ldap('einstein', 'wrong') })).status).toBe(401);
  });

  it('an unreachable server is a 500; anonymous falls back on bad credentials', async () => {
    const down = await kit.proxyCall('GET', '/down/x', { headers: ldap('einstein', 'relativity') });
    expect(down.status).toBe(500);
    expect(down.json.message).toBe('An unexpected error occurred');
    const anon = await kit.proxyCall('GET', '/anon/x', { headers: ldap('einstein', 'bad') });
    expect(anon.status).toBe(200);
    expect(anon.json.headers['x-consumer-username']).toBe('guest');
  });
});
