// The calls the MCU carried as observed (api/routes/calls.ts), the post-meeting report's observed
// session (reports/meeting.ts) and the period reports' logbook and compliance figures
// (reports/period.ts): the server's types and the small pure helpers the meetings, meeting and
// reports pages share.

import type { Meeting } from '../../../api/contract.ts';
import { TZ } from '../../../core/time.ts';
import type { CallKind, ObservedCall, ObservedLeg } from '../../../meetings/observed.ts';
// The server's own types: these imports are erased at build time.
import type { Compliance } from '../../../reports/compliance.ts';
import type { HeldKind } from '../../../reports/logbook.ts';
import type { MeetingReport } from '../../../reports/meeting.ts';
import type { PeriodReport } from '../../../reports/period.ts';
import type { Key } from './i18n.svelte.ts';

export type { CallKind, ObservedCall, ObservedLeg } from '../../../meetings/observed.ts';
export type { Compliance } from '../../../reports/compliance.ts';
export type { HeldKind, LogbookRow, NotHeld } from '../../../reports/logbook.ts';
export type {
  Drop,
  DropCause,
  EpisodeLine,
  LegLine,
  MeetingReport,
  SiteQuality,
} from '../../../reports/meeting.ts';
export type { PeriodReport } from '../../../reports/period.ts';

/** What the NOC may say an unregistered call was (POST /calls/{id}/classify). */
export type ClassifyKind = 'registered' | 'central' | 'district_hosted' | 'unregistered';
export const CLASSIFY_KINDS: readonly ClassifyKind[] = [
  'registered',
  'central',
  'district_hosted',
  'unregistered',
];

// Values repeated here rather than imported: meetings/ and reports/ would pull server code into the bundle.
export const CALL_KIND_KEY: Record<CallKind, Key> = {
  registered: 'callkind_registered',
  test: 'callkind_test',
  unregistered: 'callkind_unregistered',
  central: 'callkind_central',
  district_hosted: 'callkind_district_hosted',
};
export const HELD_KINDS: readonly HeldKind[] = [
  'registered',
  'emergency',
  'unregistered',
  'central',
  'district_hosted',
];
export const HELD_KIND_KEY: Record<HeldKind, Key> = {
  registered: 'callkind_registered',
  emergency: 'callkind_emergency',
  unregistered: 'callkind_unregistered',
  central: 'callkind_central',
  district_hosted: 'callkind_district_hosted',
};
export const CLASSIFY_KEY: Record<ClassifyKind, Key> = {
  registered: 'call_kind_attach',
  central: 'call_kind_central',
  district_hosted: 'call_kind_district_hosted',
  unregistered: 'call_kind_unregistered',
};

/** a registered meeting this close before or after a call may still be the one it was */
export const OVERLAP_SLACK_MS = 30 * 60_000;

/** Live calls first (oldest start first), then ended ones, newest first. */
export function liveFirst(calls: readonly ObservedCall[]): ObservedCall[] {
  return [...calls].sort((a, b) => {
    const la = a.ended_at === null;
    const lb = b.ended_at === null;
    if (la !== lb) return la ? -1 : 1;
    return la ? a.started_at - b.started_at : b.started_at - a.started_at;
  });
}

/**
 * The registered meetings a call may be attached to: not cancelled, and their time (with
 * OVERLAP_SLACK_MS either side) overlaps the call's; the nearest start first.
 */
export function overlappingMeetings<M extends Pick<Meeting, 'start' | 'end' | 'cancelled_at'>>(
  call: ObservedCall,
  meetings: readonly M[],
  now: number,
): M[] {
  const end = call.ended_at ?? now;
  return meetings
    .filter(
      (m) =>
        m.cancelled_at === null &&
        m.start - OVERLAP_SLACK_MS < end &&
        m.end + OVERLAP_SLACK_MS > call.started_at,
    )
    .sort((a, b) => Math.abs(a.start - call.started_at) - Math.abs(b.start - call.started_at));
}

/** The legs of registered meetings' calls made by sites that were not registered for them (Điều 8.2.c). */
export function flaggedLegs(calls: readonly ObservedCall[]): { call: ObservedCall; leg: ObservedLeg }[] {
  const out: { call: ObservedCall; leg: ObservedLeg }[] = [];
  for (const call of calls) for (const leg of call.legs) if (leg.unregistered_site) out.push({ call, leg });
  return out.sort((a, b) => b.leg.joined_at - a.leg.joined_at);
}

/** The distinct sites of a call, in order of first joining. */
export function callSites(call: ObservedCall): string[] {
  return [...new Set(call.legs.map((l) => l.site))];
}

const HCM_TIME = new Intl.DateTimeFormat('en-GB', {
  timeZone: TZ,
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
const HCM_DATE = new Intl.DateTimeFormat('en-GB', {
  timeZone: TZ,
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
});

/** "08:05": Bắc Kạn's time (UTC+7) of day, whatever zone the browser is in. */
export function fmtHcmTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  return HCM_TIME.format(new Date(ms));
}

/** "10/03/2026": Bắc Kạn's date. */
export function fmtHcmDate(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  return HCM_DATE.format(new Date(ms));
}

/** 0.9876 → "98,8 %" (vi) / "98.8 %" (en), a no-break space before the sign; null → "—". */
export function fmtShare(share: number | null | undefined, lang: 'vi' | 'en', digits = 1): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '—';
  const v = (share * 100).toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', {
    maximumFractionDigits: digits,
  });
  return `${v}\u00a0%`;
}

/** The readiness pass rate over the required runs (T-12h and T-1h): ready site checks / site checks. */
export function readinessPassRate(c: Pick<Compliance, 'readiness'>): {
  ready: number;
  checks: number;
  share: number | null;
} {
  let ready = 0;
  let checks = 0;
  for (const s of c.readiness.slots) {
    if (s.slot === 'manual') continue;
    ready += s.ready_checks;
    checks += s.site_checks;
  }
  return { ready, checks, share: checks ? ready / checks : null };
}

/** The meeting report is there to read once the meeting has started (and was not cancelled). */
export function hasSession(m: Pick<Meeting, 'start' | 'cancelled_at'>, now: number): boolean {
  return m.cancelled_at === null && m.start <= now;
}

/** `/api/v1/…?…&format=docx&lang=vi`: a report's filed document. */
export function documentUrl(
  base: string,
  path: string,
  format: 'docx' | 'pdf' | 'csv',
  lang: 'vi' | 'en',
): string {
  const sep = path.includes('?') ? (path.endsWith('?') || path.endsWith('&') ? '' : '&') : '?';
  return `${base}${path}${sep}format=${format}&lang=${lang}`;
}

/** A period report's summary as the reports page reads it. */
export type PeriodSummary = PeriodReport;
export type MeetingSummary = MeetingReport;

type SiteRow = MeetingReport['sites'][number];

/**
 * A meeting's sites worst first, for the NOC watching it: never joined, then out of the call now
 * (while it runs), then without data, then by drops, loss and MOS; the name breaks ties.
 */
export function worstFirst(sites: readonly SiteRow[], live: boolean): SiteRow[] {
  const key = (s: SiteRow): number[] => [
    s.attendance === 'absent' ? 0 : 1,
    live && s.joined_at !== null && s.left_at !== null ? 0 : 1,
    s.attendance === 'unknown' ? 0 : 1,
    -s.drops.length,
    -(s.loss_pct?.mean ?? 0),
    s.mos?.mean ?? 5,
  ];
  return [...sites].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! - kb[i]!;
    return a.name.localeCompare(b.name, 'vi');
  });
}
