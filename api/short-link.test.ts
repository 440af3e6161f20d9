// The short link an SMS carries (one GSM-7 part has no room for a long URL): /e/<episode id>
// redirects to the episode on the dashboard; anything else under /e/ is not a redirect.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApi, type TestEnv } from '../test/helpers/api.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestApi({ sites: 4, base: 57 });
});
afterAll(async () => {
  await env?.stop();
});

it('redirects /e/<episode id> to the episode on the dashboard', async () => {
  const res = await fetch(`${env.url}/e/e-mx2kagn4-1`, { redirect: 'manual' });
  expect(res.status).toBe(302);
  expect(res.headers.get('location')).toBe('/alerts?episode=e-mx2kagn4-1');
  const odd = await fetch(`${env.url}/e/${encodeURIComponent('<script>')}`, { redirect: 'manual' });
  expect(odd.status).not.toBe(302);
});
