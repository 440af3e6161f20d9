// /api/v1/maintenance: recurring maintenance windows (Điều 13.3) through the real alert engine.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../api/contract.ts';
import { type Client, clientsByRole, startTestApi, type TestEnv } from '../test/helpers/api.ts';

let env: TestEnv;
let c: Record<Role, Client>;
let site: string;

beforeAll(async () => {
  env = await startTestApi({ sites: 12, base: 58, alerts: true });
  site = [...env.rt.inventory.sites.keys()][5]!;
  c = await clientsByRole(env, [site]);
});
afterAll(async () => {
  await env?.stop();
});

const plan = (over: Record<string, unknown> = {}) => ({
  id: 'bao-tri-thu-hai',
  scope: { district: 'huyen-1' },
  weekdays: [1],
  start: '07:30',
  duration_min: 120,
  comment: 'Bảo trì định kỳ thiết bị điểm cầu',
  ...over,
});

describe('maintenance windows', () => {
  it('only admin and noc add or remove them; everyone signed in reads them', async () => {
    expect((await fetch(`${env.url}/api/v1/maintenance`)).status).toBe(401);
    for (const role of ['technician', 'host', 'viewer'] as const) {
      expect((await c[role].request('POST', '/api/v1/maintenance', plan())).status, role).toBe(403);
      expect((await c[role].get('/api/v1/maintenance')).status, role).toBe(200);
    }
    expect(env.alerts!.maintenanceWindows()).toEqual([]);
  });

  it('adds a window the engine applies, lists it, audits it and removes it', async () => {
    const res = await c.noc.request('POST', '/api/v1/maintenance', plan());
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      id: 'bao-tri-thu-hai',
      duration_min: 120,
      source: 'db',
      created_by: 'u-noc',
    });
    expect(env.alerts!.maintenanceWindows().map((w) => [w.id, w.duration])).toEqual([
      ['bao-tri-thu-hai', 7_200_000],
    ]);
    const list = (await (await c.viewer.get('/api/v1/maintenance')).json()) as { items: { id: string }[] };
    expect(list.items.map((w) => w.id)).toEqual(['bao-tri-thu-hai']);
    const audit = (await (await c.admin.get('/api/v1/audit')).json()) as {
      items: { action: string; target: string }[];
    };
    expect(audit.items).toContainEqual(
      expect.objectContaining({ action: 'maintenance.create', target: 'bao-tri-thu-hai' }),
    );

    expect((await c.admin.request('DELETE', '/api/v1/maintenance/bao-tri-thu-hai')).status).toBe(200);
    expect(env.alerts!.maintenanceWindows()).toEqual([]);
    expect((await c.admin.request('DELETE', '/api/v1/maintenance/bao-tri-thu-hai')).status).toBe(404);
  });

  it('explains bad input with the field and changes nothing', async () => {
    const cases: [Record<string, unknown>, number, string][] = [
      [{ scope: { site: 'xa-khong-co' } }, 400, 'body.scope.site'],
      [{ scope: { district: 'nowhere' } }, 400, 'body.scope.district'],
      [{ scope: { site, district: 'huyen-1' } }, 400, 'body.scope'],
      [{ start: '25:00' }, 400, 'body.start'],
      [{ weekdays: [0] }, 400, 'body.weekdays.0'],
      [{ duration_min: 0 }, 400, 'body.duration_min'],
      [{ comment: ' ' }, 400, 'body.comment'],
      [{ extra: 1 }, 400, 'body.extra'],
    ];
    for (const [over, status, path] of cases) {
      const res = await c.admin.request('POST', '/api/v1/maintenance', plan(over));
      const body = (await res.json()) as { error: { issues?: { path: string }[] } };
      expect(res.status, JSON.stringify(over)).toBe(status);
      expect(
        body.error.issues?.map((i) => i.path),
        JSON.stringify(over),
      ).toContain(path);
    }
    expect(env.alerts!.maintenanceWindows()).toEqual([]);
  });

  it('refuses a second window with the same id', async () => {
    expect((await c.admin.request('POST', '/api/v1/maintenance', plan({ id: 'mot-lan' }))).status).toBe(200);
    const again = await c.admin.request('POST', '/api/v1/maintenance', plan({ id: 'mot-lan' }));
    expect(again.status).toBe(409);
    expect(env.alerts!.maintenanceWindows().filter((w) => w.id === 'mot-lan')).toHaveLength(1);
  });
});
