// Two `diemcau serve` runtimes as active and standby on one nats-server (issue 21): the configuration
// each is started with, a remote collector's UPS samples published on the telemetry stream, and the
// wait the tests poll with. Used by test/standby.test.ts and test/standby-records.test.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { stringify } from 'yaml';
import { DEFAULT_RULES_FILE } from '../../alerts/rules.ts';
import { encodeBody, msgId, subjectOf } from '../../bus/wire.ts';
import { type Running, start } from '../../cli/serve.ts';
import { loadInventory } from '../../inventory/load.ts';
import { SNMP_ONLY } from './agents.ts';
import { Fleet } from './alerts.ts';

export interface StandbyPair {
  /** the temporary directory: inventory.yaml and rules.yaml in it */
  dir: string;
  /** the loopback address the HTTP servers listen on */
  host: string;
  natsUrl: string;
  smtpPort: number;
  /** the telemetry stream's name (each test file its own) */
  stream: string;
  /** the state stream's name (default the configuration's) */
  stateStream?: string;
}

/** The configuration file of one of the pair, named `instance`: short lease, fast outbox, short settle. */
export function standbyConfig(p: StandbyPair, instance: string): string {
  const file = join(p.dir, `${instance}.yaml`);
  writeFileSync(
    file,
    stringify({
      inventory: join(p.dir, 'inventory.yaml'),
      data_dir: join(p.dir, `data-${instance}`),
      http: { listen: `${p.host}:0` },
      // the centre polls only the MCU (nothing answers); the sites' samples come from the stream
      collector: { interval: '5s', ...SNMP_ONLY, shard: 'district=core' },
      alerts: {
        rules: join(p.dir, 'rules.yaml'),
        group_wait: '1s',
        settle: '2s',
        outbox: { retry_base: '100ms', retry_max: '1s', poll: '100ms', send_timeout: '10s' },
      },
      notify: { email: { host: p.host, port: p.smtpPort } },
      bus: {
        nats: {
          servers: [p.natsUrl],
          stream: { name: p.stream },
          standby: {
            instance,
            lease_ttl: '4s',
            renew: '1s',
            ...(p.stateStream && { state_stream: p.stateStream }),
          },
        },
      },
    }),
  );
  return file;
}

/**
 * Writes the inventory and the default rules with a 3-s recovery (so an episode ends within a test),
 * then starts noc-a, waits for it to hold the lease, and noc-b as its standby.
 */
export async function startPair(
  p: StandbyPair,
  inventory: string,
  env: NodeJS.ProcessEnv,
): Promise<[Running, Running]> {
  writeFileSync(join(p.dir, 'inventory.yaml'), inventory);
  writeFileSync(
    join(p.dir, 'rules.yaml'),
    readFileSync(DEFAULT_RULES_FILE, 'utf8').replaceAll('clear_for: 30s', 'clear_for: 3s'),
  );
  const a = await start({ configPath: standbyConfig(p, 'noc-a'), env });
  await until('noc-a to hold the lease', () => a.standby!.status().role === 'active', 15_000);
  const b = await start({ configPath: standbyConfig(p, 'noc-b'), env });
  await until('noc-b to see noc-a holding it', () => b.standby!.status().holder === 'noc-a', 15_000);
  return [a, b];
}

/** Polls `ok` every 100 ms until it holds, or throws naming `what` after `ms`. */
export async function until(what: string, ok: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A remote collector's poll rounds, one a second, on the telemetry stream: every site in `onBattery`
 * with its UPS on battery (1) or on the mains (0), the rest of the site healthy.
 */
export class UpsFeed {
  readonly onBattery = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private readonly boot = `t${Date.now().toString(36)}`;
  private n = 0;

  constructor(
    private readonly nc: NatsConnection,
    inventoryFile: string,
    private readonly collector: string,
    private readonly fleet = new Fleet(loadInventory(inventoryFile)),
  ) {}

  private async round(): Promise<void> {
    const batch = [...this.onBattery].flatMap(([site, on]) =>
      this.fleet.healthy(site, Date.now(), { ups: { ups_on_battery: on, ups_input_v: on ? 0 : 224 } }),
    );
    if (batch.length === 0) return;
    const head = { c: this.collector, boot: this.boot, n: ++this.n };
    await jetstream(this.nc).publish(
      subjectOf(head.c, 'samples'),
      encodeBody(head, 'samples', [JSON.stringify(batch)]),
      { msgID: msgId(head) },
    );
  }

  start(): this {
    void this.round().catch(() => {});
    this.timer = setInterval(() => void this.round().catch(() => {}), 1000);
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
