// The collector's own Prometheus metrics, registered once per registry.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface SelfMetrics {
  pollDuration: Histogram<'kind' | 'outcome'>;
  pollLag: Histogram<string>;
  timeouts: Counter<'device'>;
  errors: Counter<'device' | 'kind'>;
  samples: Counter<string>;
  values: Counter<string>;
  requests: Counter<string>;
  devices: Gauge<'state'>;
  probeDuration: Histogram<'probe'>;
  rtpSendLag: Histogram<string>;
  probeInvalid: Counter<'site'>;
  traps: Counter<'name'>;
}

function once<T>(registry: Registry, name: string, make: () => T): T {
  const existing = registry.getSingleMetric(name);
  return (existing as T | undefined) ?? make();
}

export function selfMetrics(registry: Registry): SelfMetrics {
  const registers = [registry];
  return {
    pollDuration: once(
      registry,
      'diemcau_collector_poll_duration_seconds',
      () =>
        new Histogram({
          name: 'diemcau_collector_poll_duration_seconds',
          help: 'Time to poll one device (all requests of one round)',
          labelNames: ['kind', 'outcome'],
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
          registers,
        }),
    ),
    pollLag: once(
      registry,
      'diemcau_collector_poll_lag_seconds',
      () =>
        new Histogram({
          name: 'diemcau_collector_poll_lag_seconds',
          help: 'Delay between when a poll was due and when it started',
          buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30],
          registers,
        }),
    ),
    timeouts: once(
      registry,
      'diemcau_collector_timeouts_total',
      () =>
        new Counter({
          name: 'diemcau_collector_timeouts_total',
          help: 'SNMP polls that got no answer',
          labelNames: ['device'],
          registers,
        }),
    ),
    errors: once(
      registry,
      'diemcau_collector_errors_total',
      () =>
        new Counter({
          name: 'diemcau_collector_errors_total',
          help: 'Collector errors by device and kind (timeout, auth, snmp_error, bad_response, wrong_type, internal)',
          labelNames: ['device', 'kind'],
          registers,
        }),
    ),
    samples: once(
      registry,
      'diemcau_collector_samples_total',
      () =>
        new Counter({
          name: 'diemcau_collector_samples_total',
          help: 'Samples published on the bus',
          registers,
        }),
    ),
    values: once(
      registry,
      'diemcau_collector_snmp_values_total',
      () =>
        new Counter({
          name: 'diemcau_collector_snmp_values_total',
          help: 'SNMP values read (scalars and table cells)',
          registers,
        }),
    ),
    requests: once(
      registry,
      'diemcau_collector_snmp_requests_total',
      () =>
        new Counter({
          name: 'diemcau_collector_snmp_requests_total',
          help: 'SNMP requests that got an answer',
          registers,
        }),
    ),
    devices: once(
      registry,
      'diemcau_collector_devices',
      () =>
        new Gauge({
          name: 'diemcau_collector_devices',
          help: 'Devices polled, by state',
          labelNames: ['state'],
          registers,
        }),
    ),
    probeDuration: once(
      registry,
      'diemcau_collector_probe_round_seconds',
      () =>
        new Histogram({
          name: 'diemcau_collector_probe_round_seconds',
          help: 'Duration of one ICMP round or one RTP probe',
          labelNames: ['probe'],
          buckets: [0.1, 0.5, 1, 2, 5, 10, 30],
          registers,
        }),
    ),
    rtpSendLag: once(
      registry,
      'diemcau_collector_rtp_send_lag_seconds',
      () =>
        new Histogram({
          name: 'diemcau_collector_rtp_send_lag_seconds',
          help: 'How late each RTP probe packet left against its schedule (the probe host, not the path: a loaded event loop shows here)',
          buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
          registers,
        }),
    ),
    probeInvalid: once(
      registry,
      'diemcau_collector_probe_invalid_replies_total',
      () =>
        new Counter({
          name: 'diemcau_collector_probe_invalid_replies_total',
          help: 'Datagrams that came back to an RTP probe but were not a reply to it (garbage, truncated, not a reflector)',
          labelNames: ['site'],
          registers,
        }),
    ),
    traps: once(
      registry,
      'diemcau_collector_traps_total',
      () =>
        new Counter({
          name: 'diemcau_collector_traps_total',
          help: 'SNMP notifications received, by name (unknown = not in any profile)',
          labelNames: ['name'],
          registers,
        }),
    ),
  };
}
