// A driver's device events from its polls: one event per distinct problem (unreachable or
// bad_response, named api_unreachable / api_bad_response), none while the same problem lasts, and one
// `reachable` (api_ok) when the device answers as documented again.
import type { DeviceEvent } from '../../core/bus.ts';
import { DriverError } from './http.ts';

export class DeviceProblems {
  /** the current problem, null when the last poll was answered as documented */
  problem: string | null = null;
  private answered: boolean | null = null;

  constructor(
    /** the device, and the "site" its events are filed under */
    private readonly device: string,
    private readonly site: string = device,
  ) {}

  /** The poll was answered as documented: the events that says. */
  ok(time: number): DeviceEvent[] {
    const back = this.answered === false || this.problem !== null;
    this.answered = true;
    this.problem = null;
    return back
      ? [
          this.event(
            time,
            'reachable',
            'api_ok',
            'API quản lý trả lời đúng trở lại / management API answering again',
          ),
        ]
      : [];
  }

  /** The poll failed with `err`: the events that says (none when it is the problem already reported). */
  failed(time: number, err: unknown): DeviceEvent[] {
    const e =
      err instanceof DriverError
        ? err
        : new DriverError('bad_response', `lỗi không lường trước / unexpected: ${(err as Error).message}`);
    const events =
      e.message === this.problem
        ? []
        : [
            this.event(
              time,
              e.kind,
              e.kind === 'unreachable' ? 'api_unreachable' : 'api_bad_response',
              e.message,
            ),
          ];
    if (e.kind === 'unreachable') this.answered = false;
    this.problem = e.message;
    return events;
  }

  private event(time: number, kind: DeviceEvent['kind'], name: string, detail: string): DeviceEvent {
    return { time, kind, site: this.site, device: this.device, name, detail };
  }
}
