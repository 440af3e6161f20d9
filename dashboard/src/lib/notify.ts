// Issue 15, the NOC view: which fault episodes ring the alarm. Pure, so it is unit-tested.
//
// A screen rings for a critical episode it sees begin: one that arrives on the live stream, one by one,
// firing and critical, and that the screen has not rung for nor seen in a snapshot since the page
// loaded. Whatever a snapshot brings (the first picture, the one after a reconnect) is already there:
// it never rings, even when it changes later. An episode born major and raised to critical while the
// screen watches (a meeting starts at its site) rings once, when it becomes critical.
import type { Episode } from '../../../api/contract.ts';

export type AlarmEpisode = Pick<Episode, 'id' | 'severity' | 'state'>;

export class NewCriticalWatch {
  /** ids that will never ring again: seen in a snapshot, or rung for */
  private quiet = new Set<string>();

  /** A snapshot (first load or reconnect): everything in it is known, nothing rings. */
  snapshot(episodes: Iterable<AlarmEpisode>): void {
    for (const e of episodes) this.quiet.add(e.id);
  }

  /** One episode from the stream: true when it should ring (once per episode). */
  event(e: AlarmEpisode): boolean {
    if (this.quiet.has(e.id)) return false;
    if (e.severity !== 'critical' || e.state !== 'firing') return false;
    this.quiet.add(e.id);
    return true;
  }
}

export interface NotificationText {
  title: string;
  body: string;
  /** one notification per episode: a second one for the same episode replaces the first */
  tag: string;
}

/** What the browser notification says: the site, the cause and who is handling it. */
export function notificationText(
  e: Pick<Episode, 'id' | 'sites'>,
  names: { site: string; cause: string | null; owner: string | null; more: number },
  words: { title: string; cause: string; owner: string; more: string },
): NotificationText {
  const site = names.more > 0 ? `${names.site} ${words.more.replace('{n}', String(names.more))}` : names.site;
  const lines = [`${words.cause}: ${names.cause ?? '—'}`, `${words.owner}: ${names.owner ?? '—'}`];
  return { title: `${words.title}: ${site}`, body: lines.join('\n'), tag: `diemcau-episode-${e.id}` };
}
