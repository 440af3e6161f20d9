// Test helpers: a runtime on the real Bắc Kạn inventory with a temp state database, and samples
// shaped exactly as the collector publishes them (collector/probes.ts, collector/poller.ts).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { loadConfig } from '../../config/config.ts';
import { Bus, type DeviceEvent, type Sample } from '../../core/bus.ts';
import { log } from '../../core/log.ts';
import type { MetricName } from '../../core/metrics.ts';
import type { Runtime } from '../../core/runtime.ts';
import { type LoadedInventory, loadInventory } from '../../inventory/load.ts';
import { openStateDb } from '../../storage/state-db.ts';

export const BAC_KAN = resolve(dirname(fileURLToPath(import.meta.url)), '../../inventory/bac-kan.yaml');

export function testRuntime(
  configYaml = '',
  opts: { dir?: string; inventory?: string } = {},
): Runtime & { dir: string } {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'diemcau-alerts-'));
  const file = join(dir, 'diemcau.yaml');
  writeFileSync(
    file,
    `inventory: ${JSON.stringify(opts.inventory ?? BAC_KAN)}\ndata_dir: ${JSON.stringify(dir)}\n${configYaml}`,
  );
  const config = loadConfig(file, {});
  const inventory = loadInventory(config.inventory);
  const state = openStateDb(join(dir, 'state.db'));
  return { config, inventory, bus: new Bus(), state, log, registry: new Registry(), dir };
}

/** Builds samples for a site the way the collector tags them. */
export class Fleet {
  constructor(readonly inv: LoadedInventory) {}

  private tags(site: string, probe?: string, instance?: string) {
    const s = this.inv.sites.get(site)!;
    return {
      tier: s.tier,
      district: s.district,
      carrier: s.link.carrier,
      ...(probe && { probe }),
      ...(instance && { instance }),
    };
  }

  probe(
    site: string,
    t: number,
    v: Partial<Record<'reachable' | 'loss_pct' | 'rtt_ms' | 'jitter_ms' | 'mos', number>> = {},
  ): Sample[] {
    const values = { reachable: 1, loss_pct: 0, rtt_ms: 18, jitter_ms: 2, mos: 4.4, ...v };
    if (values.reachable === 0) values.loss_pct = 100;
    return Object.entries(values)
      .filter(([k]) => !(values.reachable === 0 && k !== 'reachable' && k !== 'loss_pct'))
      .map(([metric, value]) => ({
        time: t,
        site,
        device: `${site}:rtp`,
        metric: metric as MetricName,
        value,
        tags: this.tags(site, 'rtp'),
      }));
  }

  device(
    site: string,
    kind: 'codec' | 'ups' | 'router',
    t: number,
    values: Partial<Record<MetricName, number>>,
  ): Sample[] {
    const dev = `${site}-${kind}`;
    return Object.entries(values).map(([metric, value]) => ({
      time: t,
      site,
      device: dev,
      metric: metric as MetricName,
      value: value!,
      tags: this.tags(site),
    }));
  }

  mcuPort(site: string, t: number, up: number): Sample {
    const s = this.inv.sites.get(site)!;
    return {
      time: t,
      site,
      device: this.inv.inventory.mcu.id,
      metric: 'mcu_port_up',
      value: up,
      tags: this.tags(site, 'derived', String(s.mcu_port)),
    };
  }

  /** One poll round of a healthy site; `over` replaces values (a device down: snmp_up 0 and nothing else). */
  healthy(
    site: string,
    t: number,
    over: {
      probe?: Parameters<Fleet['probe']>[2];
      codec?: Partial<Record<MetricName, number>> | 'down';
      ups?: Partial<Record<MetricName, number>> | 'down';
      mcu?: number;
    } = {},
  ): Sample[] {
    const out = this.probe(site, t, over.probe);
    out.push(
      ...this.device(
        site,
        'codec',
        t,
        over.codec === 'down'
          ? { snmp_up: 0 }
          : { snmp_up: 1, codec_registered: 1, in_call: 1, ...over.codec },
      ),
    );
    out.push(
      ...this.device(
        site,
        'ups',
        t,
        over.ups === 'down'
          ? { snmp_up: 0 }
          : { snmp_up: 1, ups_on_battery: 0, ups_runtime_min: 90, ups_input_v: 224, ...over.ups },
      ),
    );
    out.push(this.mcuPort(site, t, over.mcu ?? 1));
    return out;
  }

  trap(site: string, t: number, name: string): DeviceEvent {
    return { time: t, kind: 'trap', site, device: `${site}-ups`, name, detail: 'UPS chạy pin / on battery' };
  }
}

/** A controllable clock for the engine. */
export class Clock {
  constructor(public t: number) {}
  now = () => this.t;
}
