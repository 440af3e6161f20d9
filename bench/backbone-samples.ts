// The samples of bench/backbone.ts: one poll batch per device, shaped as the collector publishes it
// (collector/poller.ts: the profile's metrics with the site's tags, `snmp_up` last, every sample the
// poll's time), and the collector's schedule (every device once per interval, the first polls spread
// evenly over the interval, collector/poller.ts `start`). Values are generated, not polled from agents.
import type { Sample } from '../core/bus.ts';
import type { MetricName } from '../core/metrics.ts';
import type { LoadedInventory } from '../inventory/load.ts';

type Device = LoadedInventory['devices'] extends Map<string, infer D> ? D : never;

/** the metrics one poll of each profile yields (collector/profiles/*.yaml); [metric, instance?] */
const SHAPES: Record<string, [MetricName, string?][]> = {
  // _system and _if-basic (one interface) included; call statistics only during a call (idle here)
  'polycom-group': [
    ['uptime_s'],
    ['if_up', '1'],
    ['if_in_bps', '1'],
    ['if_out_bps', '1'],
    ['device_health'],
    ['codec_registered'],
    ['in_call'],
  ],
  'polycom-hdx': [['uptime_s'], ['if_up', '1'], ['if_in_bps', '1'], ['if_out_bps', '1'], ['in_call']],
  'generic-codec': [['uptime_s'], ['if_up', '1'], ['if_in_bps', '1'], ['if_out_bps', '1']],
  'cisco-cts': [
    ['uptime_s'],
    ['codec_registered'],
    ['in_call'],
    ['call_rate_kbps'],
    ['loss_pct'],
    ['jitter_ms'],
    ['device_health'],
  ],
  'ups-mib': [
    ['uptime_s'],
    ['ups_on_battery'],
    ['ups_runtime_min'],
    ['ups_charge_pct'],
    ['ups_input_v', '1'],
    ['ups_load_pct'],
    ['device_health'],
    ['ups_battery_status'],
    ['ups_battery_v'],
    ['ups_battery_temp_c'],
    ['ups_input_hz', '1'],
    ['ups_on_battery_s'],
    ['ups_alarms'],
    ['ups_replace_battery'],
  ],
  'apc-powernet': [
    ['uptime_s'],
    ['ups_on_battery'],
    ['ups_runtime_min'],
    ['ups_charge_pct'],
    ['ups_input_v'],
    ['ups_load_pct'],
    ['device_health'],
    ['ups_battery_status'],
    ['ups_battery_v'],
    ['ups_battery_temp_c'],
    ['ups_input_hz'],
    ['ups_on_battery_s'],
    ['ups_replace_battery'],
    ['ups_alarms'],
  ],
  'if-mib-router': [
    ['uptime_s'],
    ['if_up', 'Gi0/0'],
    ['if_up', 'Gi0/1'],
    ['if_in_bps', 'Gi0/0'],
    ['if_in_bps', 'Gi0/1'],
    ['if_out_bps', 'Gi0/0'],
    ['if_out_bps', 'Gi0/1'],
    ['if_errors', 'Gi0/0'],
    ['if_errors', 'Gi0/1'],
  ],
  // the MCU's scalars; its per-port rows (one per site) are left out of this bench
  'polycom-mcu': [['uptime_s'], ['device_health'], ['mcu_ports_used_pct'], ['mcu_participants']],
};

/** healthy values: nothing the default rules would page for */
const VALUE: Partial<Record<MetricName, number>> = {
  uptime_s: 864_000,
  device_health: 1,
  codec_registered: 1,
  in_call: 0,
  call_rate_kbps: 0,
  loss_pct: 0,
  jitter_ms: 2,
  if_up: 1,
  if_in_bps: 2_000_000,
  if_out_bps: 1_500_000,
  if_errors: 0,
  ups_on_battery: 0,
  ups_runtime_min: 90,
  ups_charge_pct: 100,
  ups_input_v: 224,
  ups_load_pct: 35,
  ups_battery_status: 1,
  ups_battery_v: 27.2,
  ups_battery_temp_c: 29,
  ups_input_hz: 50,
  ups_on_battery_s: 0,
  ups_alarms: 0,
  ups_replace_battery: 0,
  mcu_ports_used_pct: 20,
  mcu_participants: 40,
};

/** One poll's batch of `dev` at `time` (ms). */
export function pollBatch(dev: Device, time: number): Sample[] {
  const s = dev.site;
  const tags = s
    ? { tier: s.tier, district: s.district, carrier: s.link.carrier }
    : { tier: 'core' as const, district: '', carrier: '' as const };
  const shape = SHAPES[dev.profile] ?? [['uptime_s']];
  const site = s?.id ?? dev.id;
  const out: Sample[] = shape.map(([metric, instance]) => ({
    time,
    site,
    device: dev.id,
    metric,
    value: VALUE[metric] ?? 1,
    tags: instance ? { ...tags, instance } : tags,
  }));
  out.push({ time, site, device: dev.id, metric: 'snmp_up', value: 1, tags });
  return out;
}

/** What a schedule published: `device@time` of every batch, and the sample count. */
export interface Published {
  keys: string[];
  samples: number;
}

/**
 * Every device polled once per `intervalMs`, the first polls spread evenly over the first interval, for
 * `intervals` intervals; each batch is made at its due time (its samples' `time`) and handed to `publish`.
 * Resolves when the last batch has been published.
 */
export function runSchedule(
  devices: Device[],
  intervalMs: number,
  intervals: number,
  publish: (batch: Sample[]) => void,
): Promise<Published> {
  const out: Published = { keys: [], samples: 0 };
  let left = devices.length * intervals;
  const start = Date.now();
  return new Promise((resolve) => {
    devices.forEach((dev, i) => {
      let round = 0;
      const first = start + Math.floor((i * intervalMs) / Math.max(1, devices.length));
      const fire = () => {
        const t = Date.now();
        const batch = pollBatch(dev, t);
        out.keys.push(`${dev.id}@${t}`);
        out.samples += batch.length;
        publish(batch);
        round++;
        if (--left === 0) resolve(out);
        else if (round < intervals) {
          const due = first + round * intervalMs;
          setTimeout(fire, Math.max(0, due - Date.now()));
        }
      };
      setTimeout(fire, Math.max(0, first - Date.now()));
    });
  });
}
