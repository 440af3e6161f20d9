// A driver's call-record reading as a step of its poll: the records become `call_record` events of
// the MCU; a failure is a device problem of the MCU (once per distinct problem, `history_bad_response`),
// never a crash and never a site's fault, and the status part of the poll stands on its own.
import type { DeviceEvent } from '../../core/bus.ts';
import { type CallRecord, callRecordEvent } from '../../core/call-records.ts';
import { DriverError } from './http.ts';

export interface CallRecordReader {
  read(): Promise<CallRecord[]>;
}

export class CallHistoryStep {
  /** the current problem of the history reading, null when the last read was as documented */
  problem: string | null = null;

  constructor(
    private readonly device: string,
    private readonly reader: CallRecordReader,
  ) {}

  async run(time: number): Promise<DeviceEvent[]> {
    try {
      const records = await this.reader.read();
      const events = records.map(callRecordEvent);
      if (this.problem !== null) {
        this.problem = null;
        events.unshift(
          this.event(
            time,
            'reachable',
            'history_ok',
            'lịch sử cuộc gọi của MCU đọc được trở lại / the MCU call history is readable again',
          ),
        );
      }
      return events;
    } catch (err) {
      const message =
        err instanceof DriverError
          ? err.message
          : `lỗi không lường trước / unexpected: ${(err as Error).message}`;
      const detail = `lịch sử cuộc gọi / call history: ${message}`;
      if (detail === this.problem) return [];
      this.problem = detail;
      // never "unreachable": the status part of the same poll says whether the MCU answers
      return [this.event(time, 'bad_response', 'history_bad_response', detail)];
    }
  }

  private event(time: number, kind: DeviceEvent['kind'], name: string, detail: string): DeviceEvent {
    return { time, kind, site: this.device, device: this.device, name, detail };
  }
}
