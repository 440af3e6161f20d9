// The collector: SNMP polls, SNMP traps, ICMP and RTP probes → samples and device events on the bus.
// It knows nothing of who consumes them (storage, alerts, the live view, /metrics).
import { parseDuration } from '../config/config.ts';
import type { Runtime, Service } from '../core/runtime.ts';
import { type DeviceRef, type ResolvedCredential, resolveCredentials } from '../inventory/load.ts';
import { DriverRunner, mcuDriver } from './drivers/run.ts';
import type { Driver } from './drivers/types.ts';
import { selfMetrics } from './metrics.ts';
import { type DeviceStatus, Poller } from './poller.ts';
import { ProbeRunner } from './probes.ts';
import { loadProfiles, type Profile } from './profile.ts';
import { TrapReceiver } from './traps.ts';

export interface Collector extends Service {
  pollNow(deviceId: string): Promise<void>;
  /** polls the device now and reads its identity again */
  identityNow(deviceId: string): Promise<void>;
  status(): { devices: DeviceStatus[] };
}

export interface CollectorOptions {
  shard?: { district?: string };
  /** already-resolved credentials (default: resolved from the inventory and process.env) */
  credentials?: Map<string, ResolvedCredential>;
  /** profiles folder (default: collector/profiles) */
  profiles?: Map<string, Profile>;
  /** false: no scheduled polls and no probes, only pollNow (benchmarks, `collect --once`) */
  autostart?: boolean;
  /** the MCU's management-API driver (default: from the inventory's mcu.protocol and env) */
  mcuDriver?: Driver | null;
  /** where secret references resolve (default process.env) */
  env?: NodeJS.ProcessEnv;
}

/** The MCU belongs to no district: a sharded collector polls it only with district "core". */
export function inShard(dev: DeviceRef, shard?: { district?: string }): boolean {
  if (!shard?.district) return true;
  const wanted = shard.district.split(',').map((s) => s.trim());
  if (!dev.site) return wanted.includes('core');
  return wanted.includes(dev.site.district);
}

export async function startCollector(rt: Runtime, opts: CollectorOptions = {}): Promise<Collector> {
  const cfg = rt.config.collector;
  const profiles = opts.profiles ?? loadProfiles();
  const credentials = opts.credentials ?? resolveCredentials(rt.inventory);
  const m = selfMetrics(rt.registry);
  const devices = [...rt.inventory.devices.values()].filter((d) => inShard(d, opts.shard));
  const intervalMs = parseDuration(cfg.interval);
  const poller = new Poller(
    rt,
    devices,
    profiles,
    credentials,
    {
      intervalMs,
      timeoutMs: parseDuration(cfg.snmp_timeout),
      retries: cfg.snmp_retries,
      concurrency: cfg.concurrency,
      identityMs: parseDuration(cfg.identity_interval),
    },
    m,
  );

  let traps: TrapReceiver | null = null;
  if (cfg.trap_listen && cfg.trap_listen !== 'off') {
    traps = new TrapReceiver(rt, poller, devices, credentials, m);
    try {
      await traps.listen(cfg.trap_listen);
    } catch (err) {
      await poller.stop();
      throw err;
    }
  }

  const sites = [...rt.inventory.sites.values()].filter((s) =>
    inShard(
      { id: s.id, kind: 'codec', profile: '', address: { host: '', port: 0 }, snmp: '', site: s },
      opts.shard,
    ),
  );
  const probes = new ProbeRunner(rt, sites, intervalMs, m);
  const mcu = rt.inventory.devices.get(rt.inventory.inventory.mcu.id);
  const driver =
    mcu && rt.inventory.mcuApi && inShard(mcu, opts.shard)
      ? opts.mcuDriver !== undefined
        ? opts.mcuDriver
        : mcuDriver(rt.inventory, opts.env)
      : null;
  const api = driver ? new DriverRunner(rt, driver, rt.inventory.mcuApi?.intervalMs ?? intervalMs) : null;
  if (opts.autostart !== false) {
    await probes.start();
    poller.start();
    api?.start();
  }
  rt.log.info(
    {
      devices: poller.size,
      sites: sites.length,
      interval: cfg.interval,
      traps: cfg.trap_listen,
      mcu_api: api ? rt.inventory.mcuApi?.protocol : null,
      shard: opts.shard?.district ?? null,
    },
    'collector started',
  );

  return {
    name: 'collector',
    pollNow: (id) => (api && id === api.driver.device ? api.pollNow() : poller.pollNow(id)),
    identityNow: (id) => (api && id === api.driver.device ? api.pollNow() : poller.identityNow(id)),
    status: () => ({ devices: api ? [...poller.status(), api.status()] : poller.status() }),
    async stop() {
      await api?.stop();
      await probes.stop();
      await traps?.close();
      await poller.stop();
    },
  };
}
