// The real alert engine on a virtual clock, fed the whole Bắc Kạn fleet's samples every 10 s
// (alerts/*.test.ts): `over` makes a site's devices answer otherwise (Fleet.healthy's overrides).
import { type AlertService, StaticMeetings, startAlerts } from '../../alerts/index.ts';
import type { Sample } from '../../core/bus.ts';
import { Clock, Fleet, testRuntime } from './alerts.ts';

/** started at `start` with `config` after `alerts: group_wait: 1s`; pushed to `running` to be stopped */
export async function fleetEngine(
  running: AlertService[],
  opts: { start: number; meetings?: StaticMeetings; config?: string },
) {
  const rt = testRuntime(`alerts:\n  group_wait: 1s\n${opts.config ?? ''}`);
  const clock = new Clock(opts.start);
  const engine = await startAlerts(rt, {
    meetings: opts.meetings ?? new StaticMeetings(),
    now: clock.now,
    tickMs: 3_600_000,
    env: {},
  });
  running.push(engine);
  const fleet = new Fleet(rt.inventory);
  const sites = rt.inventory.inventory.sites.map((s) => s.id);
  const over = new Map<string, Parameters<Fleet['healthy']>[2]>();
  /** `seconds` of poll rounds over the whole network, every 10 s */
  const run = (seconds: number) => {
    for (let s = 0; s < seconds; s += 10) {
      clock.t += 10_000;
      const batch: Sample[] = [];
      for (const id of sites) batch.push(...fleet.healthy(id, clock.t, over.get(id)));
      rt.bus.publish(batch);
      engine.tickNow();
    }
  };
  return { rt, clock, engine, fleet, over, run };
}
