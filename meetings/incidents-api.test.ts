// The incident routes with the fields of issue 14 (Điều 8.2.d): responsible organisation, estimated
// restore time, status and the edit history, through HTTP as the API server mounts them (real accounts
// and tokens, the real state DB and alert engine).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { meetingRoutes } from '../api/routes/meetings.ts';
import { type TestApi, testApi, worldDeps } from '../test/helpers/meetings-api.ts';
import { type World, world } from '../test/helpers/world.ts';
import { IncidentDrafter } from './incident-drafts.ts';
import { parseLocalTime } from './time.ts';

const START = parseLocalTime('2026-03-10T08:00')!;
let w: World;
let call: TestApi['call'];

beforeEach(async () => {
  w = await world(parseLocalTime('2026-03-02T08:00')!);
  const d = worldDeps(w);
  ({ call } = await testApi(
    w.rt,
    [meetingRoutes(d, { readiness: w.readiness, incidents: w.incidents, now: w.clock.now })],
    [
      ['u-noc', 'noc', {}],
      ['u-host', 'host', { org: 'vp-ubnd-tinh' }],
      ['u-tech', 'technician', { sites: ['xa-bang-thanh'] }],
    ],
  ));
});
afterEach(() => w.stop());

describe('incident routes (issue 14)', () => {
  it('a new incident has its responsible organisation and ETA; bad ones are 400 naming the field', async () => {
    w.clock.t = START - 60_000;
    const m = w.meetings.register(
      {
        title: 'Giao ban',
        host_org: 'vp-ubnd-tinh',
        start: START,
        end: START + 2 * 3600_000,
        sites: ['tinh-uy', 'xa-bang-thanh'],
        emergency: true,
        emergency_reason: 'thử',
      },
      'u-noc',
    ).meeting;
    w.clock.t = START + 10 * 60_000;
    const eta = START + 3600_000;
    const created = await call('u-tech', 'POST', '/incidents', {
      sites: ['xa-bang-thanh'],
      cause: 'Đứt cáp quang',
      cause_class: 'link',
      responsible_org: 'viettel',
      estimated_restore_at: '2026-03-10T09:00',
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      status: 'open',
      meeting_id: m.id,
      responsible_org: 'viettel',
      estimated_restore_at: eta,
      episode_id: null,
      reported_by: 'u-tech',
    });

    const bad = [
      [{ responsible_org: 'khong-co' }, 'body.responsible_org'],
      [{ estimated_restore_at: '2026-03-10T07:00' }, 'body.estimated_restore_at'],
    ] as const;
    for (const [extra, path] of bad) {
      const r = await call('u-noc', 'POST', '/incidents', { sites: ['tinh-uy'], cause: 'x', ...extra });
      expect([r.status, r.json.error.issues[0].path]).toEqual([400, path]);
    }
    const toDraft = await call('u-noc', 'PATCH', `/incidents/${created.json.id}`, { status: 'draft' });
    expect([toDraft.status, toDraft.json.error.issues[0].path]).toEqual([400, 'body.status']);
    const neither = await call('u-noc', 'GET', '/incidents/draft');
    expect(neither.status).toBe(400);
    expect(neither.json.error.issues[0].path).toMatch(/^query\./);
    expect((await call('u-noc', 'GET', '/incidents/draft?episode_id=khong-co')).status).toBe(404);

    // the host office reads it (their meeting), with the history
    const read = await call('u-host', 'GET', `/incidents/${created.json.id}`);
    expect(read.status).toBe(200);
    expect(read.json.history).toEqual([
      {
        at: START + 10 * 60_000,
        by: 'u-tech',
        changes: expect.objectContaining({
          status: [null, 'open'],
          responsible_org: [null, 'viettel'],
          estimated_restore_at: [null, eta],
          sites: [null, ['xa-bang-thanh']],
        }),
      },
    ]);
  });

  it('an edit leaves a history row with who, when and what changed; a draft is confirmed by PATCH status open', async () => {
    w.clock.t = START - 60_000;
    w.meetings.register(
      {
        title: 'Giao ban',
        host_org: 'vp-ubnd-tinh',
        start: START,
        end: START + 2 * 3600_000,
        sites: ['tinh-uy', 'xa-bang-thanh'],
        emergency: true,
        emergency_reason: 'thử',
      },
      'u-noc',
    );
    const drafter = new IncidentDrafter(w.incidents, w.meetings, w.alerts, { now: w.clock.now, sweepMs: 0 });
    drafter.start();
    w.drive(120, (t) => [...w.fleet.healthy('xa-bang-thanh', t), ...w.fleet.healthy('tinh-uy', t)]);
    w.drive(180, (t) => [
      ...w.fleet.healthy('xa-bang-thanh', t, { probe: { reachable: 0 } }),
      ...w.fleet.healthy('tinh-uy', t),
    ]);
    await drafter.stop();
    const ep = w.alerts.episodes({ site: 'xa-bang-thanh' }).find((e) => e.rule === 'site-unreachable')!;
    const prefill = await call('u-tech', 'GET', `/incidents/draft?episode_id=${ep.id}`);
    expect(prefill.json).toMatchObject({ episode_id: ep.id, sites: ['xa-bang-thanh'], cause_class: 'link' });

    const drafts = await call('u-noc', 'GET', '/incidents?status=draft');
    expect(drafts.json.total).toBe(1);
    const id = drafts.json.items[0].id;
    expect(drafts.json.items[0]).toMatchObject({ episode_id: ep.id, reported_by: 'system' });
    expect((await call('u-noc', 'GET', '/incidents?status=open')).json.total).toBe(0);
    expect((await call('u-noc', 'GET', '/incidents')).json.total).toBe(0); // drafts wait apart
    expect((await call('u-noc', 'GET', '/incidents?include_drafts=true')).json.total).toBe(1);

    w.clock.t += 60_000;
    const at = w.clock.t;
    const ok = await call('u-tech', 'PATCH', `/incidents/${id}`, {
      status: 'open',
      fix: 'Báo Viettel kiểm tra tuyến cáp',
      estimated_restore_at: START + 90 * 60_000,
    });
    expect(ok.status).toBe(200);
    expect(ok.json.status).toBe('open');
    expect(ok.json.history.at(-1)).toEqual({
      at,
      by: 'u-tech',
      changes: {
        status: ['draft', 'open'],
        fix: ['', 'Báo Viettel kiểm tra tuyến cáp'],
        estimated_restore_at: [null, START + 90 * 60_000],
      },
    });
    expect((await call('u-noc', 'GET', '/incidents?status=open')).json.total).toBe(1);
    const restored = await call('u-noc', 'PATCH', `/incidents/${id}`, { status: 'restored' });
    expect(restored.json).toMatchObject({ status: 'restored', restored_at: at });
  });
});
