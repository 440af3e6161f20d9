// The period reports' tests (reports/*.test.ts): the API over a test world with a feature's routes
// and the report routes, and a report's Word file read back.
import type { OpenAPIHono } from '@hono/zod-openapi';
import { expect } from 'vitest';
import type { AppEnv, Deps } from '../../api/context.ts';
import { reportRoutes } from '../../api/routes/reports.ts';
import { documentXml, xmlText } from './documents.ts';
import { type TestApi, type TestUser, testApi, worldDeps } from './meetings-api.ts';
import type { World } from './world.ts';

/** testApi over `w` with the routes `routes` makes of its deps, then the report routes on the world's clock */
export function reportApi(
  w: World,
  routes: (deps: Deps) => OpenAPIHono<AppEnv>[],
  users: readonly TestUser[],
): Promise<TestApi> {
  return testApi(
    w.rt,
    [...routes(worldDeps(w)), reportRoutes(worldDeps(w), { readiness: w.readiness, now: w.clock.now })],
    users,
  );
}

/** GET `path` (a report, format=docx) as `user`, answered 200: its document.xml and that as text */
export async function reportDocx(
  api: TestApi,
  user: string,
  path: string,
): Promise<{ xml: string; text: string }> {
  const res = await api.request(user, 'GET', path);
  expect(res.status).toBe(200);
  const xml = documentXml(Buffer.from(await res.arrayBuffer()));
  return { xml, text: xmlText(xml) };
}
