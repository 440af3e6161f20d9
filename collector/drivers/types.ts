// A driver reads one device through its management API (not SNMP): each poll gives the samples of
// the metric vocabulary and the device events of what changed. A poll never throws.
import type { DeviceEvent, Sample } from '../../core/bus.ts';

export interface DriverPoll {
  samples: Sample[];
  events: DeviceEvent[];
  /** HTTP requests this poll made */
  requests: number;
  /** null when the device answered as documented, else the reason (also in the events, once) */
  problem: string | null;
}

export interface Driver {
  /** the inventory device it reads */
  readonly device: string;
  poll(): Promise<DriverPoll>;
  close(): void;
}
