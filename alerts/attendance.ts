// Meeting attendance: a site joining, never joining or leaving a meeting's call. Not a fault — a
// record of the meeting, shown to the NOC and the host office and kept for the meeting's report.
import type { AttendanceEvent } from '../api/contract.ts';
import type { MeetingRef } from '../core/ports.ts';
import type { StateDb } from '../storage/state-db.ts';
import type { Condition } from './evaluate.ts';

export class Attendance {
  /** `${meeting}|${site}` → the last event recorded */
  private readonly last = new Map<string, AttendanceEvent['event']>();

  constructor(private readonly db: StateDb) {
    const rows = this.db
      .prepare('SELECT meeting_id, site, event FROM meeting_attendance ORDER BY id')
      .all() as { meeting_id: string; site: string; event: AttendanceEvent['event'] }[];
    for (const r of rows) this.last.set(`${r.meeting_id}|${r.site}`, r.event);
  }

  /**
   * Looks at a site's in-call condition during its live meetings: in a call → joined; not in a call
   * for the rule's `for` → never joined, or left when it had joined.
   */
  observe(site: string, call: Condition | undefined, live: MeetingRef[], now: number): AttendanceEvent[] {
    if (!call || call.value === null) return [];
    const out: AttendanceEvent[] = [];
    for (const m of live) {
      const key = `${m.id}|${site}`;
      const was = this.last.get(key);
      let event: AttendanceEvent['event'] | null = null;
      if (call.value === 1 && was !== 'joined') event = 'joined';
      else if (call.value !== 1 && call.active && was === 'joined') event = 'left';
      else if (call.value !== 1 && call.active && was === undefined) event = 'not_joined';
      if (!event) continue;
      const at = event === 'joined' ? Math.max(m.start, call.lastTime) : Math.max(m.start, call.since);
      this.last.set(key, event);
      this.db
        .prepare('INSERT INTO meeting_attendance (meeting_id, site, event, at) VALUES (?, ?, ?, ?)')
        .run(m.id, site, event, Math.min(at, now));
      out.push({ meeting: m.id, site, event, at: Math.min(at, now) });
    }
    return out;
  }

  list(meeting: string): AttendanceEvent[] {
    return (
      this.db
        .prepare(
          'SELECT meeting_id, site, event, at FROM meeting_attendance WHERE meeting_id = ? ORDER BY at, id',
        )
        .all(meeting) as { meeting_id: string; site: string; event: AttendanceEvent['event']; at: number }[]
    ).map((r) => ({ meeting: r.meeting_id, site: r.site, event: r.event, at: r.at }));
  }
}
