// When a six-month period (01/01–30/06, 01/07–31/12, Bắc Kạn time) or a year closes, its report is
// made, numbered, rendered as the filed Word document and e-mailed with the .docx attached to the
// configured recipients through the durable outbox — once per period, across restarts (a row in
// period_reports, written in the same transaction as the outbox rows).
import type { Outbox, OutboxItem } from '../alerts/outbox.ts';
import type { Config } from '../config/config.ts';
import { parseDuration } from '../config/config.ts';
import { isActive, type Runtime, type Service } from '../core/runtime.ts';
import { localParts } from '../core/time.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import { parseLocalTime, viDate } from '../meetings/time.ts';
import type { StateDb } from '../storage/state-db.ts';
import type { OfficeDetails } from './document.ts';
import { periodDocument } from './documents.ts';
import { documentDocx } from './docx.ts';
import { CONTENT_TYPES, FILE_NAMES, officeFrom } from './files.ts';
import type { ReportDeps } from './meeting.ts';
import { documentNumber } from './numbering.ts';
import { type PeriodReport, periodReport } from './period.ts';

export interface ClosedPeriod {
  /** "six-month/2026-01-01", "yearly/2026-01-01": the period_reports key and the document's */
  key: string;
  kind: 'six-month' | 'yearly';
  /** local date of the first day, "2026-01-01" */
  start: string;
  from: number;
  to: number;
}

export interface PeriodDeliveryOptions {
  outbox: Outbox;
  office: OfficeDetails;
  numbering: 'blank' | 'auto';
  /** people or organisations of the inventory, or e-mail addresses; empty: the NOC's contacts */
  to: string[];
  /** wait this long after the period closes (default 30 min) */
  settleMs?: number;
  /** periods that closed longer ago than this are not sent at start (default 31 days) */
  lookbackMs?: number;
  publicUrl?: string;
  log?: { warn(o: object, msg: string): void };
}

/** Where the reports go: e-mail addresses, each with the person it is for (null: a bare address). */
export function periodRecipients(
  inv: LoadedInventory,
  to: string[],
): { address: string; person: string | null }[] {
  const people = new Set<string>();
  const bare = new Set<string>();
  const list = to.length ? to : [inv.inventory.network.noc];
  for (const id of list) {
    if (id.includes('@')) bare.add(id);
    else if (inv.people.has(id)) people.add(id);
    else if (inv.organisations.has(id))
      for (const p of inv.organisations.get(id)!.contacts ?? []) people.add(p);
    else
      throw new Error(
        `reports.delivery.to: "${id}" is neither a person nor an organisation of the inventory, nor an e-mail address; fix the id or remove it`,
      );
  }
  const out: { address: string; person: string | null }[] = [];
  for (const pid of people) {
    const email = inv.people.get(pid)?.channels.email;
    if (email) out.push({ address: email, person: pid });
  }
  for (const a of bare) if (!out.some((o) => o.address === a)) out.push({ address: a, person: null });
  return out;
}

/** The six-month periods and years that closed at or before `until` and after `since`, oldest first. */
export function closedPeriods(since: number, until: number): ClosedPeriod[] {
  const year = Number(localParts(until).y);
  const out: ClosedPeriod[] = [];
  for (const y of [year - 1, year]) {
    const d = (yy: number, mm: string) => `${yy}-${mm}-01`;
    const spans: [ClosedPeriod['kind'], string, string][] = [
      ['six-month', d(y, '01'), d(y, '07')],
      ['six-month', d(y, '07'), d(y + 1, '01')],
      ['yearly', d(y, '01'), d(y + 1, '01')],
    ];
    for (const [kind, start, end] of spans) {
      const from = parseLocalTime(start);
      const to = parseLocalTime(end);
      if (from === null || to === null || to > until || to <= since) continue;
      out.push({ key: `${kind}/${start}`, kind, start, from, to });
    }
  }
  return out.sort((a, b) => a.to - b.to || (a.kind === 'six-month' ? -1 : 1));
}

export function periodMessage(r: PeriodReport, title: string, filename: string, link: string | null) {
  const range = `${viDate(r.from)} – ${viDate(r.to - 1)}`;
  const subject = `[diemcau] Báo cáo ${title.charAt(0).toLowerCase()}${title.slice(1)}`;
  const avail = r.availability.by_tier
    .filter((t) => t.mean !== null)
    .map((t) => `${t.tier}: ${(t.mean! * 100).toLocaleString('vi-VN', { maximumFractionDigits: 2 })} %`);
  const lines = [
    `Kỳ báo cáo: ${range}.`,
    `Số cuộc họp: ${r.meetings.total} (đột xuất: ${r.meetings.emergency}); sự cố: ${r.incidents.total} (chưa khắc phục: ${r.incidents.open}).`,
    ...(avail.length ? [`Tỷ lệ sẵn sàng trung bình theo cấp — ${avail.join('; ')}.`] : []),
    '',
    `Báo cáo (văn bản Word để trình ký) đính kèm: ${filename}`,
    ...(link ? [`Bản JSON / bản in: ${link}`] : []),
    '',
    '---',
    `${r.kind === 'yearly' ? 'Yearly' : 'Six-month'} report ${range}: ${r.meetings.total} meetings, ${r.incidents.total} incidents. The Word document to sign is attached.`,
  ];
  const short = `Bao cao ${r.kind === 'yearly' ? 'nam' : '06 thang'} ${range}: ${r.meetings.total} cuoc hop`;
  return { subject, text: lines.join('\n'), short: short.slice(0, 160) };
}

export class PeriodDelivery {
  private busy = false;
  private warned = false;
  private readonly recipients: { address: string; person: string | null }[];
  private readonly settleMs: number;
  private readonly lookbackMs: number;

  constructor(
    private readonly db: StateDb,
    private readonly deps: ReportDeps,
    private readonly o: PeriodDeliveryOptions,
  ) {
    this.recipients = periodRecipients(deps.inventory, o.to);
    this.settleMs = o.settleMs ?? 30 * 60_000;
    this.lookbackMs = o.lookbackMs ?? 31 * 86_400_000;
  }

  /** Periods closed (and settled) within the lookback that were not sent yet. */
  due(now = (this.deps.now ?? Date.now)()): ClosedPeriod[] {
    const sent = this.db.prepare('SELECT 1 FROM period_reports WHERE period_key = ?');
    return closedPeriods(now - this.lookbackMs, now - this.settleMs).filter((p) => !sent.get(p.key));
  }

  /** Makes and sends the report of every period due; a tick during another does nothing. */
  async tick(): Promise<PeriodReport[]> {
    if (this.busy) return [];
    if (!this.o.outbox.has('email')) {
      if (!this.warned)
        this.o.log?.warn({}, 'six-month and yearly reports are not e-mailed: notify.email is not configured');
      this.warned = true;
      return [];
    }
    this.busy = true;
    try {
      const out: PeriodReport[] = [];
      for (const p of this.due()) {
        const report = await periodReport(this.deps, p.kind, p.from, p.to);
        const issued = documentNumber(this.db, this.o.numbering, p.key, report.generated_at);
        const doc = periodDocument(report, this.o.office, 'vi', issued);
        const docx = await documentDocx(doc);
        const filename = `${FILE_NAMES[p.kind](p.start, 'vi')}.docx`;
        const link = this.o.publicUrl
          ? `${this.o.publicUrl.replace(/\/$/, '')}/api/v1/reports/${p.kind}?from=${p.start}&format=html`
          : null;
        const msg = periodMessage(report, doc.title, filename, link);
        const items: OutboxItem[] = this.recipients.map((r) => ({
          key: `period-report/${p.key}/email/${r.person ?? r.address}`,
          channel: 'email',
          recipient: r.address,
          person: r.person,
          alertId: null,
          kind: 'digest',
          subject: msg.subject,
          body: msg.text,
          short: msg.short,
          payload: { period: p.key, kind: p.kind, from: p.from, to: p.to, number: issued.number },
          attachments: [{ filename, contentType: CONTENT_TYPES.docx, content: docx }],
        }));
        const kept = this.db.transaction(() => {
          const ins = this.db
            .prepare(
              `INSERT INTO period_reports (period_key, kind, from_at, to_at, at, report) VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT DO NOTHING`,
            )
            .run(p.key, p.kind, p.from, p.to, report.generated_at, JSON.stringify(report));
          if (ins.changes > 0) this.o.outbox.enqueue(items);
          return ins.changes > 0;
        })();
        if (kept) out.push(report);
      }
      return out;
    } finally {
      this.busy = false;
    }
  }
}

/** The options of the configuration's `reports:` section. */
export function deliveryOptions(config: Config, outbox: Outbox): PeriodDeliveryOptions {
  const r = config.reports;
  return {
    outbox,
    office: officeFrom(r),
    numbering: r.numbering,
    to: r.delivery.to,
    settleMs: parseDuration(r.delivery.settle),
    ...(config.http.public_url && { publicUrl: config.http.public_url }),
  };
}

/** The delivery as a service: checks every `tickMs` (default 10 min), the first time after `firstMs` (1 min). */
export function startPeriodDelivery(
  rt: Runtime,
  deps: ReportDeps,
  o: PeriodDeliveryOptions & { tickMs?: number; firstMs?: number },
): PeriodDelivery & Service {
  const log = rt.log.child({ service: 'period-reports' });
  const d = new PeriodDelivery(rt.state, deps, { log, ...o });
  const run = () =>
    // two servers: the active one delivers, the standby receives its rows (core/runtime.ts)
    !isActive(rt)
      ? Promise.resolve()
      : d
          .tick()
          .then((done) => {
            for (const r of done)
              log.info({ kind: r.kind, from: r.from, to: r.to }, 'period report e-mailed');
          })
          .catch((err) => log.error({ err }, 'period report failed'));
  let timer: NodeJS.Timeout | null = null;
  const first = setTimeout(() => {
    void run();
    timer = setInterval(run, o.tickMs ?? 600_000);
    timer.unref?.();
  }, o.firstMs ?? 60_000);
  first.unref?.();
  return Object.assign(d, {
    name: 'period-reports',
    async stop() {
      clearTimeout(first);
      if (timer) clearInterval(timer);
    },
  });
}
