// POST /acme with test_http_challenge_flow: does http://<host>/.well-known/acme-challenge/x reach this gateway's
// acme plugin (which answers that token with 404 "Not found\n")? Kong's api.lua asks the same way.
import { request } from 'node:http';

const NO_ROUTE = /no Route matched with those values/;

/** undefined when the check passed, else what is wrong. */
export function sanityCheck(host: string): Promise<string | undefined> {
  const checkPath = `http://${host}/.well-known/acme-challenge/`;
  return new Promise((resolve) => {
    const req = request(`${checkPath}x`, { method: 'GET', timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (NO_ROUTE.test(body)) return resolve(`${checkPath}* doesn't map to a Route in Kong; please refer to docs on how to create dummy Route and Service`);
        if (body === 'Not found\n') return resolve(undefined);
        let err = `unexpected response: "${body}"`;
        if (res.statusCode !== 404) err += `, unexpected status code: ${res.statusCode}`;
        resolve(err);
      });
      res.on('error', (e) => resolve(e.message));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve(e.message));
    req.end();
  });
}
