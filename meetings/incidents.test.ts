// The incident log against what the system sees (issue 14, Điều 8.2.d): the real alert engine judging
// samples, the real state database and durable outbox, e-mail through a real SMTP server on loopback.
// An episode that touches a live meeting drafts one incident; its resolve fills the restore time;
// the host office and the NOC hear once when it is confirmed and once when it is restored.
import { afterEach, describe, expect, it } from 'vitest';
import type { Sample } from '../core/bus.ts';
import { Fleet } from '../test/helpers/alerts.ts';
import { mailedAlerts } from '../test/helpers/meetings-api.ts';
import { IncidentDrafter } from './incident-drafts.ts';
import { notifyIncidents } from './incident-notify.ts';
import { episodeRestoredAt, IncidentLog, SYSTEM } from './incidents.ts';
import { parseLocalTime } from './time.ts';

const T0 = parseLocalTime('2026-03-02T08:00')!;
const START = parseLocalTime('2026-03-10T08:00')!;
const HOST = 'vp-ubnd-tinh@host.diemcau.example';
const NOC = ['truc-ban-1@noc.diemcau.example', 'truc-ban-2@noc.diemcau.example'];
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

type Over = Parameters<Fleet['healthy']>[2];

async function setup() {
  const { smtp, rt, clock, meetings, engine } = await mailedAlerts(cleanup, { t0: T0, groupWait: '1s' });
  const incidents = new IncidentLog(rt.state, rt.inventory, meetings, clock.now);
  incidents.onChange(
    notifyIncidents(engine.outbox, rt.inventory, meetings, { publicUrl: 'https://noc.bac-kan.example/' }),
  );
  const drafter = new IncidentDrafter(incidents, meetings, engine, { now: clock.now, sweepMs: 0 }).start();
  cleanup.push(() => drafter.stop());
  const fleet = new Fleet(rt.inventory);
  const over = new Map<string, Over>();
  const sites = ['tinh-uy', 'xa-bang-thanh', 'xa-banh-trach'];
  /** `seconds` of poll rounds of the three sites, every 10 s */
  const drive = (seconds: number) => {
    for (let s = 0; s < seconds; s += 10) {
      clock.t += 10_000;
      const batch: Sample[] = [];
      for (const id of sites) batch.push(...fleet.healthy(id, clock.t, over.get(id)));
      rt.bus.publish(batch);
      engine.tickNow();
    }
  };
  const m = meetings.register(
    {
      title: 'Giao ban trực tuyến tháng 3',
      host_org: 'vp-ubnd-tinh',
      start: START,
      end: START + 2 * 3600_000,
      sites: ['tinh-uy', 'xa-bang-thanh'],
    },
    'u-host',
  ).meeting;
  /** mails about incidents (the engine's own pages go through the same server) */
  const incidentMails = async () => {
    await engine.outbox.idle(10_000);
    return smtp.mails.filter((x) => x.key.startsWith('incident/'));
  };
  return { rt, clock, meetings, engine, incidents, drafter, over, drive, m, smtp, incidentMails };
}

describe('incidents drafted from episodes', () => {
  it('an episode at a site in a live meeting drafts exactly one incident (none where no meeting is live); its resolve fills restored_at; nobody is told about a draft', async () => {
    const s = await setup();
    s.clock.t = START - 60_000;
    s.drive(120); // the meeting is live, everything answers
    // xa-bang-thanh (in the meeting, a Viettel link) and xa-banh-trach (in no meeting) stop answering
    s.over.set('xa-bang-thanh', { probe: { reachable: 0 } });
    s.over.set('xa-banh-trach', { probe: { reachable: 0 } });
    s.drive(180);
    const ep = s.engine.episodes({ site: 'xa-bang-thanh' })[0]!;
    expect(ep).toBeDefined();
    expect(s.engine.episodes({ site: 'xa-banh-trach' })).toHaveLength(1);

    expect(s.incidents.list().total).toBe(0); // the log proper: nothing confirmed yet
    const drafts = s.incidents.list({ status: 'draft' }).items;
    expect(drafts).toHaveLength(1);
    const d = drafts[0]!;
    expect(d).toMatchObject({
      status: 'draft',
      sites: ['xa-bang-thanh'],
      meeting_id: s.m.id,
      episode_id: ep.id,
      started_at: s.engine.episode(ep.id)!.started_at,
      restored_at: null,
      cause_class: 'link',
      responsible_org: ep.owner_org,
      reported_by: SYSTEM,
    });
    expect(ep.owner_org).toBe('viettel');
    expect(d.cause).toContain(ep.title);
    expect(s.incidents.list({ site: 'xa-banh-trach', drafts: true }).total).toBe(0);

    // every further change of the episode, a sweep, and a restart (a new drafter) draft nothing more
    s.drive(60);
    s.drafter.sweep();
    const again = new IncidentDrafter(s.incidents, s.meetings, s.engine, { now: s.clock.now, sweepMs: 0 });
    again.start();
    await again.stop();
    expect(s.incidents.list({ drafts: true }).total).toBe(1);

    // the link comes back: the episode resolves and the draft gets its restore time, still a draft
    s.over.delete('xa-bang-thanh');
    s.drive(15 * 60);
    const resolved = s.engine.episode(ep.id)!;
    expect(resolved.state).toBe('resolved');
    const after = s.incidents.require(d.id);
    expect(after.status).toBe('draft');
    expect(after.restored_at).toBe(episodeRestoredAt(resolved));
    expect(after.restored_at).not.toBeNull();
    // the draft followed its episode (an earlier first evidence), all by the system
    expect(after.started_at).toBe(resolved.started_at);
    const h = s.incidents.history(d.id);
    expect(h.every((x) => x.by === SYSTEM)).toBe(true);
    expect(h[0]!.changes.status).toEqual([null, 'draft']);
    expect(h.at(-1)).toEqual({
      at: after.updated_at,
      by: SYSTEM,
      changes: { restored_at: [null, after.restored_at] },
    });

    // not confirmed by anyone: no message about it
    expect(await s.incidentMails()).toEqual([]);

    // a person who reopens it (clears the restore time) is not overruled by the next sweep
    s.incidents.update(d.id, { restored_at: null }, 'u-noc');
    s.drafter.sweep();
    expect(s.incidents.require(d.id).restored_at).toBeNull();
  }, 30_000);

  it('confirming a draft tells the host office and the NOC once; its restore once more', async () => {
    const s = await setup();
    s.clock.t = START + 10 * 60_000;
    s.drive(120);
    s.over.set('xa-bang-thanh', { probe: { reachable: 0 } });
    s.drive(180);
    const [d] = s.incidents.list({ status: 'draft' }).items;
    expect(d).toBeDefined();
    expect(await s.incidentMails()).toEqual([]);

    const eta = parseLocalTime('2026-03-10T09:30')!;
    const confirmed = s.incidents.update(
      d!.id,
      { status: 'open', estimated_restore_at: eta, responsible_org: 'viettel' },
      'u-noc',
    );
    expect(confirmed.status).toBe('open');
    let mails = await s.incidentMails();
    expect(mails.map((x) => x.to).sort()).toEqual([...NOC, HOST].sort());
    expect(new Set(mails.map((x) => x.key))).toEqual(
      new Set([
        `incident/${d!.id}/logged/email/noc-truc-ban-1`,
        `incident/${d!.id}/logged/email/noc-truc-ban-2`,
        `incident/${d!.id}/logged/email/vp-ubnd-tinh-chuyen-vien`,
      ]),
    );
    const mail = mails.find((x) => x.to === HOST)!;
    expect(mail.subject).toBe('[diemcau] Sự cố: Hội trường UBND xã Bằng Thành — Giao ban trực tuyến tháng 3');
    const vi = mail.text.indexOf('Điểm cầu: Hội trường UBND xã Bằng Thành');
    const en = mail.text.indexOf('Sites: xa-bang-thanh');
    expect(vi).toBeGreaterThan(0);
    expect(en).toBeGreaterThan(vi); // Vietnamese first
    expect(mail.text).toContain('Nguyên nhân: Đường truyền');
    expect(mail.text).toContain('Đơn vị chịu trách nhiệm khắc phục: ');
    expect(mail.text).toContain('Dự kiến khắc phục: 10/03/2026 09:30');
    expect(mail.text).toContain('Estimated restore: 10/03/2026 09:30');
    expect(mail.text).toContain(`Chi tiết: https://noc.bac-kan.example/incidents/${d!.id}`);

    // further edits tell nobody
    s.incidents.update(d!.id, { fix: 'Viettel thay module quang' }, 'u-tech');
    expect(await s.incidentMails()).toHaveLength(3);

    // the link is back: the system fills the restore time, the incident is restored, one message each
    s.over.delete('xa-bang-thanh');
    s.drive(15 * 60);
    const restored = s.incidents.require(d!.id);
    expect(restored.status).toBe('restored');
    expect(restored.restored_at).not.toBeNull();
    s.drafter.sweep();
    mails = await s.incidentMails();
    const back = mails.filter((x) => x.key.includes('/restored/'));
    expect(back.map((x) => x.to).sort()).toEqual([...NOC, HOST].sort());
    expect(back[0]!.subject).toMatch(/^\[diemcau\] Đã khắc phục sự cố: Hội trường UBND xã Bằng Thành/);
    expect(back[0]!.text).toContain('Giải pháp: Viettel thay module quang');
    expect(mails).toHaveLength(6);
    // and each message once (one e-mail per key)
    expect(new Set(mails.map((x) => x.key)).size).toBe(6);

    const h = s.incidents.history(d!.id);
    const people = h.filter((x) => x.by !== SYSTEM);
    expect(people.map((x) => x.by)).toEqual(['u-noc', 'u-tech']);
    expect(h.at(-1)!.by).toBe(SYSTEM); // the restore time, from the episode
    expect(h.at(-1)!.changes.restored_at).toEqual([null, restored.restored_at]);
    expect(h.at(-1)!.changes.status).toEqual(['open', 'restored']);
    expect(people[0]!.changes).toEqual({
      status: ['draft', 'open'],
      estimated_restore_at: [null, eta],
    });
  }, 40_000);

  it('an incident a person logs during a meeting has its responsible organisation and ETA, and is announced at once', async () => {
    const s = await setup();
    s.clock.t = START + 5 * 60_000;
    s.drive(60);
    const inc = s.incidents.create(
      {
        sites: ['tinh-uy'],
        cause: 'Mất điện lưới tại hội trường',
        cause_class: 'power',
        responsible_org: 'pc-bac-kan',
        estimated_restore_at: START + 3600_000,
      },
      'u-tech',
    );
    expect(inc).toMatchObject({
      status: 'open',
      meeting_id: s.m.id,
      responsible_org: 'pc-bac-kan',
      estimated_restore_at: START + 3600_000,
    });
    const mails = await s.incidentMails();
    expect(mails.map((x) => x.to).sort()).toEqual([...NOC, HOST].sort());
    expect(mails[0]!.text).toContain('Đơn vị chịu trách nhiệm khắc phục: Công ty Điện lực Bắc Kạn');
  }, 30_000);
});
