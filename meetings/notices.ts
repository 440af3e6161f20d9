// Meeting notices (Điều 7.1.a): on registration, change and cancellation, everyone who must prepare —
// technicians, carriers, Điện lực branches, the MCU team, the host office, the NOC (meetings/audience.ts)
// — gets one message through the durable outbox, about their own sites only. A change goes to the
// parties whose share changed (old → new), to the newly concerned and to those no longer concerned; a
// cancellation to everyone told before (the meeting_audience table). Keys name the meeting's revision,
// so a retried or replayed event never sends twice.
import type { Outbox } from '../alerts/outbox.ts';
import type { Logger } from '../core/log.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import type { StateDb } from '../storage/state-db.ts';
import { type AudienceRole, audience, type Party, seesTitle } from './audience.ts';
import type { HostDirectory } from './hosts.ts';
import { enqueueForPeople } from './notify.ts';
import { type Meeting, type MeetingChange, RESTRICTED_TITLE } from './store.ts';

export { RESTRICTED_TITLE };

import { viDate, viDateTime, viTime } from './time.ts';

const HOUR = 3600_000;
/** the two test runs of Điều 7.1.b, as meetings/readiness.ts schedules them */
export const TEST_RUNS = [
  { lead: 12 * HOUR, vi: 'trước 1/2 ngày', en: 'half a day before' },
  { lead: HOUR, vi: 'trước 01 giờ', en: 'one hour before' },
] as const;

export type NoticeKind = 'registered' | 'added' | 'changed' | 'dropped' | 'cancelled';

/** One line of a change notice: what it was and what it is. */
export interface ChangeLine {
  vi: string;
  en: string;
}

export interface Notice {
  kind: NoticeKind;
  meeting: Meeting;
  party: Party;
  /** for 'changed' and 'added': what changed that concerns this party */
  changes?: ChangeLine[];
  /** when the notice is written: test runs already past are not announced (an emergency registered late) */
  at?: number;
}

/** The test runs still ahead at `at`, in both languages; past ones are left out, and said so when none is left. */
export function testRunLines(m: Pick<Meeting, 'start'>, at = Number.NEGATIVE_INFINITY): ChangeLine {
  const ahead = TEST_RUNS.filter((r) => m.start - r.lead > at);
  if (ahead.length === 0)
    return {
      vi: 'đã qua các mốc vận hành thử; đề nghị kiểm tra điểm cầu ngay khi nhận thông báo này',
      en: 'too late for the scheduled test runs: check the sites as soon as you read this',
    };
  return {
    vi: ahead.map((r) => `${r.vi} lúc ${viDateTime(m.start - r.lead)}`).join('; '),
    en: ahead.map((r) => `${r.en} at ${enDateTime(m.start - r.lead)}`).join('; '),
  };
}

/** "10/03/2026 08:00" — the English half's date and time (Bắc Kạn time). */
export function enDateTime(t: number): string {
  return `${viDate(t)} ${viTime(t)}`;
}

/** Letters without diacritics, for the short (SMS) form. */
export function ascii(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D');
}

export function titleFor(m: Pick<Meeting, 'title' | 'restricted'>, p: Pick<Party, 'roles'>) {
  return !m.restricted || seesTitle(p) ? { vi: m.title, en: m.title } : RESTRICTED_TITLE;
}

function partyName(inv: LoadedInventory, p: Party): string {
  if (p.org) return inv.organisations.get(p.org)?.name ?? p.name ?? p.org;
  const id = p.people[0] ?? '';
  return inv.people.get(id)?.name ?? id;
}

/** A site as this party needs it: carriers get the circuit, the MCU team the port. */
export function siteLine(inv: LoadedInventory, id: string, p: Pick<Party, 'roles'>): string {
  const s = inv.sites.get(id);
  if (!s) return id;
  const district = inv.districts.get(s.district)?.name ?? s.district;
  const parts = [`${s.name} (${district})`];
  if (p.roles.includes('carrier'))
    parts.push(
      `kênh / circuit ${s.link.circuit}, ${s.link.carrier.toUpperCase()} ${s.link.bandwidth_mbps} Mbps`,
    );
  if (p.roles.includes('mcu') && s.mcu_port !== undefined) parts.push(`cổng MCU / MCU port ${s.mcu_port}`);
  return parts.join(' — ');
}

const DUTY: Record<AudienceRole, ChangeLine> = {
  technician: {
    vi: 'Đề nghị đồng chí kiểm tra thiết bị tại điểm cầu (âm thanh, hình ảnh, đường truyền, nguồn điện và UPS), có mặt vận hành thử vào hai thời điểm trên cùng cán bộ kỹ thuật điểm cầu chính và doanh nghiệp viễn thông, và trực kỹ thuật trong suốt cuộc họp (Điều 7.1.b, 7.2).',
    en: "Please check the site's equipment (sound, picture, link, power and UPS), take part in both test runs above with the main site and the carrier, and stay on duty throughout the meeting.",
  },
  carrier: {
    vi: 'Đề nghị quý đơn vị bảo đảm đường truyền các kênh nêu trên và cử cán bộ kỹ thuật thường trực xử lý sự cố trước, trong và sau cuộc họp, kể cả hai lần vận hành thử (Điều 14.1.e, 14.2.b).',
    en: 'Please keep the circuits above up and have a technician on call before, during and after the meeting, including both test runs.',
  },
  power: {
    vi: 'Đề nghị quý đơn vị bảo đảm nguồn điện cho các điểm cầu nêu trên trước, trong và sau cuộc họp; không bố trí cắt điện theo kế hoạch từ lần vận hành thử thứ nhất đến khi cuộc họp kết thúc (Điều 14, Công ty Điện lực Bắc Kạn).',
    en: 'Please keep power to the sites above before, during and after the meeting, with no planned outage from the first test run until the meeting ends.',
  },
  mcu: {
    vi: 'Đề nghị tổ vận hành MCU chuẩn bị phòng họp cho các điểm cầu nêu trên, tham gia vận hành thử và theo dõi hệ thống trong suốt cuộc họp (Điều 8.1, 14.1).',
    en: 'Please prepare the MCU conference for the sites above, take part in the test runs and watch the system throughout the meeting.',
  },
  host: {
    vi: 'Đề nghị cơ quan chủ trì phân công cán bộ phối hợp với Sở Thông tin và Truyền thông và các điểm cầu trong vận hành thử và trong suốt cuộc họp (Điều 13.4).',
    en: 'Please name an officer to work with the Department and the sites during the test runs and the meeting.',
  },
  noc: {
    vi: 'Đề nghị bộ phận trực điều phối vận hành thử và theo dõi các điểm cầu trong suốt cuộc họp.',
    en: 'NOC on duty: coordinate the test runs and watch the sites throughout the meeting.',
  },
};

const HEADLINE: Record<NoticeKind, ChangeLine> = {
  registered: { vi: 'Thông báo cuộc họp trực tuyến', en: 'Online meeting notice' },
  added: {
    vi: 'Thông báo bổ sung tham gia cuộc họp trực tuyến',
    en: 'You are now part of an online meeting',
  },
  changed: { vi: 'Thay đổi cuộc họp trực tuyến', en: 'Online meeting changed' },
  dropped: { vi: 'Không còn tham gia cuộc họp trực tuyến', en: 'No longer part of an online meeting' },
  cancelled: { vi: 'Hủy cuộc họp trực tuyến', en: 'Online meeting cancelled' },
};

const INTRO: Record<NoticeKind, string> = {
  registered: 'thông báo cuộc họp trực tuyến sau',
  added: 'thông báo bổ sung quý đơn vị, đồng chí tham gia phục vụ cuộc họp trực tuyến sau',
  changed: 'thông báo thay đổi cuộc họp trực tuyến sau',
  dropped: 'thông báo các điểm cầu dưới đây không còn tham gia cuộc họp trực tuyến sau',
  cancelled: 'thông báo hủy cuộc họp trực tuyến sau',
};

/** The message one party gets: Vietnamese first, English second; only its sites; the title unless restricted. */
export function noticeMessage(
  inv: LoadedInventory,
  n: Notice,
): { subject: string; body: string; short: string } {
  const { meeting: m, party: p, kind } = n;
  const title = titleFor(m, p);
  const host = inv.organisations.get(m.host_org);
  const head = HEADLINE[kind];
  const sites = p.sites.map((s) => `  - ${siteLine(inv, s, p)}`);
  const { vi: runs, en: runsEn } = testRunLines(m, n.at);
  const showReason = kind === 'cancelled' && m.cancel_reason && (!m.restricted || seesTitle(p));
  const vi = [
    `Kính gửi: ${partyName(inv, p)}`,
    '',
    `Sở Thông tin và Truyền thông trân trọng ${INTRO[kind]} (Điều 7.1.a Quy chế hội nghị truyền hình trực tuyến tỉnh Bắc Kạn):`,
    `- Cuộc họp: ${title.vi}`,
    `- Cơ quan chủ trì: ${host?.name ?? m.host_org}`,
    `- Thời gian: ${viDateTime(m.start)} đến ${viDateTime(m.end)} (giờ Việt Nam)`,
    ...(m.main_site ? [`- Điểm cầu chính (Điều 2.5): ${siteLine(inv, m.main_site, { roles: [] })}`] : []),
    ...(kind === 'cancelled' || kind === 'dropped' ? [] : [`- Vận hành thử (Điều 7.1.b): ${runs}`]),
    `- ${kind === 'dropped' ? 'Điểm cầu không còn tham gia' : 'Điểm cầu liên quan'} (${p.sites.length}):`,
    ...sites,
    ...(n.changes?.length ? ['- Nội dung thay đổi:', ...n.changes.map((c) => `  - ${c.vi}`)] : []),
    ...(showReason ? [`- Lý do hủy: ${m.cancel_reason}`] : []),
    '',
    kind === 'cancelled'
      ? 'Cuộc họp đã bị hủy: không cần chuẩn bị, vận hành thử hay giữ lịch cấp điện, đường truyền cho cuộc họp này.'
      : kind === 'dropped'
        ? 'Các điểm cầu trên không còn tham gia cuộc họp; không cần chuẩn bị cho các điểm cầu này.'
        : p.roles.map((r) => DUTY[r].vi).join('\n'),
    '',
    'Trân trọng./.',
  ];
  const en = [
    `${head.en}: "${title.en}", hosted by ${host?.name_en ?? host?.name ?? m.host_org}.`,
    `Time: ${enDateTime(m.start)} to ${enDateTime(m.end)} (Vietnam time).`,
    ...(m.main_site ? [`Main site: ${inv.sites.get(m.main_site)?.name ?? m.main_site}.`] : []),
    ...(kind === 'cancelled' || kind === 'dropped' ? [] : [`Test runs: ${runsEn}.`]),
    `${kind === 'dropped' ? 'Sites no longer in the meeting' : 'Your sites'}: ${p.sites.length}.`,
    ...(n.changes?.length ? ['Changes:', ...n.changes.map((c) => `  - ${c.en}`)] : []),
    kind === 'cancelled'
      ? 'Nothing to prepare.'
      : kind === 'dropped'
        ? 'Nothing to prepare for these sites.'
        : p.roles.map((r) => DUTY[r].en).join(' '),
  ];
  const subject = `[diemcau] ${head.vi} ${viDateTime(m.start)}: ${title.vi}`;
  const short = ascii(
    `${head.vi} ${viTime(m.start)} ${viDate(m.start)}: ${title.vi} (${p.sites.length} diem cau)`,
  );
  return { subject, body: [...vi, '', '---', ...en].join('\n'), short: short.slice(0, 160) };
}

function siteNames(inv: LoadedInventory, ids: string[]): string {
  return ids.map((s) => inv.sites.get(s)?.name ?? s).join(', ');
}

/** What changed in the meeting itself (time, title, confidentiality), as the party may read it. */
export function meetingChanges(before: Meeting, after: Meeting, p: Pick<Party, 'roles'>): ChangeLine[] {
  const out: ChangeLine[] = [];
  if (before.start !== after.start || before.end !== after.end)
    out.push({
      vi: `Thời gian: ${viDateTime(before.start)} – ${viTime(before.end)} → ${viDateTime(after.start)} – ${viTime(after.end)}`,
      en: `Time: ${enDateTime(before.start)}–${viTime(before.end)} → ${enDateTime(after.start)}–${viTime(after.end)}`,
    });
  if (before.title !== after.title && seesTitle(p))
    out.push({
      vi: `Tên cuộc họp: "${before.title}" → "${after.title}"`,
      en: `Title: "${before.title}" → "${after.title}"`,
    });
  if (before.restricted !== after.restricted && seesTitle(p))
    out.push(
      after.restricted
        ? { vi: 'Cuộc họp được chuyển sang hạn chế (mật)', en: 'The meeting is now restricted' }
        : { vi: 'Cuộc họp không còn hạn chế', en: 'The meeting is no longer restricted' },
    );
  return out;
}

interface AudienceRow {
  party: string;
  roles: string;
  sites: string;
}

/**
 * Turns the store's changes into notices (subscribe `handle` with DbMeetings.onChange) and keeps the
 * audience each meeting was last told to.
 */
export class MeetingNotices {
  constructor(
    private readonly db: StateDb,
    private readonly inv: LoadedInventory,
    private readonly outbox: Outbox,
    private readonly log?: Logger,
    private readonly now: () => number = Date.now,
    private readonly hosts?: HostDirectory,
  ) {}

  /** The parties told of a meeting, as last told (empty when it was never announced). */
  told(meetingId: string): Map<string, Party> {
    const rows = this.db
      .prepare('SELECT party, roles, sites FROM meeting_audience WHERE meeting_id = ?')
      .all(meetingId) as AudienceRow[];
    return new Map(rows.map((r) => [r.party, this.party(r)]));
  }

  private party(r: AudienceRow): Party {
    const [kind, id] = r.party.split(':') as [string, string];
    const org = kind === 'org' ? id : null;
    const roles = JSON.parse(r.roles) as AudienceRole[];
    const sites = JSON.parse(r.sites) as string[];
    // a host reads as the catalogue has it now (as audience() does)
    const host = org && roles.includes('host') ? this.hosts?.recipients(org) : null;
    if (org && host)
      return {
        key: r.party,
        roles,
        org,
        people: host.people,
        ...(host.emails.length ? { emails: host.emails } : {}),
        ...(this.inv.organisations.has(org) ? {} : { name: host.name }),
        sites,
      };
    return {
      key: r.party,
      roles,
      org,
      people: org ? (this.inv.organisations.get(org)?.contacts ?? []) : [id],
      sites,
    };
  }

  /** Queues the notices for one change; never throws (a failure is logged, the change stands). */
  handle = (c: MeetingChange): number => {
    try {
      return this.notices(c);
    } catch (err) {
      this.log?.error({ err, meeting: c.meeting.id, change: c.kind }, 'meeting notices not queued');
      return 0;
    }
  };

  /** The notices of a change, queued; returns how many outbox rows were added. */
  notices(c: MeetingChange): number {
    const m = c.meeting;
    const now = audience(this.inv, m, this.hosts);
    const notes: Notice[] = [];
    if (c.kind === 'registered') {
      for (const p of now.values()) notes.push({ kind: 'registered', meeting: m, party: p });
    } else if (c.kind === 'cancelled') {
      const told = this.told(m.id);
      for (const p of (told.size ? told : now).values())
        notes.push({ kind: 'cancelled', meeting: m, party: p });
    } else {
      const told = this.told(m.id);
      const before = c.before ?? m;
      for (const p of now.values()) {
        const was = told.get(p.key);
        const common = meetingChanges(before, m, p);
        if (!was) {
          notes.push({ kind: 'added', meeting: m, party: p, changes: common });
          continue;
        }
        const added = p.sites.filter((s) => !was.sites.includes(s));
        const removed = was.sites.filter((s) => !p.sites.includes(s));
        const changes = [
          ...common,
          ...(added.length
            ? [
                {
                  vi: `Điểm cầu bổ sung: ${siteNames(this.inv, added)}`,
                  en: `Sites added: ${added.length}`,
                },
              ]
            : []),
          ...(removed.length
            ? [
                {
                  vi: `Điểm cầu không còn tham gia: ${siteNames(this.inv, removed)}`,
                  en: `Sites no longer in the meeting: ${removed.length}`,
                },
              ]
            : []),
        ];
        if (changes.length) notes.push({ kind: 'changed', meeting: m, party: p, changes });
      }
      for (const p of told.values())
        if (!now.has(p.key)) notes.push({ kind: 'dropped', meeting: m, party: p });
    }
    let n = 0;
    const version = c.kind === 'cancelled' ? 'cancel' : `v${c.revision}`;
    const at = this.now();
    this.db.transaction(() => {
      for (const note of notes) {
        const msg = noticeMessage(this.inv, { ...note, at });
        n += enqueueForPeople(
          this.outbox,
          this.inv,
          note.party.people,
          `meeting/${m.id}/${version}/${note.party.key}`,
          {
            ...msg,
            payload: {
              meeting: m.id,
              notice: note.kind,
              party: note.party.key,
              roles: note.party.roles,
              sites: note.party.sites,
            },
          },
          // the webhook (the NOC's own integration) hears each change once, with the NOC's message
          { webhook: note.party.roles.includes('noc'), emails: note.party.emails ?? [] },
        );
      }
      if (c.kind !== 'cancelled') this.remember(m.id, now);
    })();
    this.log?.info(
      { meeting: m.id, change: c.kind, parties: notes.length, messages: n },
      'meeting notices queued',
    );
    return n;
  }

  private remember(meetingId: string, parties: Map<string, Party>): void {
    const at = this.now();
    this.db.prepare('DELETE FROM meeting_audience WHERE meeting_id = ?').run(meetingId);
    const ins = this.db.prepare(
      'INSERT INTO meeting_audience (meeting_id, party, roles, sites, told_at) VALUES (?, ?, ?, ?, ?)',
    );
    for (const p of parties.values())
      ins.run(meetingId, p.key, JSON.stringify(p.roles), JSON.stringify(p.sites), at);
  }
}
