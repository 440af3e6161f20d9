// A loopback network for alert tests and the bench: generated inventory (address base 60-69),
// the project's simulator, the real collector, and the alert engine with the default rules
// (optionally with their durations scaled down so that a test takes seconds, not minutes).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { type AlertService, DEFAULT_RULES_FILE, StaticMeetings, startAlerts } from '../../alerts/index.ts';
import { type Collector, startCollector } from '../../collector/index.ts';
import { loadConfig } from '../../config/config.ts';
import { Bus } from '../../core/bus.ts';
import { log } from '../../core/log.ts';
import type { Runtime } from '../../core/runtime.ts';
import { generateInventory, syntheticUnits } from '../../inventory/generate.ts';
import { loadInventory, resolveCredentials } from '../../inventory/load.ts';
import { type Simulator, startSimulator } from '../../simulator/index.ts';
import { openStateDb } from '../../storage/state-db.ts';
import { freeUdpPort, TEST_SECRETS } from './agents.ts';

/** The default rules with every duration divided (30 s → 3 s at scale 10). */
export function scaledRules(scale: number): string {
  return readFileSync(DEFAULT_RULES_FILE, 'utf8').replace(
    /\b(for|clear_for|size|recover|absent): (\d+)(s|m)\b/g,
    (_m, key: string, n: string, unit: string) => {
      const ms = Number(n) * (unit === 'm' ? 60_000 : 1000);
      return `${key}: ${Math.max(1, Math.round(ms / scale))}ms`;
    },
  );
}

export interface LoopbackNet {
  rt: Runtime;
  sim: Simulator;
  collector: Collector;
  alerts: AlertService;
  meetings: StaticMeetings;
  dir: string;
  stop(): Promise<void>;
}

export async function loopbackNet(opts: {
  sites: number;
  base: number;
  smtpPort: number;
  interval: string;
  ruleScale: number;
  batteryTimeScale?: number;
  /** null: the configured default */
  groupWait?: string | null;
}): Promise<LoopbackNet> {
  const dir = mkdtempSync(join(tmpdir(), 'diemcau-alerts-net-'));
  const invFile = join(dir, 'inventory.yaml');
  writeFileSync(
    invFile,
    generateInventory(syntheticUnits(opts.sites), { title: 'Thử nghiệm cảnh báo', base: opts.base }),
  );
  const rulesFile = join(dir, 'rules.yaml');
  writeFileSync(
    rulesFile,
    opts.ruleScale === 1 ? readFileSync(DEFAULT_RULES_FILE, 'utf8') : scaledRules(opts.ruleScale),
  );
  const trapPort = await freeUdpPort('127.0.0.1');
  const cfgFile = join(dir, 'diemcau.yaml');
  writeFileSync(
    cfgFile,
    `inventory: ${JSON.stringify(invFile)}
data_dir: ${JSON.stringify(dir)}
collector:
  interval: ${opts.interval}
  snmp_timeout: 1s
  snmp_retries: 0
  trap_listen: 127.0.0.1:${trapPort}
  icmp: { enabled: false }
  rtp: { enabled: true, packets: 20, interval: 10ms }
alerts:
  rules: ${JSON.stringify(rulesFile)}
${opts.groupWait === null ? '' : `  group_wait: ${opts.groupWait ?? '500ms'}\n`}${opts.ruleScale === 1 ? '' : `  settle: ${Math.max(5, Math.round(330 / opts.ruleScale))}s\n  flap: { count: 3, window: ${Math.round(900 / opts.ruleScale)}s, hold: ${Math.round(300 / opts.ruleScale)}s }\n`}  outbox: { retry_base: 200ms, retry_max: 2s, poll: 100ms, send_timeout: 5s }
notify:
  email: { host: 127.0.0.1, port: ${opts.smtpPort}, from: "diemcau NOC <noc@diemcau.example>" }
`,
  );
  const config = loadConfig(cfgFile, {});
  const inventory = loadInventory(invFile);
  const credentials = resolveCredentials(inventory, TEST_SECRETS);
  const state = openStateDb(join(dir, 'state.db'));
  const rt: Runtime = { config, inventory, bus: new Bus(), state, log, registry: new Registry() };
  const sim = await startSimulator({
    inventory,
    credentials,
    trapTarget: { host: '127.0.0.1', port: trapPort },
    reflectorBaseDelay: false,
    batteryTimeScale: opts.batteryTimeScale ?? 30,
  });
  const meetings = new StaticMeetings();
  const alerts = await startAlerts(rt, { meetings, env: {} });
  const collector = await startCollector(rt, { credentials });
  return {
    rt,
    sim,
    collector,
    alerts,
    meetings,
    dir,
    async stop() {
      await collector.stop();
      await alerts.stop();
      await sim.stop();
      state.close();
    },
  };
}
