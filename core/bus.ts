// The in-process bus: the collector publishes samples and device events; storage, alerts,
// the live view and /metrics subscribe. Publishers know nothing of subscribers.
import type { Carrier, Tier } from '../inventory/schema.ts';
import type { MetricName } from './metrics.ts';

export interface SampleTags {
  tier: Tier | 'core';
  district: string;
  carrier: Carrier | '';
  /** which measurement produced it when several can: icmp | rtp | snmp */
  probe?: string;
  /** sub-object: interface name, UPS line, MCU port … */
  instance?: string;
}

export interface Sample {
  /** milliseconds since the epoch */
  time: number;
  /** site id; MCU-wide metrics use the MCU's id */
  site: string;
  /** device id, or `${site}:icmp` / `${site}:rtp` for probes */
  device: string;
  metric: MetricName;
  value: number;
  tags: SampleTags;
}

export type DeviceEventKind =
  | 'trap'
  | 'reboot'
  | 'unreachable'
  | 'reachable'
  | 'bad_response'
  | 'probe_unavailable'
  /** a probe's far end answers with something else than its packets (not a reflector) */
  | 'probe_misconfigured'
  /** …and answers as a reflector again */
  | 'probe_ok'
  /** the device's identity as read (data: core/identity.ts fields and `garbage`), at start, periodically, after a reboot */
  | 'identity'
  /** a participant's call as the MCU recorded it, ended (core/call-records.ts; data: the record) */
  | 'call_record';

export interface DeviceEvent {
  time: number;
  kind: DeviceEventKind;
  site: string;
  device: string;
  /** short machine-readable name, e.g. upsTrapOnBattery */
  name: string;
  detail: string;
  data?: Record<string, string | number | boolean>;
}

type Handler<T> = (items: T) => void;

export class Bus {
  private sampleHandlers: Handler<readonly Sample[]>[] = [];
  private eventHandlers: Handler<DeviceEvent>[] = [];

  /** Samples travel in batches: one poll's results at once. */
  publish(samples: readonly Sample[]): void {
    if (samples.length === 0) return;
    for (const h of this.sampleHandlers) this.safe(h, samples);
  }

  publishEvent(event: DeviceEvent): void {
    for (const h of this.eventHandlers) this.safe(h, event);
  }

  onSamples(h: Handler<readonly Sample[]>): () => void {
    this.sampleHandlers.push(h);
    return () => {
      this.sampleHandlers = this.sampleHandlers.filter((x) => x !== h);
    };
  }

  onEvent(h: Handler<DeviceEvent>): () => void {
    this.eventHandlers.push(h);
    return () => {
      this.eventHandlers = this.eventHandlers.filter((x) => x !== h);
    };
  }

  /** A failing subscriber must not starve the others or the collector. */
  private safe<T>(h: Handler<T>, v: T): void {
    try {
      h(v);
    } catch (err) {
      this.onError(err);
    }
  }

  onError: (err: unknown) => void = (err) => {
    console.error('bus subscriber failed', err);
  };
}
