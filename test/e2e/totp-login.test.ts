// Issue 18 (optional item), in Debian's Chromium: a noc account with a TOTP second factor signs in to
// the built dashboard — password first, then the page asks for the authenticator's 6-digit code.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createUser } from '../../api/accounts.ts';
import { enableTotp, newTotpSecret, setTotpPending, totpCode } from '../../api/totp.ts';
import { startTestApi, TEST_PASSWORD, type TestEnv } from '../helpers/api.ts';
import { type Browser, buildDashboard, openBrowser, ROOT } from './target.ts';

let env: TestEnv;
let browser: Browser;
const secret = newTotpSecret();

beforeAll(async () => {
  buildDashboard();
  env = await startTestApi({ sites: 3, base: 79, deps: { dashboardDir: join(ROOT, 'dashboard/dist') } });
  await createUser(env.rt.state, { name: 'truc-ca', role: 'noc', password: TEST_PASSWORD });
  setTotpPending(env.rt.state, 'truc-ca', secret);
  enableTotp(env.rt.state, 'truc-ca', 0);
  browser = await openBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

it('asks for the authenticator code after the password, then signs in', async () => {
  const { page, errors } = browser;
  await page.goto(`${env.url}/`);
  await page.waitForSelector('h1#login-title');
  expect(await page.locator('input[name=totp]').count()).toBe(0);
  await page.fill('input[name=username]', 'truc-ca');
  await page.fill('input[name=password]', TEST_PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('input[name=totp]', { timeout: 20_000 });
  expect(await page.locator('label:has(input[name=totp]) span').textContent()).toBe(
    'Mã xác thực 6 số (ứng dụng xác thực)',
  );
  await page.fill('input[name=totp]', totpCode(secret));
  await page.click('button[type=submit]');
  await page.waitForSelector('nav[aria-label=Menu] >> text=Sơ đồ điểm cầu', { timeout: 30_000 });
  expect(errors).toEqual([]);
}, 90_000);
