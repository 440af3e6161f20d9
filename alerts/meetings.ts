// A MeetingSource held in memory: for tests and for running before the meetings module exists.
import type { MeetingRef, MeetingSource } from '../core/ports.ts';

export class StaticMeetings implements MeetingSource {
  private readonly list = new Map<string, MeetingRef>();

  constructor(meetings: MeetingRef[] = []) {
    for (const m of meetings) this.add(m);
  }

  add(m: MeetingRef): void {
    this.list.set(m.id, m);
  }

  remove(id: string): void {
    this.list.delete(id);
  }

  all(): MeetingRef[] {
    return [...this.list.values()];
  }

  forSite(site: string, at: number, windowMs: number): MeetingRef[] {
    return [...this.list.values()]
      .filter((m) => m.sites.includes(site) && m.end > at && m.start <= at + windowMs)
      .sort((a, b) => a.start - b.start);
  }
}
