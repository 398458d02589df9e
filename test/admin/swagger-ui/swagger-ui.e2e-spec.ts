// Drives Swagger UI at /docs in headless Chromium: "Try it out" on POST /services, then GET it back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { startTestControlPlane, type RunningControlPlane } from '../shell/control-plane';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let cp: RunningControlPlane;
let browser: BrowserContext;
let userDataDir: string;
let page: Page;

beforeAll(async () => {
  cp = await startTestControlPlane();
  userDataDir = mkdtempSync(join(tmpdir(), 'tollgate-chromium-'));
  // A persistent context is how playwright takes a (fresh, empty) --user-data-dir.
  browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  page = browser.pages()[0] ?? (await browser.newPage());
});

afterAll(async () => {
  await browser?.close();
  rmSync(userDataDir, { recursive: true, force: true });
  await cp.stop();
});

/** Expands an operation, presses "Try it out", lets `fill` set inputs, executes, and returns the live response. */
async function tryItOut(operationId: string, fill: (operation: Locator) => Promise<void>): Promise<{ status: string; body: string }> {
  const operation = page.locator(`#operations-${operationId}`);
  await operation.locator('.opblock-summary').first().click();
  await operation.locator('button.try-out__btn').click();
  await fill(operation);
  await operation.locator('button.execute').click();
  const live = operation.locator('.live-responses-table tbody tr.response').first();
  await live.waitFor({ timeout: 15000 });
  await live.scrollIntoViewIfNeeded();
  return {
    status: (await live.locator('td.response-col_status').innerText()).trim(),
    body: await live.locator('.response-col_description pre.microlight, .response-col_description .microlight').first().innerText(),
  };
}

describe('Swagger UI at /docs', () => {
  test('loads the generated document', async () => {
    await page.goto(`${cp.url}/docs`);
    await page.locator('#operations-services-post_services').waitFor({ timeout: 15000 });
    expect(await page.title()).toBe('Tollgate Admin API');
    expect(await page.locator('.info .title').innerText()).toContain('Tollgate Admin API');
  });

  test('POST /services via "Try it out" creates the service', async () => {
    const result = await tryItOut('services-post_services', async (operation) => {
      await operation.locator('textarea.body-param__text').fill(JSON.stringify({ name: 'from-swagger', url: 'http://swagger.test:8080/x' }));
    });
    expect(result.status).toBe('201');
    expect(JSON.parse(result.body)).toMatchObject({ name: 'from-swagger', protocol: 'http', host: 'swagger.test', port: 8080, path: '/x' });
    expect((await cp.handle.dao.get('services', 'from-swagger'))?.host).toBe('swagger.test');
  });

  test('GET /services/{services} reads it back', async () => {
    const result = await tryItOut('services-get_services_services', async (operation) => {
      await operation.locator('tr[data-param-name="services"] input').fill('from-swagger');
    });
    expect(result.status).toBe('200');
    const body = JSON.parse(result.body);
    expect(body).toEqual(await cp.handle.dao.get('services', 'from-swagger'));
    await page.screenshot({ path: '/tmp/tollgate-swagger-ui.png', fullPage: false });
  });
});
