// The weekly digest (Điều 7.1.a): on the configured weekday and hour (Bắc Kạn time, default Friday
// 15:00) each organisation concerned gets the meetings of the week ahead that concern it — its sites,
// the times, the test runs — the NOC always (also when the week is empty). A week is recorded in
// meeting_digests with its messages, in one transaction: a restart never sends a week twice.

import type { Outbox } from '../alerts/outbox.ts';
import type { Logger } from '../core/log.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import type { StateDb } from '../storage/state-db.ts';
import { audience, type Party } from './audience.ts';
import type { HostDirectory } from './hosts.ts';
import { ascii, enDateTime, siteLine, TEST_RUNS, titleFor } from './notices.ts';
import { enqueueForPeople } from './notify.ts';
import type { DbMeetings, Meeting } from './store.ts';
import { DAY, viDate, viDateTime, viTime } from './time.ts';

const VN_OFFSET = 7 * 3600_000;

export interface DigestSchedule {
  /** ISO weekday, 1 Monday … 7 Sunday */
  weekday: number;
  /** local hour 0-23 */
  hour: number;
}

/** Local midnight (Bắc Kạn) of the Monday of t's week. */
export function mondayOf(t: number): number {
  const local = t + VN_OFFSET;
  const day = Math.floor(local / DAY) * DAY;
  const iso = ((new Date(day).getUTCDay() + 6) % 7) + 1;
  return day - (iso - 1) * DAY - VN_OFFSET;
}

/** "2026-W12": the ISO week of a local Monday. */
export function isoWeek(monday: number): string {
  const d = new Date(monday + VN_OFFSET + 3 * DAY); // its Thursday decides the year
  const year = d.getUTCFullYear();
  const jan4 = Date.UTC(year, 0, 4);
  const jan4Monday = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY;
  const week = Math.floor((monday + VN_OFFSET - jan4Monday) / (7 * DAY)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/**
 * The digest due at `now`, if any moment of this week's schedule has passed: it covers from now to the
 * end of next week (the weekend in between included).
 */
export function dueDigest(
  now: number,
  s: DigestSchedule,
): { week: string; sendAt: number; from: number; to: number } {
  const monday = mondayOf(now);
  const sendAt = monday + (s.weekday - 1) * DAY + s.hour * 3600_000;
  const next = monday + 7 * DAY;
  return { week: isoWeek(next), sendAt, from: now, to: next + 7 * DAY };
}

interface OrgShare {
  party: Party;
  items: { meeting: Meeting; sites: string[]; roles: Party['roles'] }[];
}

/** Per organisation, the meetings (and their sites) that concern it. */
export function sharesOf(
  inv: LoadedInventory,
  meetings: Meeting[],
  hosts?: HostDirectory,
): Map<string, OrgShare> {
  const out = new Map<string, OrgShare>();
  const noc = inv.inventory.network.noc;
  for (const m of meetings) {
    for (const p of audience(inv, m, hosts).values()) {
      if (!p.org) continue;
      let s = out.get(p.org);
      if (!s) {
        s = { party: { ...p, sites: [] }, items: [] };
        out.set(p.org, s);
      }
      for (const r of p.roles) if (!s.party.roles.includes(r)) s.party.roles.push(r);
      s.items.push({ meeting: m, sites: p.sites, roles: p.roles });
    }
  }
  const nocOrg = inv.organisations.get(noc);
  if (nocOrg && !out.has(noc))
    out.set(noc, {
      party: { key: `org:${noc}`, roles: ['noc'], org: noc, people: nocOrg.contacts, sites: [] },
      items: [],
    });
  return out;
}

export function digestMessage(
  inv: LoadedInventory,
  share: OrgShare,
  range: { from: number; to: number },
): { subject: string; body: string; short: string } {
  const org = inv.organisations.get(share.party.org ?? '');
  const span = `${viDate(range.from)} – ${viDate(range.to - 1)}`;
  const n = share.items.length;
  const vi: string[] = [
    `Kính gửi: ${org?.name ?? share.party.name ?? share.party.org}`,
    '',
    `Sở Thông tin và Truyền thông trân trọng thông báo lịch họp trực tuyến từ ${span} liên quan đến quý đơn vị (Điều 7.1.a): ${n} cuộc họp.`,
  ];
  const en: string[] = [`Online meetings from ${span} that concern you: ${n}.`];
  for (const { meeting: m, sites, roles } of share.items) {
    // what it does for this meeting decides whether it reads a restricted title
    const title = titleFor(m, { roles });
    const host = inv.organisations.get(m.host_org);
    vi.push(
      '',
      `* ${viDateTime(m.start)} – ${viTime(m.end)}: ${title.vi} (chủ trì: ${host?.name ?? m.host_org})`,
      `  Vận hành thử: ${TEST_RUNS.map((r) => `${r.vi} lúc ${viDateTime(m.start - r.lead)}`).join('; ')}`,
      `  Điểm cầu (${sites.length}):`,
      ...sites.map((s) => `    - ${siteLine(inv, s, { roles })}`),
    );
    en.push(`* ${enDateTime(m.start)}–${viTime(m.end)}: ${title.en}, ${sites.length} site(s)`);
  }
  if (n === 0) vi.push('', 'Không có cuộc họp nào trong thời gian này.');
  vi.push('', 'Từng cuộc họp đã được thông báo riêng khi đăng ký hoặc thay đổi.', '', 'Trân trọng./.');
  return {
    subject: `[diemcau] Lịch họp trực tuyến tuần tới (${span}): ${n} cuộc họp`,
    body: [...vi, '', '---', ...en].join('\n'),
    short: ascii(`Lich hop tuan toi ${span}: ${n} cuoc hop`).slice(0, 160),
  };
}

export class WeeklyDigest {
  constructor(
    private readonly db: StateDb,
    private readonly inv: LoadedInventory,
    private readonly meetings: DbMeetings,
    private readonly outbox: Outbox,
    private readonly schedule: DigestSchedule,
    private readonly log?: Logger,
    private readonly hosts?: HostDirectory,
  ) {}

  /** Sends this week's digest when its moment has passed and it was not sent; returns the week sent. */
  tick(now: number): string | null {
    const due = dueDigest(now, this.schedule);
    if (now < due.sendAt) return null;
    let sent = false;
    let messages = 0;
    // what is planned: a meeting waiting for the NOC's approval is not announced until approved
    const items = this.meetings.list({ from: due.from, to: due.to, status: 'confirmed' }).items;
    this.db.transaction(() => {
      const claim = this.db
        .prepare(
          'INSERT OR IGNORE INTO meeting_digests (week, sent_at, meetings, messages) VALUES (?, ?, ?, 0)',
        )
        .run(due.week, now, items.length);
      if (claim.changes === 0) return;
      sent = true;
      for (const [org, share] of sharesOf(this.inv, items, this.hosts)) {
        messages += enqueueForPeople(
          this.outbox,
          this.inv,
          share.party.people,
          `meeting-digest/${due.week}/${org}`,
          {
            ...digestMessage(this.inv, share, due),
            payload: { digest: due.week, org, meetings: share.items.map((i) => i.meeting.id) },
          },
          { webhook: org === this.inv.inventory.network.noc, emails: share.party.emails ?? [] },
        );
      }
      this.db.prepare('UPDATE meeting_digests SET messages = ? WHERE week = ?').run(messages, due.week);
    })();
    if (!sent) return null;
    this.log?.info({ week: due.week, meetings: items.length, messages }, 'weekly meeting digest queued');
    return due.week;
  }
}
