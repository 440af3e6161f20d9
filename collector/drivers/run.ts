// Runs a management-API driver every interval (the next poll starts after the last one ends, at the
// next interval boundary) and hands its samples and events to the bus.
import { readFileSync } from 'node:fs';
import type { Runtime } from '../../core/runtime.ts';
import { type LoadedInventory, resolveMcuPassword } from '../../inventory/load.ts';
import { SourceErrors } from '../../inventory/source.ts';
import type { DeviceStatus } from '../poller.ts';
import { CiscoTelePresenceDriver } from './cisco-telepresence.ts';
import { JsonClient } from './http.ts';
import { PexipDriver } from './pexip.ts';
import type { Driver } from './types.ts';
import { XmlRpcClient } from './xmlrpc.ts';

export class DriverRunner {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private last: { time: number; problem: string | null; reachable: boolean } | null = null;

  constructor(
    private readonly rt: Runtime,
    readonly driver: Driver,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.schedule(Date.now());
  }

  private schedule(due: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        void this.pollNow().finally(() => {
          let next = due + this.intervalMs;
          while (next <= Date.now()) next += this.intervalMs;
          this.schedule(next);
        });
      },
      Math.max(0, due - Date.now()),
    );
  }

  /** One poll now (or the one under way). */
  pollNow(): Promise<void> {
    this.running ??= this.driver
      .poll()
      .then((r) => {
        if (this.stopped) return;
        this.rt.bus.publish(r.samples);
        for (const e of r.events) this.rt.bus.publishEvent(e);
        const down = r.events.some((e) => e.kind === 'unreachable');
        const reachable = r.problem === null ? true : down ? false : (this.last?.reachable ?? false);
        this.last = { time: Date.now(), problem: r.problem, reachable };
      })
      .catch((err) =>
        this.rt.log.error({ err, device: this.driver.device }, 'driver poll failed unexpectedly'),
      )
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  status(): DeviceStatus {
    return {
      id: this.driver.device,
      reachable: this.last?.reachable ?? false,
      lastPoll: this.last?.time ?? null,
      lastError: this.last?.problem ?? null,
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    this.driver.close();
  }
}

/** The driver of the inventory's MCU when it names a management API (null: SNMP). */
export function mcuDriver(inv: LoadedInventory, env: NodeJS.ProcessEnv = process.env): Driver | null {
  const api = inv.mcuApi;
  if (!api) return null;
  const options = {
    url: api.url,
    user: api.user,
    password: resolveMcuPassword(inv, env),
    timeoutMs: api.timeoutMs ?? 5000,
    ...(api.caFile && { ca: readCa(inv, api.caFile) }),
    ...(api.pinSha256 && { pinSha256: api.pinSha256 }),
  };
  switch (api.protocol) {
    case 'pexip-mgmt':
      return new PexipDriver(inv, new JsonClient(options), undefined, { history: true });
    case 'cisco-tps-xmlrpc':
    case 'cisco-mcu-xmlrpc':
      return new CiscoTelePresenceDriver(inv, new XmlRpcClient(options), { history: true });
  }
}

function readCa(inv: LoadedInventory, file: string): Buffer {
  try {
    const pem = readFileSync(file);
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no PEM certificate in it');
    return pem;
  } catch (err) {
    throw new SourceErrors([
      inv.source.error(
        ['mcu', 'ca_file'],
        `MCU "${inv.inventory.mcu.id}": ca_file ${file}: ${(err as Error).message}`,
      ),
    ]);
  }
}
