// Other areas add their routes through ApiDeps.routes: same authentication, errors and OpenAPI document.
import { createRoute, z } from '@hono/zod-openapi';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Client, clientsByRole, startTestApi, type TestEnv } from '../test/helpers/api.ts';
import { allow, type Deps, READ_ROLES } from './context.ts';
import { ok, SECURITY, subApp } from './openapi.ts';

const extra = (d: Deps) => {
  const app = subApp();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/extra',
      summary: 'thử / test',
      security: SECURITY,
      request: { query: z.object({ n: z.coerce.number().int() }).strict() },
      responses: ok(z.object({ sites: z.number(), n: z.number() }), 'ok'),
    }),
    (c) => {
      allow(c, ...READ_ROLES);
      return c.json({ sites: d.rt.inventory.sites.size, n: c.req.valid('query').n }, 200);
    },
  );
  return app;
};

let env: TestEnv;
let viewer: Client;
beforeAll(async () => {
  env = await startTestApi({ sites: 12, base: 59, deps: { routes: [extra] } });
  viewer = (await clientsByRole(env, [[...env.rt.inventory.sites.keys()][0]!])).viewer;
});
afterAll(async () => {
  await env?.stop();
});

it('mounts a route factory under /api/v1 with auth, validation and the OpenAPI document', async () => {
  expect((await fetch(`${env.url}/api/v1/extra?n=1`)).status).toBe(401);
  expect(await (await viewer.get('/api/v1/extra?n=3')).json()).toEqual({ sites: 12, n: 3 });
  const bad = await viewer.get('/api/v1/extra?n=x');
  expect(bad.status).toBe(400);
  const doc = (await (await fetch(`${env.url}/api/v1/openapi.json`)).json()) as {
    paths: Record<string, unknown>;
  };
  expect(doc.paths).toHaveProperty(['/extra']);
});
