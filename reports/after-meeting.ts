// After every meeting: once its data has settled, the post-meeting quality report is made, kept, and
// sent to the host office and the NOC through the durable outbox — once per meeting, across restarts.
import type { Outbox } from '../alerts/outbox.ts';
import { isActive, type Runtime, type Service } from '../core/runtime.ts';
import { enqueueForPeople, meetingAudience } from '../meetings/notify.ts';
import { viDateTime, viTime } from '../meetings/time.ts';
import type { StateDb } from '../storage/state-db.ts';
import { type MeetingReport, meetingReport, type ReportDeps } from './meeting.ts';

export interface AfterMeetingOptions {
  outbox: Outbox;
  /** wait this long after the end, so the last poll rounds are stored (default 5 min) */
  settleMs?: number;
  /** meetings that ended longer ago than this are not reported at first start (default 7 days) */
  lookbackMs?: number;
  /** base URL of the NOC, for the link to the printable report */
  publicUrl?: string;
}

const pct = (v: number | null) => (v === null ? '—' : `${v.toLocaleString('vi-VN')} %`);
const hm = (t: number | null) => (t === null ? '—' : viTime(t));

/** The message to the host office and the NOC: what happened, site by site, then the link. */
export function reportMessage(r: MeetingReport, publicUrl?: string) {
  const m = r.meeting;
  const s = r.summary;
  const absent = r.sites.filter((x) => x.registered && x.attendance === 'absent');
  const dropped = r.sites.filter((x) => x.drops.length > 0);
  const lossy = r.sites.filter((x) => (x.lossy_minutes ?? 0) > 0.1);
  const uninvited = r.sites.filter((x) => !x.registered);
  const link = publicUrl
    ? `${publicUrl.replace(/\/$/, '')}/api/v1/reports/meetings/${m.id}?format=html`
    : null;
  const facts = [
    s.absent && `${s.absent} điểm cầu không kết nối`,
    s.drops && `${s.drops} lần rớt kết nối`,
    s.episodes && `${s.episodes} đợt sự cố kỹ thuật`,
    s.lossy_sites && `${s.lossy_sites} điểm cầu mất gói cao`,
    s.unknown && `${s.unknown} điểm cầu không có số liệu`,
    s.incidents && `${s.incidents} sự cố trong nhật ký`,
  ].filter((x): x is string => typeof x === 'string');
  const verdict = !r.held
    ? 'Không ghi nhận điểm cầu nào kết nối'
    : s.clean
      ? 'Không có sự cố'
      : facts.join(', ');
  const subject = `[diemcau] Báo cáo sau cuộc họp: ${s.present}/${s.sites} điểm cầu tham dự — ${verdict} — ${m.title}`;
  const lines = [
    `Cuộc họp: ${m.title}`,
    `Cơ quan chủ trì: ${m.host_org_name}`,
    `Thời gian: ${viDateTime(m.start)} – ${viDateTime(m.end)}`,
    `Điểm cầu tham dự: ${s.present}/${s.sites}${s.unknown ? ` (${s.unknown} không có số liệu)` : ''}`,
    `Tỷ lệ mất gói trung bình: ${pct(s.mean_loss_pct)}; MOS trung bình: ${s.mean_mos === null ? '—' : s.mean_mos.toLocaleString('vi-VN')} (trong thời gian kết nối)`,
    `Kết luận: ${verdict}.`,
    ...(absent.length ? ['', 'Điểm cầu không kết nối:', ...absent.map((x) => `- ${x.name}`)] : []),
    ...(dropped.length
      ? [
          '',
          'Rớt kết nối trong cuộc họp:',
          ...dropped.flatMap((x) =>
            x.drops.map((d) => `- ${x.name}: ${hm(d.at)}–${hm(d.back_at)} — ${d.cause.vi}`),
          ),
        ]
      : []),
    ...(r.episodes.length
      ? [
          '',
          'Sự cố kỹ thuật (đợt sự cố):',
          ...r.episodes.map(
            (e) =>
              `- ${e.title} (${e.cause_vi}${e.owner_name ? `, ${e.owner_name}` : ''}): ${hm(e.started_at)}–${hm(e.restored_at)}`,
          ),
        ]
      : []),
    ...(lossy.length
      ? ['', 'Điểm cầu mất gói trên 1 % quá 10 % thời gian kết nối:', ...lossy.map((x) => `- ${x.name}`)]
      : []),
    ...(uninvited.length
      ? [
          '',
          'Điểm cầu không có trong danh sách đăng ký (Điều 8.2.c):',
          ...uninvited.map((x) => `- ${x.name}`),
        ]
      : []),
    ...(s.incidents ? ['', `Sự cố đã ghi nhật ký (Điều 8.2.d): ${s.incidents}`] : []),
    ...(link ? ['', `Báo cáo đầy đủ (bản in): ${link}`] : []),
    '',
    '---',
    `Post-meeting report for "${m.title}": ${s.present}/${s.sites} sites attended, ${s.absent} never joined, ${s.drops} drop(s), ${s.episodes} fault episode(s), mean loss ${s.mean_loss_pct ?? '—'} %, mean MOS ${s.mean_mos ?? '—'} over connected time, ${s.incidents} incident(s)${s.clean ? '; no fault' : ''}.`,
    ...(link ? [`Full report: ${link}`] : []),
  ];
  const short =
    `Bao cao sau cuoc hop: ${s.present}/${s.sites} tham du, ${s.drops} lan rot, ${s.episodes} su co — ${m.title}`.slice(
      0,
      160,
    );
  return { subject, text: lines.join('\n'), short };
}

export class AfterMeeting {
  private busy = false;
  private readonly settleMs: number;
  private readonly lookbackMs: number;

  constructor(
    private readonly db: StateDb,
    private readonly deps: ReportDeps,
    private readonly o: AfterMeetingOptions,
  ) {
    this.settleMs = o.settleMs ?? 5 * 60_000;
    this.lookbackMs = o.lookbackMs ?? 7 * 86_400_000;
  }

  /** Meetings that ended (and settled) and have no report yet. */
  due(now = (this.deps.now ?? Date.now)()): string[] {
    const rows = this.db
      .prepare(
        `SELECT m.id FROM meetings m
         WHERE m.cancelled_at IS NULL AND m.end_at <= ? AND m.end_at > ?
           AND NOT EXISTS (SELECT 1 FROM meeting_reports r WHERE r.meeting_id = m.id)
         ORDER BY m.end_at`,
      )
      .all(now - this.settleMs, now - this.lookbackMs) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /** Makes, keeps and sends the report of every meeting due; a tick during another does nothing. */
  async tick(): Promise<MeetingReport[]> {
    if (this.busy) return [];
    this.busy = true;
    try {
      const out: MeetingReport[] = [];
      for (const id of this.due()) {
        const report = await meetingReport(this.deps, id);
        const kept = this.db
          .prepare(
            'INSERT INTO meeting_reports (meeting_id, at, report) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
          )
          .run(id, report.generated_at, JSON.stringify(report));
        if (kept.changes === 0) continue;
        const msg = reportMessage(report, this.o.publicUrl);
        const m = this.deps.meetings.require(id);
        enqueueForPeople(
          this.o.outbox,
          this.deps.inventory,
          meetingAudience(this.deps.inventory, m),
          `report/${id}`,
          {
            subject: msg.subject,
            body: msg.text,
            short: msg.short,
            payload: { meeting: id, summary: report.summary },
          },
        );
        out.push(report);
      }
      return out;
    } finally {
      this.busy = false;
    }
  }
}

/** The after-meeting reporter as a service: looks for ended meetings every `tickMs` (default 1 min). */
export function startAfterMeeting(
  rt: Runtime,
  deps: ReportDeps,
  o: AfterMeetingOptions & { tickMs?: number },
): AfterMeeting & Service {
  const log = rt.log.child({ service: 'after-meeting' });
  const a = new AfterMeeting(rt.state, deps, o);
  const timer = setInterval(() => {
    // two servers: the active one reports, the standby receives its rows (core/runtime.ts)
    if (!isActive(rt)) return;
    a.tick()
      .then((done) => {
        for (const r of done)
          log.info({ meeting: r.meeting.id, summary: r.summary }, 'post-meeting report sent');
      })
      .catch((err) => log.error({ err }, 'post-meeting report failed'));
  }, o.tickMs ?? 60_000);
  timer.unref?.();
  return Object.assign(a, {
    name: 'after-meeting',
    async stop() {
      clearInterval(timer);
    },
  });
}
