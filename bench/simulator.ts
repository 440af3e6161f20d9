// Simulator benchmark: one simulator process serves ≥1,000 devices; a separate poller process
// (npm net-snmp, sessions kept) polls every device once per round, like the collector would:
// one GET of scalars plus one GETBULK of table columns per device. Prints devices answered, the
// simulator's CPU seconds per round (its own process.cpuUsage) and the round's wall time.
//   node --import tsx bench/simulator.ts [--sites 334] [--rounds 5] [--concurrency 100]
import { fork } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { generateInventory, syntheticUnits } from '../inventory/generate.ts';
import { type DeviceRef, loadInventory, resolveCredentials } from '../inventory/load.ts';
import type { BenchOutput, Target } from './results.ts';

const ENV = {
  DIEMCAU_SNMP_COMMUNITY: 'bench-community',
  DIEMCAU_SNMP_AUTH_KEY: 'bench-auth-key',
  DIEMCAU_SNMP_PRIV_KEY: 'bench-priv-key',
};
/** 127.234.x.x–127.247.x.x at 10,000 devices (the collector bench uses 220–233) */
const BASE = 234;

// ---------------------------------------------------------------- simulator side (child)
if (process.argv.includes('--serve')) {
  const file = process.argv[process.argv.indexOf('--serve') + 1]!;
  const { startSimulator } = await import('../simulator/index.ts');
  const inventory = loadInventory(file);
  const sim = await startSimulator({ inventory, credentials: resolveCredentials(inventory, ENV), seed: 7 });
  const sites = [...inventory.sites.keys()];
  sim.meeting.start(sites.slice(0, Math.min(sites.length, 120)));
  process.on('message', (m: string) => {
    if (m === 'cpu') {
      const c = process.cpuUsage();
      process.send!({ cpu: (c.user + c.system) / 1e6, rss: process.memoryUsage().rss });
    }
    if (m === 'stop') void sim.stop().then(() => process.exit(0));
  });
  process.send!({ ready: sim.counts });
} else if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const { values } = parseArgs({
    options: {
      sites: { type: 'string', default: '334' },
      rounds: { type: 'string', default: '5' },
      concurrency: { type: 'string', default: '100' },
    },
  });
  const r = await measure(Number(values.sites), Number(values.rounds), Number(values.concurrency));
  console.log(JSON.stringify(r, null, 2));
  console.log(summary(r));
}

export interface SimulatorBench {
  devices: number;
  agents: number;
  reflectors: number;
  answered_per_round: number[];
  values_per_round: number;
  simulator_cpu_s_per_round: number;
  simulator_cpu_ms_per_device: number;
  round_wall_s: number;
  simulator_rss_mb: number;
  poller_cpu_s_total: number;
  rounds: number;
  concurrency: number;
}

function summary(r: SimulatorBench): string {
  return (
    `Simulator: ${r.devices} thiết bị (devices), ${Math.min(...r.answered_per_round)} trả lời mỗi vòng; ` +
    `CPU giả lập ${r.simulator_cpu_s_per_round.toFixed(2)} s/vòng (${r.simulator_cpu_ms_per_device.toFixed(2)} ms/thiết bị), ` +
    `vòng ${r.round_wall_s.toFixed(2)} s.`
  );
}

/** For `npm run bench`: rounds of 1,000, 3,000 and 10,000 devices as a Markdown table. */
export async function benchSimulator(argv: string[] = []): Promise<BenchOutput> {
  const sites = argv.includes('--quick') ? [334] : [334, 1000, 3333];
  const rs: SimulatorBench[] = [];
  for (const n of sites) rs.push(await measure(n, 5, 100));
  const targets: Target[] = rs.map((r) => ({
    target: `simulator not the bottleneck of a ${r.devices.toLocaleString('en-US')}-device round (every device answers; < 1 ms of CPU a device)`,
    measured: `${Math.min(...r.answered_per_round)} answered; ${r.simulator_cpu_ms_per_device} ms a device`,
    met: Math.min(...r.answered_per_round) === r.devices && r.simulator_cpu_ms_per_device < 1,
  }));
  const markdown = [
    '| devices | answered per round | values per round | simulator CPU s / round | ms / device | round wall s | simulator RSS MB |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rs.map(
      (r) =>
        `| ${r.devices.toLocaleString('en-US')} | ${Math.min(...r.answered_per_round).toLocaleString('en-US')} | ${r.values_per_round.toLocaleString('en-US')} | ${r.simulator_cpu_s_per_round} | ${r.simulator_cpu_ms_per_device} | ${r.round_wall_s} | ${r.simulator_rss_mb} |`,
    ),
    '',
    'One simulator process (SNMP agents for every device, RTP reflectors, 120 sites in a meeting); a net-snmp',
    'client in another process polls each device once per round (one GET + one GETBULK, 100 in flight);',
    "CPU is the simulator process's own `process.cpuUsage()`, median of 5 rounds after a warm-up round.",
  ].join('\n');
  return { markdown, targets, complete: sites.length === 3 };
}

async function measure(nSites: number, rounds: number, concurrency: number): Promise<SimulatorBench> {
  const dir = mkdtempSync(join(tmpdir(), 'diemcau-bench-sim-'));
  const file = join(dir, 'inventory.yaml');
  writeFileSync(file, generateInventory(syntheticUnits(nSites), { title: 'Benchmark', base: BASE }));
  const inventory = loadInventory(file);
  const creds = resolveCredentials(inventory, ENV);

  const child = fork(new URL(import.meta.url).pathname, ['--serve', file], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, DIEMCAU_LOG_LEVEL: process.env.DIEMCAU_LOG_LEVEL ?? 'warn' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ask = <T>(msg: string, key: string): Promise<T> =>
    new Promise((resolve) => {
      const on = (m: Record<string, unknown>) => {
        if (key in m) {
          child.off('message', on);
          resolve(m as T);
        }
      };
      child.on('message', on);
      if (msg) child.send(msg);
    });
  const ready = await ask<{ ready: { agents: number; reflectors: number } }>('', 'ready');

  const snmp = createRequire(import.meta.url)('net-snmp');
  type Session = {
    get(oids: string[], cb: (err: Error | null, vbs: unknown[]) => void): void;
    getBulk(
      oids: string[],
      nonRep: number,
      maxRep: number,
      cb: (err: Error | null, vbs: unknown[]) => void,
    ): void;
    close(): void;
  };
  const sessions = new Map<string, Session>();
  const sessionFor = (d: DeviceRef): Session => {
    let s = sessions.get(d.id);
    if (s) return s;
    const c = creds.get(d.snmp)!;
    const opts = { port: d.address.port, retries: 1, timeout: 2000, version: snmp.Version2c };
    if (c.version === '2c') s = snmp.createSession(d.address.host, c.community, opts) as Session;
    else
      s = snmp.createV3Session(
        d.address.host,
        {
          name: c.user,
          level: snmp.SecurityLevel.authPriv,
          authProtocol: snmp.AuthProtocols.sha,
          authKey: c.auth!.key,
          privProtocol: snmp.PrivProtocols.aes,
          privKey: c.priv!.key,
        },
        { ...opts, version: snmp.Version3 },
      ) as Session;
    sessions.set(d.id, s);
    return s;
  };

  const SCALARS: Record<string, string[]> = {
    'ups-mib': [
      '1.3.6.1.2.1.33.1.2.1.0',
      '1.3.6.1.2.1.33.1.2.2.0',
      '1.3.6.1.2.1.33.1.2.3.0',
      '1.3.6.1.2.1.33.1.2.4.0',
      '1.3.6.1.2.1.33.1.4.1.0',
      '1.3.6.1.2.1.33.1.6.1.0',
    ],
    'apc-powernet': [
      '1.3.6.1.4.1.318.1.1.1.2.1.1.0',
      '1.3.6.1.4.1.318.1.1.1.2.2.1.0',
      '1.3.6.1.4.1.318.1.1.1.2.2.3.0',
      '1.3.6.1.4.1.318.1.1.1.3.2.1.0',
      '1.3.6.1.4.1.318.1.1.1.4.1.1.0',
      '1.3.6.1.4.1.318.1.1.1.4.2.3.0',
    ],
    'polycom-group': [
      '1.3.6.1.4.1.13885.101.1.1.6.0',
      '1.3.6.1.4.1.13885.101.1.3.1.0',
      '1.3.6.1.4.1.13885.101.1.5.1.0',
    ],
    'polycom-hdx': ['1.3.6.1.4.1.2684.1.1.21.0', '1.3.6.1.4.1.2684.1.1.22.0', '1.3.6.1.4.1.2684.1.1.23.0'],
    'polycom-mcu': [
      '1.3.6.1.4.1.13885.110.1.2.17.5.0',
      '1.3.6.1.4.1.13885.110.1.2.17.10.0',
      '1.3.6.1.4.1.13885.110.1.5.1.0',
    ],
  };
  const COLUMNS: Record<string, string[]> = {
    'ups-mib': ['1.3.6.1.2.1.33.1.3.3.1.3', '1.3.6.1.2.1.33.1.4.4.1.5'],
    'polycom-group': [
      '1.3.6.1.4.1.13885.101.1.4.1.1.16',
      '1.3.6.1.4.1.13885.101.1.4.1.1.18',
      '1.3.6.1.4.1.13885.101.1.4.1.1.20',
    ],
    'polycom-mcu': ['1.3.6.1.4.1.32473.1.1.1.3', '1.3.6.1.4.1.32473.1.1.1.4', '1.3.6.1.4.1.32473.1.1.1.5'],
  };
  const IF_COLS = ['1.3.6.1.2.1.2.2.1.8', '1.3.6.1.2.1.31.1.1.1.6', '1.3.6.1.2.1.31.1.1.1.10'];

  const devices = [...inventory.devices.values()];
  const pollOne = (d: DeviceRef): Promise<number> =>
    new Promise((resolve) => {
      const s = sessionFor(d);
      const scalars = [
        '1.3.6.1.2.1.1.3.0',
        '1.3.6.1.2.1.1.5.0',
        '1.3.6.1.2.1.2.1.0',
        ...(SCALARS[d.profile] ?? []),
      ];
      s.get(scalars, (err, vbs) => {
        if (err) return resolve(0);
        const cols = [...IF_COLS, ...(COLUMNS[d.profile] ?? [])];
        const reps = d.kind === 'mcu' ? Math.max(5, inventory.mcuPorts.size) : 5;
        s.getBulk(cols, 0, reps, (err2, vbs2) => {
          // net-snmp groups each repeater's values in an array
          const bulk = vbs2.reduce<number>((n, v) => n + (Array.isArray(v) ? v.length : 1), 0);
          resolve(err2 ? 0 : vbs.length + bulk);
        });
      });
    });
  const round = async (): Promise<{ answered: number; values: number; wall: number }> => {
    const t0 = performance.now();
    let next = 0;
    let answered = 0;
    let count = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < devices.length) {
          const d = devices[next++]!;
          const n = await pollOne(d);
          if (n > 0) answered++;
          count += n;
        }
      }),
    );
    return { answered, values: count, wall: (performance.now() - t0) / 1000 };
  };

  await round(); // warm-up: v3 discovery, sessions, JIT
  const results: { cpu: number; wall: number; answered: number; values: number }[] = [];
  for (let i = 0; i < rounds; i++) {
    const a = await ask<{ cpu: number }>('cpu', 'cpu');
    const r = await round();
    const b = await ask<{ cpu: number; rss: number }>('cpu', 'cpu');
    results.push({ cpu: b.cpu - a.cpu, ...r });
  }
  const mem = await ask<{ rss: number }>('cpu', 'cpu');
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const cpu = median(results.map((r) => r.cpu));
  const wall = median(results.map((r) => r.wall));
  const pollerCpu = process.cpuUsage();
  const result: SimulatorBench = {
    devices: devices.length,
    agents: ready.ready.agents,
    reflectors: ready.ready.reflectors,
    answered_per_round: results.map((r) => r.answered),
    values_per_round: median(results.map((r) => r.values)),
    simulator_cpu_s_per_round: Number(cpu.toFixed(3)),
    simulator_cpu_ms_per_device: Number(((cpu * 1000) / devices.length).toFixed(3)),
    round_wall_s: Number(wall.toFixed(3)),
    simulator_rss_mb: Math.round(mem.rss / 1e6),
    poller_cpu_s_total: Number(((pollerCpu.user + pollerCpu.system) / 1e6).toFixed(2)),
    rounds,
    concurrency,
  };
  for (const s of sessions.values()) s.close();
  child.send('stop');
  await new Promise((r) => child.once('exit', r));
  return result;
}
