// Minimal valid bodies shown by Swagger UI's "Try it out" (generated examples would set every field at once).
export const REQUEST_EXAMPLES: Readonly<Record<string, unknown>> = {
  services: { name: 'example-service', url: 'http://httpbin.org:80/anything' },
  routes: { name: 'example-route', paths: ['/example'] },
  consumers: { username: 'example-user' },
  plugins: { name: 'key-auth', config: {} },
  upstreams: { name: 'example.upstream' },
  targets: { target: '10.0.0.1:8000', weight: 100 },
  ca_certificates: { cert: '-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----' },
  snis: { name: 'example.com', certificate: { id: '00000000-0000-4000-8000-000000000000' } },
};
