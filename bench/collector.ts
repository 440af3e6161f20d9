// Collector benchmark, like for like: the diemcau collector and prometheus-snmp-exporter (Debian
// package) poll the same devices for the same OIDs, at the same concurrency, with the same bulk size,
// and must return the same number of values. Requests and varbinds are counted by the agents
// themselves (Net-SNMP snmpd's SNMPv2-MIB snmpInPkts and snmpInTotalReqVars, read before and after
// every round), not assumed.
//
// Agents: snmpd with `override` data, one process per device profile and 500 addresses, on CPU 1;
// pollers on CPU 0. Each size and poller: RUNS processes, each a warm-up round then ROUNDS rounds;
// a run's figure is the median of its rounds (peak RSS: the process's peak), a row shows the median
// of the runs and their range. `--scale` adds 10,000 devices and a run of the real scheduler at
// 10,000 devices every 30 s. Run alone:  node --import tsx bench/collector.ts [--scale]
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import snmp from 'net-snmp';
import { stringify } from 'yaml';
import { planFor } from '../collector/fetch.ts';
import { loadProfiles, type Profile } from '../collector/profile.ts';
import { generateInventory, syntheticUnits } from '../inventory/generate.ts';
import { type LoadedInventory, loadInventory } from '../inventory/load.ts';
import { buildServer, NODE_FLAGS } from '../scripts/build-server.mjs';
import { FIXTURES, overrides } from '../test/helpers/agent-data.ts';
import { type Agent, startSnmpd, TEST_SECRETS } from '../test/helpers/agents.ts';
import type { BenchOutput, Target } from './results.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const SIZES = [1000, 3000];
const SCALE = 10_000;
const RUNS = Number(process.env.BENCH_COLLECTOR_RUNS ?? 3);
const ROUNDS = Number(process.env.BENCH_COLLECTOR_ROUNDS ?? 5);
/** polls in flight: diemcau's default `collector.concurrency`, and the exporter's pool */
const CONCURRENCY = 64;
/** the real scheduler's run: interval, and how many intervals are measured after two of warm-up */
const TIMED_INTERVAL_S = 30;
const TIMED_INTERVALS = Number(process.env.BENCH_COLLECTOR_TIMED_INTERVALS ?? 4);
/** loopback base of the benchmark fleet: 127.220.x.x–127.233.x.x at 10,000 devices */
const BASE = 220;

interface Round {
  cpu: number;
  wall: number;
  values: number;
  rss: number;
  requests: number;
  varbinds: number;
}

interface Run {
  cpu: number;
  wall: number;
  values: number;
  rss: number;
  requests: number;
  varbinds: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

const pinned = cpus().length >= 2;
const pin = (cpu: string, cmd: string, args: string[]): [string, string[]] =>
  pinned ? ['taskset', ['-c', cpu, cmd, ...args]] : [cmd, args];

/** A synthetic network of `devices` devices (3 per site + the MCU), every device on SNMPv2c. */
function network(devices: number, dir: string): { file: string; inv: LoadedInventory } {
  const sites = Math.round((devices - 1) / 3);
  const text = generateInventory(syntheticUnits(sites), { title: `Bench ${devices}`, base: BASE }).replaceAll(
    'snmp: core-v3',
    'snmp: site-v2c',
  );
  const file = join(dir, `inventory-${devices}.yaml`);
  writeFileSync(file, text);
  return { file, inv: loadInventory(file) };
}

/** net-snmp's walk of one subtree (not in collector/net-snmp.d.ts: the collector does not walk) */
interface Subtree {
  subtree(
    oid: string,
    maxRepetitions: number,
    feed: (vbs: unknown[]) => void,
    done: (err?: Error) => void,
  ): void;
}

/**
 * The values one device of `profile` serves for the OIDs the profile reads, counted by a plain client
 * that neither poller uses: a GET of each scalar, a full walk of each column (net-snmp `subtree`).
 */
async function served(p: Profile, host: string, port: number): Promise<number> {
  const s = snmp.createSession(host, TEST_SECRETS.DIEMCAU_SNMP_COMMUNITY, {
    port,
    version: snmp.Version2c,
    timeout: 2000,
    retries: 2,
  });
  s.on('error', () => {});
  try {
    let n = 0;
    for (const oid of p.scalars.values()) {
      const vbs = await new Promise<{ type: number }[]>((resolve, reject) =>
        s.get([oid], (err, v) => (err ? reject(err) : resolve(v as { type: number }[]))),
      );
      if (!snmp.isVarbindError(vbs[0] as never)) n++;
    }
    for (const t of p.tables.values()) {
      for (const oid of t.columns.values()) {
        n += await new Promise<number>((resolve, reject) => {
          let rows = 0;
          (s as unknown as Subtree).subtree(
            oid,
            20,
            (vbs: unknown[]) => {
              rows += vbs.length;
            },
            (err: Error | undefined) => (err ? reject(err) : resolve(rows)),
          );
        });
      }
    }
    return n;
  } finally {
    s.close();
  }
}

interface Fleet {
  agents: Agent[];
  /** one address of each agent process, where its counters are read */
  hosts: string[];
  port: number;
  expected: number;
}

async function startFleet(inv: LoadedInventory): Promise<Fleet> {
  const profiles = loadProfiles();
  const byProfile = new Map<string, string[]>();
  let port = 0;
  for (const d of inv.devices.values()) {
    byProfile.set(d.profile, [...(byProfile.get(d.profile) ?? []), d.address.host]);
    port = d.address.port;
  }
  const agents: Agent[] = [];
  const hosts: string[] = [];
  for (const [profile, all] of byProfile) {
    for (let i = 0; i < all.length; i += 500) {
      const slice = all.slice(i, i + 500);
      agents.push(
        await startSnmpd({
          hosts: slice,
          port,
          overrides: overrides(profile),
          community: TEST_SECRETS.DIEMCAU_SNMP_COMMUNITY,
          ...(pinned && { cpus: '1' }),
        }),
      );
      hosts.push(slice[0]!);
    }
  }
  let expected = 0;
  for (const [profile, all] of byProfile)
    expected += all.length * (await served(profiles.get(profile)!, all[0]!, port));
  return { agents, hosts, port, expected };
}

const IN_PKTS = '1.3.6.1.2.1.11.1.0';
const IN_TOTAL_REQ_VARS = '1.3.6.1.2.1.11.13.0';

/** The agents' own request counters, summed over the fleet. */
async function counters(fleet: Fleet): Promise<{ packets: number; varbinds: number }> {
  const one = (host: string) =>
    new Promise<[number, number]>((resolve, reject) => {
      const s = snmp.createSession(host, TEST_SECRETS.DIEMCAU_SNMP_COMMUNITY, {
        port: fleet.port,
        version: snmp.Version2c,
        timeout: 2000,
        retries: 2,
      });
      s.on('error', () => {});
      s.get([IN_PKTS, IN_TOTAL_REQ_VARS], (err, vbs) => {
        s.close();
        if (err || !vbs) reject(err ?? new Error('no answer'));
        else resolve([Number(vbs[0]!.value), Number(vbs[1]!.value)]);
      });
    });
  const all = await Promise.all(fleet.hosts.map(one));
  return { packets: all.reduce((a, x) => a + x[0], 0), varbinds: all.reduce((a, x) => a + x[1], 0) };
}

/** What one reading of the counters adds to them (measured with nothing else polling). */
async function counterCost(fleet: Fleet): Promise<{ packets: number; varbinds: number }> {
  const a = await counters(fleet);
  const b = await counters(fleet);
  return { packets: b.packets - a.packets, varbinds: b.varbinds - a.varbinds };
}

/** A poller under test, driven round by round. */
interface Poller {
  pid: number;
  round(): Promise<{ cpu: number; wall: number; values: number; rss: number }>;
  stop(): Promise<void>;
}

async function measure(fleet: Fleet, start: () => Promise<Poller>): Promise<Run> {
  const cost = await counterCost(fleet);
  const poller = await start();
  const rounds: Round[] = [];
  try {
    for (let r = 0; r <= ROUNDS; r++) {
      const c0 = await counters(fleet);
      const x = await poller.round();
      const c1 = await counters(fleet);
      rounds.push({
        ...x,
        requests: c1.packets - c0.packets - cost.packets,
        varbinds: c1.varbinds - c0.varbinds - cost.varbinds,
      });
    }
  } finally {
    await poller.stop();
  }
  const measured = rounds.slice(1); // the warm-up round is left out
  return {
    cpu: median(measured.map((r) => r.cpu)),
    wall: median(measured.map((r) => r.wall)),
    values: median(measured.map((r) => r.values)),
    requests: median(measured.map((r) => r.requests)),
    varbinds: median(measured.map((r) => r.varbinds)),
    rss: Math.max(...rounds.map((r) => r.rss)),
  };
}

/** snmp_exporter 0.21 modules reading exactly what each diemcau profile reads, with its bulk size. */
function exporterConfig(): string {
  const modules: Record<string, unknown> = {};
  for (const p of loadProfiles().values()) {
    if (p.name.startsWith('_') || !FIXTURES[p.name]) continue;
    const types = new Map(FIXTURES[p.name]!().map(([oid, type]) => [oid, type]));
    const typeOf = (oid: string, column: boolean) => {
      const t = column ? [...types].find(([o]) => o.startsWith(`${oid}.`))?.[1] : types.get(oid);
      return t === 'octet_str' ? 'DisplayString' : t === 'counter' ? 'counter' : 'gauge';
    };
    const indexLength = (column: string) => {
      const row = [...types.keys()].find((o) => o.startsWith(`${column}.`));
      return row ? row.slice(column.length + 1).split('.').length : 1;
    };
    const metrics: unknown[] = [];
    for (const [name, oid] of p.scalars) {
      metrics.push({
        name: `${p.name.replaceAll('-', '_')}_${name}`,
        oid: oid.slice(0, -2),
        type: typeOf(oid, false),
        help: name,
      });
    }
    for (const [table, t] of p.tables) {
      for (const [col, oid] of t.columns) {
        metrics.push({
          name: `${p.name.replaceAll('-', '_')}_${table}_${col}`,
          oid,
          type: typeOf(oid, true),
          help: col,
          // one label per sub-identifier of the row index (CTS stream rows are call.type.source)
          indexes: Array.from({ length: indexLength(oid) }, (_, i) => ({
            labelname: `i${i}`,
            type: 'gauge',
          })),
        });
      }
    }
    modules[p.name] = {
      version: 2,
      auth: { community: TEST_SECRETS.DIEMCAU_SNMP_COMMUNITY },
      get: [...p.scalars.values()],
      walk: [...p.tables.values()].flatMap((t) => [...t.columns.values()]),
      // diemcau's GETBULK size for this profile (rows hint + 1), so both ask for the same rows
      max_repetitions: planFor(p).maxRepetitions,
      retries: 1,
      timeout: '5s',
      metrics,
    };
  }
  // 0.21 reads the modules at the top level (newer releases nest them under `modules:`)
  return stringify(modules);
}

function lines(child: ChildProcess, onLine: (l: string) => void): void {
  let buf = '';
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      onLine(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
}

/**
 * The worker compiled as production is (scripts/build-server.mjs), so that the measured process is
 * the collector and not also tsx's TypeScript loader thread.
 */
async function buildWorker(): Promise<string | null> {
  if (process.env.BENCH_COLLECTOR_TSX === '1') return null;
  try {
    // inside the project, so that the external packages resolve from its node_modules
    const outdir = join(ROOT, 'node_modules', '.cache', `diemcau-bench-${process.pid}`);
    await buildServer({ outdir, entryPoints: { 'collector-worker': join(HERE, 'collector-worker.ts') } });
    return join(outdir, 'collector-worker.js');
  } catch (err) {
    process.stderr.write(
      `bench/collector: cannot build the worker (${String(err)}); measuring it under tsx\n`,
    );
    return null;
  }
}

let workerBundle: string | null = null;

/** the heap flags diemcau ships with (the shebang of bin/diemcau.js), or BENCH_COLLECTOR_NODE_FLAGS */
const FLAGS =
  process.env.BENCH_COLLECTOR_NODE_FLAGS !== undefined
    ? process.env.BENCH_COLLECTOR_NODE_FLAGS.split(' ').filter(Boolean)
    : NODE_FLAGS;

function workerCommand(args: string[]): [string, string[]] {
  return pin('0', process.execPath, [
    ...FLAGS,
    ...(workerBundle ? [workerBundle] : ['--import', 'tsx', join(HERE, 'collector-worker.ts')]),
    ...args,
  ]);
}

/** The diemcau collector in its own process, one round per line written to its stdin. */
async function diemcau(file: string, storage: boolean): Promise<Poller> {
  const dataDir = mkdtempSync(join(tmpdir(), 'diemcau-bench-data-'));
  const [cmd, args] = workerCommand([file, dataDir, String(CONCURRENCY), storage ? 'storage' : 'no-storage']);
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting: ((l: string) => void)[] = [];
  lines(child, (l) => {
    if (process.env.BENCH_COLLECTOR_DEBUG) process.stderr.write(`${l}\n`);
    if (l.startsWith('{')) waiting.shift()?.(l);
  });
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  const next = () =>
    new Promise<string>((resolve, reject) => {
      waiting.push(resolve);
      void exited.then((code) => reject(new Error(`collector worker exited with ${code}`)));
    });
  await next(); // {"ready": …}
  return {
    pid: child.pid!,
    async round() {
      const reply = next();
      child.stdin!.write('round\n');
      return JSON.parse(await reply);
    },
    async stop() {
      const dir = process.env.BENCH_COLLECTOR_SNAPSHOT;
      if (dir) {
        // where the memory goes: a heap snapshot after the rounds (read it with bench/heap-summary.ts)
        const reply = next();
        child.stdin!.write(
          `snapshot ${join(dir, `${storage ? 'storage' : 'poll'}-${child.pid}.heapsnapshot`)}\n`,
        );
        process.stderr.write(`heap snapshot: ${await reply}\n`);
      }
      child.stdin!.end('end\n');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function procStat(pid: number): { cpu: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]); // utime + stime (fields 14, 15)
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
  return { cpu: ticks / 100, rssMb: hwm ? Number(hwm[1]) / 1024 : Number.NaN };
}

/** prometheus-snmp-exporter, scraped by a pool of `pool` loops (Infinity: every target at once). */
async function exporter(configFile: string, inv: LoadedInventory, pool: number): Promise<Poller> {
  const port = await freeTcpPort();
  const [cmd, args] = pin('0', 'prometheus-snmp-exporter', [
    `--config.file=${configFile}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=error',
  ]);
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`${base}/metrics`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (child.exitCode !== null) throw new Error(`prometheus-snmp-exporter exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const targets = [...inv.devices.values()].map(
    (d) => `${base}/snmp?target=${d.address.host}:${d.address.port}&module=${d.profile}`,
  );
  const scrape = async (u: string) => {
    const res = await fetch(u);
    const body = await res.text();
    if (!res.ok) throw new Error(`snmp_exporter answered ${res.status} for ${u}: ${body.slice(0, 300)}`);
    let values = 0;
    for (const l of body.split('\n')) if (l && !l.startsWith('#') && !l.startsWith('snmp_scrape')) values++;
    if (process.env.BENCH_COLLECTOR_DEBUG && values < 3) process.stderr.write(`${u}\n${body}\n`);
    return values;
  };
  return {
    pid: child.pid!,
    async round() {
      const s0 = procStat(child.pid!);
      const t0 = performance.now();
      let values = 0;
      let at = 0;
      const loop = async () => {
        while (at < targets.length) {
          const v = await scrape(targets[at++]!);
          values += v;
        }
      };
      await Promise.all(Array.from({ length: Math.min(pool, targets.length) }, loop));
      const wall = (performance.now() - t0) / 1000;
      const s1 = procStat(child.pid!);
      return { cpu: s1.cpu - s0.cpu, wall, values, rss: s1.rssMb };
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
    },
  };
}

interface Timed {
  cpuShare: number;
  rss: number;
  heapMb: number;
  /** resident memory by kind at the end, MB (collector-worker.ts memory()) */
  memory: Record<string, number>;
  values: number;
  expected: number;
  late: number;
}

/** The real scheduler: every device every 30 s, CPU over whole intervals after two of warm-up. */
async function timedRun(file: string, expected: number): Promise<Timed> {
  const dataDir = mkdtempSync(join(tmpdir(), 'diemcau-bench-data-'));
  const [cmd, args] = workerCommand([
    file,
    dataDir,
    String(CONCURRENCY),
    'storage',
    `--timed=${TIMED_INTERVAL_S},${TIMED_INTERVALS}`,
  ]);
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let result: Omit<Timed, 'expected'> | null = null;
  lines(child, (l) => {
    if (l.startsWith('{"timed"')) result = JSON.parse(l).timed;
  });
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
  if (code !== 0 || !result) throw new Error(`timed collector worker exited with ${code}`);
  return { ...(result as Omit<Timed, 'expected'>), expected: expected * TIMED_INTERVALS };
}

const POLLERS = [
  { key: 'diemcau', label: 'diemcau collector: poll, convert, bus', exporter: false },
  { key: 'diemcau+storage', label: 'diemcau collector + its SQLite writes (as shipped)', exporter: false },
  { key: 'exporter', label: `snmp_exporter 0.21, ${CONCURRENCY} scrapes in flight`, exporter: true },
  { key: 'exporter-all', label: 'snmp_exporter 0.21, every scrape at once', exporter: true },
] as const;

type Key = (typeof POLLERS)[number]['key'];

export async function benchCollector(argv: string[] = []): Promise<BenchOutput> {
  const { values: opts } = parseArgs({
    args: argv,
    options: {
      scale: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      // a partial run of other sizes (printed, not written): --sizes=10000
      sizes: { type: 'string' },
      // a partial run of some pollers: --pollers=diemcau,exporter
      pollers: { type: 'string' },
      // the 30-s scheduler run at 10,000 devices: part of --scale; with --sizes only if asked
      timed: { type: 'boolean', default: false },
    },
    strict: false,
  });
  const sizes =
    typeof opts.sizes === 'string'
      ? opts.sizes.split(',').map(Number)
      : opts.quick
        ? [1000]
        : opts.scale
          ? [...SIZES, SCALE]
          : SIZES;
  const only = typeof opts.pollers === 'string' ? opts.pollers.split(',') : null;
  const dir = mkdtempSync(join(tmpdir(), 'diemcau-bench-collector-'));
  const configFile = join(dir, 'snmp.yml');
  writeFileSync(configFile, exporterConfig());
  workerBundle = await buildWorker();
  const results = new Map<number, Map<Key, Run[]>>();
  const expectedBySize = new Map<number, number>();
  let timed: Timed | null = null;
  try {
    for (const n of sizes) {
      const { file, inv } = network(n, dir);
      const fleet = await startFleet(inv);
      expectedBySize.set(inv.devices.size, fleet.expected);
      const runs = new Map<Key, Run[]>(POLLERS.map((p) => [p.key, []]));
      results.set(inv.devices.size, runs);
      try {
        const start: Record<Key, () => Promise<Poller>> = {
          diemcau: () => diemcau(file, false),
          'diemcau+storage': () => diemcau(file, true),
          exporter: () => exporter(configFile, inv, CONCURRENCY),
          'exporter-all': () => exporter(configFile, inv, Number.POSITIVE_INFINITY),
        };
        // every scrape at once needs two descriptors per target in the exporter
        const keys = POLLERS.map((p) => p.key)
          .filter((k) => k !== 'exporter-all' || n <= 3000)
          .filter((k) => !only || only.includes(k));
        for (let r = 0; r < RUNS; r++) {
          // interleaved, rotating who goes first, so that drift hits all alike
          for (let k = 0; k < keys.length; k++) {
            const key = keys[(k + r) % keys.length]!;
            runs.get(key)!.push(await measure(fleet, start[key]));
          }
        }
        if (n === SCALE && (opts.scale === true || opts.timed === true))
          timed = await timedRun(file, fleet.expected);
      } finally {
        await Promise.all(fleet.agents.map((a) => a.stop()));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (workerBundle) rmSync(dirname(workerBundle), { recursive: true, force: true });
  }
  const partial =
    opts.quick === true || opts.scale !== true || typeof opts.sizes === 'string' || only !== null;
  return report(results, expectedBySize, timed, partial);
}

const fmt = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : '—');
const int = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '—');

/** median (min–max) of the runs */
function spread(runs: Run[], f: (r: Run) => number, d: number): string {
  const xs = runs.map(f);
  if (xs.length === 0) return '—';
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return lo === hi ? fmt(lo, d) : `${fmt(median(xs), d)} (${fmt(lo, d)}–${fmt(hi, d)})`;
}

/** Least squares: y = fixed + perK × (devices / 1000). */
function leastSquares(points: [number, number][]): { fixed: number; perK: number } {
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const perK = sxx === 0 ? Number.NaN : (sxy / sxx) * 1000;
  return { fixed: my - (perK / 1000) * mx, perK };
}

function report(
  results: Map<number, Map<Key, Run[]>>,
  expectedBySize: Map<number, number>,
  timed: Timed | null,
  partial: boolean,
): BenchOutput {
  const med = (runs: Run[], f: (r: Run) => number) => median(runs.map(f));
  const out: string[] = [
    `### Like for like: ${CONCURRENCY} polls in flight on both sides, the same OIDs and GETBULK size (${RUNS} runs × ${ROUNDS} rounds after a warm-up; median of the runs, their range in brackets)`,
    '',
    '| devices | poller | CPU s / round | × exporter | peak RSS MB | × exporter | wall s / round | values / round (expected) | requests / device | varbinds / device |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const mismatches: string[] = [];
  const targets: Target[] = [];
  for (const [n, runs] of results) {
    const expected = expectedBySize.get(n)!;
    const peer = runs.get('exporter')!;
    const pCpu = med(peer, (r) => r.cpu);
    const pRss = med(peer, (r) => r.rss);
    for (const p of POLLERS) {
      const rs = runs.get(p.key)!;
      if (rs.length === 0) {
        out.push(`| ${int(n)} | ${p.label} | not run: two descriptors per target at once | | | | | | | |`);
        continue;
      }
      for (const r of rs)
        if (r.values !== expected)
          mismatches.push(
            `${int(n)} devices, ${p.label}: ${int(r.values)} values, expected ${int(expected)}`,
          );
      out.push(
        `| ${int(n)} | ${p.label} | ${spread(rs, (r) => r.cpu, 3)} | ${fmt(med(rs, (r) => r.cpu) / pCpu)} | ${spread(rs, (r) => r.rss, 0)} | ${fmt(med(rs, (r) => r.rss) / pRss)} | ${spread(rs, (r) => r.wall, 3)} | ${int(med(rs, (r) => r.values))} (${int(expected)}) | ${fmt(med(rs, (r) => r.requests) / n)} | ${fmt(med(rs, (r) => r.varbinds) / n, 1)} |`,
      );
    }
    const ours = runs.get('diemcau')!;
    const shipped = runs.get('diemcau+storage')!;
    targets.push(
      {
        target: `collector CPU at ${int(n)} devices ≤ 1.0× snmp_exporter at equal concurrency (stretch ≤ 0.3×)`,
        measured: `${fmt(med(ours, (r) => r.cpu) / pCpu)}× (with storage writes ${fmt(med(shipped, (r) => r.cpu) / pCpu)}×)`,
        met: med(ours, (r) => r.cpu) / pCpu <= 1,
      },
      {
        target: `collector memory at ${int(n)} devices ≤ snmp_exporter's at equal concurrency`,
        measured: `${fmt(
          med(ours, (r) => r.rss),
          0,
        )} MB vs ${fmt(pRss, 0)} MB (${fmt(med(ours, (r) => r.rss) / pRss)}×)`,
        met: med(ours, (r) => r.rss) <= pRss,
      },
    );
  }
  out.push(
    '',
    `Both sides poll every device of a synthetic network (3 devices a site and the MCU; the codec, UPS and router profiles of collector/profiles/) served by Net-SNMP snmpd. diemcau: the collector compiled as shipped (\`npm run build\`, the heap flags of bin/diemcau.js: \`${FLAGS.join(' ')}\`), \`collector.concurrency\` ${CONCURRENCY}, one GETBULK per device sized by the profile's \`rows:\` hint (scalars as non-repeaters). Exporter: the same OIDs per profile (\`get\` for scalars, \`walk\` for columns), \`max_repetitions\` set to diemcau's GETBULK size, scraped over HTTP by ${CONCURRENCY} loops (as Prometheus spreads scrapes over its interval); the row "every scrape at once" is the exporter sent every target together, as an earlier version of this bench did. CPU: the poller process's user + system time (\`/proc/PID/stat\`; the scraping client is not counted). Values: scalars and table cells returned, compared with what the agents serve for the OIDs asked (a mismatch fails the bench). Requests and varbinds per device: counted by the agents (snmpInPkts, snmpInTotalReqVars of every snmpd process, read before and after each round, less what the reading itself adds). × exporter: against the exporter at ${CONCURRENCY} in flight.`,
  );
  if (mismatches.length > 0) {
    throw new Error(
      `collector bench: the pollers did not return the values the agents serve:\n${mismatches.join('\n')}`,
    );
  }
  // the scale curve: fixed cost and cost per 1,000 devices, each poller
  if (results.size >= 2) {
    out.push(
      '',
      '### Scale: cost per additional 1,000 devices and fixed cost (least squares over the sizes above)',
      '',
      '| poller | CPU s / round per 1,000 devices | CPU s / round, fixed | peak RSS MB per 1,000 devices | peak RSS MB, fixed |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const p of POLLERS) {
      const pts = [...results].filter(([, r]) => r.get(p.key)!.length > 0);
      if (pts.length < 2) continue;
      const cpu = leastSquares(pts.map(([n, r]) => [n, med(r.get(p.key)!, (x) => x.cpu)]));
      const rss = leastSquares(pts.map(([n, r]) => [n, med(r.get(p.key)!, (x) => x.rss)]));
      out.push(
        `| ${p.label} | ${fmt(cpu.perK, 3)} | ${fmt(cpu.fixed, 3)} | ${fmt(rss.perK, 1)} | ${fmt(rss.fixed, 0)} |`,
      );
    }
  }
  if (timed) {
    const t = timed as Timed;
    const m = t.memory;
    out.push(
      '',
      `### ${int(SCALE + 1)} devices every ${TIMED_INTERVAL_S} s: the real scheduler`,
      '',
      '| measure | value |',
      '| --- | --- |',
      `| CPU, share of one core (${TIMED_INTERVALS} intervals after two of warm-up: the first polls also read each device's identity) | ${fmt(t.cpuShare * 100, 1)} % |`,
      `| peak RSS | ${fmt(t.rss, 0)} MB |`,
      `| resident at the end | ${fmt(m.rssNow ?? Number.NaN, 0)} MB |`,
      `| — mapped from files (the node binary, ICU, OpenSSL, better-sqlite3) | ${fmt(m.file ?? Number.NaN, 0)} MB |`,
      `| — V8 heap reserved | ${fmt(m.heapTotal ?? Number.NaN, 0)} MB |`,
      `| — — of which live after a full collection | ${fmt(t.heapMb, 1)} MB |`,
      `| — other anonymous memory (SQLite page cache, sockets, malloc) | ${fmt((m.anonymous ?? Number.NaN) - (m.heapTotal ?? Number.NaN), 0)} MB |`,
      `| values in the measured intervals (at least: every device's values once an interval) | ${int(t.values)} (${int(t.expected)}) |`,
      `| polls that started more than 10 s after they were due | ${int(t.late)} |`,
      '',
      `The collector as \`diemcau serve\` runs it (compiled, shipped heap flags, SQLite storage writes, concurrency ${CONCURRENCY}), its scheduler spreading the devices over the ${TIMED_INTERVAL_S} s interval; the SNMP agents on the other core.`,
    );
    targets.push(
      {
        target: `${int(SCALE)} devices every ${TIMED_INTERVAL_S} s: < 50 % of one core`,
        measured: `${fmt(t.cpuShare * 100, 1)} %`,
        met: t.cpuShare < 0.5,
      },
      {
        target: `${int(SCALE)} devices every ${TIMED_INTERVAL_S} s: every device polled in every interval, none late by more than 10 s`,
        measured: `${int(t.values)} values (at least ${int(t.expected)} expected); ${int(t.late)} late`,
        met: t.values >= t.expected && t.late === 0,
      },
    );
  }
  return { markdown: out.join('\n'), targets, complete: !partial };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await benchCollector(process.argv.slice(2));
  process.stdout.write(`${r.markdown}\n`);
  process.exit(0);
}
