// Incidents drafted from what the system saw (issue 14, Điều 8.2.d): a fault episode that touches the
// sites of a meeting while it is live drafts one incident per (episode, meeting) — status 'draft', the
// episode's sites in that meeting, its start, cause class and explanation, its owner as the responsible
// organisation — for a person to confirm; when the episode resolves, the restore time is filled in.
// Fed by the alert engine's episodes (the AlertEngine port: no import from alerts/), and swept at start
// and every minute so that a meeting starting while an episode is already open is caught too, and a
// restart drafts nothing twice (the incidents table remembers each (episode, meeting)).
import type { Episode } from '../api/contract.ts';
import type { Logger } from '../core/log.ts';
import type { AlertEngine, MeetingRef } from '../core/ports.ts';
import type { Service } from '../core/runtime.ts';
import { episodeRestoredAt, type Incident, type IncidentLog } from './incidents.ts';
import type { DbMeetings } from './store.ts';

/**
 * Episodes that are not a loss of service (Điều 8.2.d: "khi mất kết nối"): a risk the readiness runs
 * report (UPS runtime shorter than the meeting), maintenance advice, the monitoring's own gaps, and a
 * site not in the call (attendance, kept for the report). Every other episode, info severity aside, drafts.
 */
export const NOT_INCIDENTS: readonly string[] = [
  'ups-runtime-short',
  'ups-replace-battery',
  'site-no-data',
  'probe-misconfigured',
  'codec-not-in-call',
];

export interface DraftOptions {
  now?: () => number;
  log?: Logger;
  /** how often open episodes are checked against live meetings (ms; 0: only on episode changes) */
  sweepMs?: number;
  /** resolved episodes a sweep still looks at (ms back from now) */
  lookbackMs?: number;
  /** rules whose episodes draft no incident (default NOT_INCIDENTS) */
  notIncidents?: readonly string[];
  /**
   * two servers (core/runtime.ts isActive): only the active one drafts; the standby receives the
   * incidents as rows, and drafts what is still missing once it takes over (the sweep)
   */
  active?: () => boolean;
}

export class IncidentDrafter implements Service {
  readonly name = 'incident-drafts';
  private off: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly now: () => number;

  constructor(
    private readonly incidents: IncidentLog,
    private readonly meetings: Pick<DbMeetings, 'forSite'>,
    private readonly engine: Pick<AlertEngine, 'onEpisode' | 'episodes'>,
    private readonly o: DraftOptions = {},
  ) {
    this.now = o.now ?? Date.now;
  }

  /** The meetings an episode touched while they were live: a shared site, overlapping in time. */
  meetingsTouched(ep: Episode): MeetingRef[] {
    const end = episodeRestoredAt(ep) ?? this.now();
    const found = new Map<string, MeetingRef>();
    for (const site of ep.sites) {
      for (const m of this.meetings.forSite(site, ep.started_at, Math.max(0, end - ep.started_at))) {
        if (m.start < Math.max(end, ep.started_at + 1) && m.end > ep.started_at) found.set(m.id, m);
      }
    }
    return [...found.values()];
  }

  /** Drafts what the episode calls for and fills restore times when it resolved. */
  handle(ep: Episode): { drafted: Incident[]; restored: Incident[] } {
    const drafted: Incident[] = [];
    if (this.drafts(ep)) {
      for (const m of this.meetingsTouched(ep)) {
        const inc = this.incidents.recordDraft(ep, m);
        if (inc) drafted.push(inc);
      }
    }
    const restored = ep.state === 'resolved' ? this.incidents.restoreFromEpisode(ep) : [];
    for (const i of drafted)
      this.o.log?.info(
        { incident: i.id, episode: ep.id, meeting: i.meeting_id },
        'incident drafted from episode',
      );
    return { drafted, restored };
  }

  /** Whether an episode is a loss of service worth an incident (see NOT_INCIDENTS). */
  drafts(ep: Episode): boolean {
    return ep.severity !== 'info' && !(this.o.notIncidents ?? NOT_INCIDENTS).includes(ep.rule);
  }

  /** Open episodes and those resolved within the look-back, each handled once more (idempotent). */
  sweep(): void {
    const since = this.now() - (this.o.lookbackMs ?? 86_400_000);
    for (const ep of this.engine.episodes({ all: true })) {
      if (ep.state === 'resolved' && (ep.resolved_at ?? 0) < since) continue;
      this.safe(ep);
    }
  }

  start(): this {
    this.off = this.engine.onEpisode((ep) => this.safe(ep));
    this.sweep();
    const every = this.o.sweepMs ?? 60_000;
    if (every > 0) {
      this.timer = setInterval(() => this.sweep(), every);
      this.timer.unref?.();
    }
    return this;
  }

  async stop(): Promise<void> {
    this.off?.();
    this.off = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private safe(ep: Episode): void {
    if (this.o.active && !this.o.active()) return;
    try {
      this.handle(ep);
    } catch (err) {
      this.o.log?.error({ err, episode: ep.id }, 'drafting an incident from an episode failed');
    }
  }
}
