// Test support for meetings and reports: the real Bắc Kạn inventory, a temp state database, the real
// SQLite metrics store and the real alert engine, all fed through the bus and driven by one clock.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { type AlertService, startAlerts } from '../../alerts/index.ts';
import type { Channel, Notifier } from '../../alerts/notify/types.ts';
import { Outbox } from '../../alerts/outbox.ts';
import type { Sample } from '../../core/bus.ts';
import { log } from '../../core/log.ts';
import type { MetricsStore } from '../../core/ports.ts';
import type { Runtime } from '../../core/runtime.ts';
import { FeedbackStore } from '../../feedback/store.ts';
import type { Person } from '../../inventory/schema.ts';
import { IncidentLog } from '../../meetings/incidents.ts';
import { ObservedCalls } from '../../meetings/observed.ts';
import { Readiness } from '../../meetings/readiness.ts';
import { DbMeetings } from '../../meetings/store.ts';
import { directoryFor } from '../../people/directory.ts';
import { dbEpisodes, type ReportDeps } from '../../reports/meeting.ts';
import { createMetricsStore } from '../../storage/metrics/index.ts';
import { Clock, Fleet, testRuntime } from './alerts.ts';
import { storeConfig } from './metrics.ts';

export interface World {
  rt: Runtime & { dir: string };
  clock: Clock;
  fleet: Fleet;
  store: MetricsStore;
  alerts: AlertService;
  meetings: DbMeetings;
  readiness: Readiness;
  incidents: IncidentLog;
  /** the calls the MCU carried, as the bus showed them */
  calls: ObservedCalls;
  /** everything the reports read, from this world */
  reportDeps(): ReportDeps;
  /** `seconds` of poll rounds every `step` s from the clock's time on: published, stored, judged */
  drive(seconds: number, round: (t: number) => Sample[], step?: number): void;
  stop(): Promise<void>;
}

export async function world(t0: number): Promise<World> {
  const rt = testRuntime('alerts:\n  group_wait: 5s\n');
  const clock = new Clock(t0);
  const store = await createMetricsStore({ config: storeConfig({ dataDir: rt.dir }), log });
  const offStore = rt.bus.onSamples((b) => store.write(b));
  const meetings = new DbMeetings(rt.state, rt.inventory, clock.now);
  const alerts = await startAlerts(rt, { meetings, now: clock.now, tickMs: 3_600_000, env: {} });
  const readiness = new Readiness(rt.state, rt.inventory, { meetings, store, alerts, now: clock.now });
  const incidents = new IncidentLog(rt.state, rt.inventory, meetings, clock.now);
  const fleet = new Fleet(rt.inventory);
  const calls = new ObservedCalls(rt.state, rt.inventory, meetings, { intervalMs: 10_000 });
  const offCalls = rt.bus.onSamples((b) => calls.observe(b));
  return {
    rt,
    clock,
    fleet,
    store,
    alerts,
    meetings,
    readiness,
    incidents,
    calls,
    reportDeps: () => ({
      inventory: rt.inventory,
      store,
      meetings,
      incidents,
      readiness,
      calls,
      episodes: dbEpisodes(rt.state),
      feedback: new FeedbackStore(rt.state),
      people: directoryFor(rt.state, rt.inventory),
      now: clock.now,
    }),
    drive(seconds, round, step = 10) {
      for (let s = 0; s < seconds; s += step) {
        clock.t += step * 1000;
        rt.bus.publish(round(clock.t));
        alerts.tickNow();
      }
    },
    async stop() {
      await alerts.stop();
      offStore();
      offCalls();
      await store.close();
      rt.state.close();
      rmSync(join(rt.dir), { recursive: true, force: true });
    },
  };
}

/**
 * The real durable outbox with an e-mail channel that knows addresses but sends nothing, its worker
 * not started: what was queued (rows of the `outbox` table) is what a test checks.
 */
export function queueOnlyOutbox(rt: Runtime): Outbox {
  const email: Notifier = {
    channel: 'email',
    address: (p: Person) => p.channels.email ?? null,
    send: async () => {},
    close: async () => {},
  };
  return new Outbox(rt.state, new Map<Channel, Notifier>([['email', email]]), {
    retryBaseMs: 1000,
    retryMaxMs: 60_000,
    pollMs: 3_600_000,
    log,
  });
}
