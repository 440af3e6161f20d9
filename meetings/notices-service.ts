// Meeting notices as a running service: every registration, change and cancellation of the store is
// announced (meetings/notices.ts), and the weekly digest is checked every `tickMs` (meetings/digest.ts).
import type { Outbox } from '../alerts/outbox.ts';
import { isActive, type Runtime, type Service } from '../core/runtime.ts';
import { type DigestSchedule, WeeklyDigest } from './digest.ts';
import { MeetingNotices } from './notices.ts';
import type { DbMeetings } from './store.ts';

export interface NoticesService extends Service {
  notices: MeetingNotices;
  digest: WeeklyDigest | null;
}

export function startMeetingNotices(
  rt: Runtime,
  deps: {
    meetings: DbMeetings;
    outbox: Outbox;
    /** null: no weekly digest */
    digest: DigestSchedule | null;
    now?: () => number;
    tickMs?: number;
  },
): NoticesService {
  const log = rt.log.child({ service: 'meeting-notices' });
  const now = deps.now ?? Date.now;
  const notices = new MeetingNotices(rt.state, rt.inventory, deps.outbox, log, now, deps.meetings.hosts);
  const off = deps.meetings.onChange(notices.handle);
  const digest = deps.digest
    ? new WeeklyDigest(
        rt.state,
        rt.inventory,
        deps.meetings,
        deps.outbox,
        deps.digest,
        log,
        deps.meetings.hosts,
      )
    : null;
  const tick = () => {
    // two servers: the active one sends the digest, the standby receives its rows (core/runtime.ts)
    if (!isActive(rt)) return;
    try {
      digest?.tick(now());
    } catch (err) {
      log.error({ err }, 'weekly meeting digest failed');
    }
  };
  const timer = digest ? setInterval(tick, deps.tickMs ?? 60_000) : null;
  timer?.unref?.();
  tick();
  return {
    name: 'meeting-notices',
    notices,
    digest,
    async stop() {
      off();
      if (timer) clearInterval(timer);
    },
  };
}
