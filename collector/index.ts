// The collector: SNMP polls, SNMP traps, ICMP and RTP probes → samples and device events on the bus.
// It knows nothing of who consumes them (storage, alerts, the live view, /metrics).
import { parseDuration } from '../config/config.ts';
import type { Runtime, Service } from '../core/runtime.ts';
import { type DeviceRef, type ResolvedCredential, resolveCredentials } from '../inventory/load.ts';
import { deviceDrivers } from './drivers/codecs.ts';
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
  /** the site devices' management-API drivers (default: every device of the shard with protocol cisco-xapi) */
  deviceDrivers?: Driver[];
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
  // codecs on a management API: their passwords and CA files are read now, before anything listens
  const codecDrivers = opts.deviceDrivers
    ? opts.deviceDrivers.map((d) => ({
        driver: d,
        intervalMs: rt.inventory.deviceApis.get(d.device)?.intervalMs,
      }))
    : deviceDrivers(rt.inventory, devices, opts.env);
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
  // codecs on their xAPI: one runner each, at the device's interval (default collector.interval)
  const apis = new Map<string, DriverRunner>();
  if (api) apis.set(api.driver.device, api);
  for (const { driver: d, intervalMs: every } of codecDrivers)
    apis.set(d.device, new DriverRunner(rt, d, every ?? intervalMs));
  if (opts.autostart !== false) {
    await probes.start();
    poller.start();
    for (const r of apis.values()) r.start();
  }
  rt.log.info(
    {
      devices: poller.size,
      sites: sites.length,
      interval: cfg.interval,
      traps: cfg.trap_listen,
      mcu_api: api ? rt.inventory.mcuApi?.protocol : null,
      device_apis: apis.size - (api ? 1 : 0),
      shard: opts.shard?.district ?? null,
    },
    'collector started',
  );

  return {
    name: 'collector',
    pollNow: (id) => apis.get(id)?.pollNow() ?? poller.pollNow(id),
    identityNow: (id) => apis.get(id)?.pollNow() ?? poller.identityNow(id),
    status: () => ({ devices: [...poller.status(), ...[...apis.values()].map((r) => r.status())] }),
    async stop() {
      await Promise.all([...apis.values()].map((r) => r.stop()));
      await probes.stop();
      await traps?.close();
      await poller.stop();
    },
  };
}
