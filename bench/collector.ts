// Collector benchmark: the full diemcau collector and prometheus-snmp-exporter (Debian package)
// poll the same devices for the same OIDs in the same run, side by side.
// Agents: Net-SNMP snmpd with `override` data, one process per device profile, pinned to CPU 1;
// pollers pinned to CPU 0. Each size: REPEATS processes per poller, interleaved, each a warm-up
// round then ROUNDS rounds; CPU and wall are medians of rounds, peak RSS the median of the processes'
// peaks (enough rounds for the heap to reach its steady saw-tooth). Run alone:
//   node --import tsx bench/collector.ts
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { loadProfiles } from '../collector/profile.ts';
import { generateInventory, syntheticUnits } from '../inventory/generate.ts';
import { type LoadedInventory, loadInventory } from '../inventory/load.ts';
import { buildServer, NODE_FLAGS } from '../scripts/build-server.mjs';
import { FIXTURES, overrides } from '../test/helpers/agent-data.ts';
import { type Agent, startSnmpd, TEST_SECRETS } from '../test/helpers/agents.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const SIZES = (process.env.BENCH_COLLECTOR_SIZES ?? '100,1000').split(',').map(Number);
const REPEATS = Number(process.env.BENCH_COLLECTOR_REPEATS ?? 3);
const ROUNDS = Number(process.env.BENCH_COLLECTOR_ROUNDS ?? 8);
/** loopback base of the benchmark fleet (127.46.x.x–127.47.x.x) */
const BASE = 46;

interface Round {
  cpu: number;
  wall: number;
  values: number;
  rss: number;
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

async function startAgents(inv: LoadedInventory): Promise<Agent[]> {
  const byProfile = new Map<string, string[]>();
  let port = 0;
  for (const d of inv.devices.values()) {
    byProfile.set(d.profile, [...(byProfile.get(d.profile) ?? []), d.address.host]);
    port = d.address.port;
  }
  const agents: Agent[] = [];
  for (const [profile, hosts] of byProfile) {
    for (let i = 0; i < hosts.length; i += 500) {
      agents.push(
        await startSnmpd({
          hosts: hosts.slice(i, i + 500),
          port,
          overrides: overrides(profile),
          community: TEST_SECRETS.DIEMCAU_SNMP_COMMUNITY,
          ...(pinned && { cpus: '1' }),
        }),
      );
    }
  }
  return agents;
}

/** snmp_exporter 0.21 modules reading exactly what each diemcau profile reads. */
function exporterConfig(): string {
  const modules: Record<string, unknown> = {};
  for (const p of loadProfiles().values()) {
    if (p.name.startsWith('_') || !FIXTURES[p.name]) continue;
    const types = new Map(FIXTURES[p.name]!().map(([oid, type]) => [oid, type]));
    const typeOf = (oid: string, column: boolean) => {
      const t = column ? [...types].find(([o]) => o.startsWith(`${oid}.`))?.[1] : types.get(oid);
      return t === 'octet_str' ? 'DisplayString' : t === 'counter' ? 'counter' : 'gauge';
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
          indexes: [{ labelname: 'index', type: 'gauge' }],
        });
      }
    }
    modules[p.name] = {
      version: 2,
      auth: { community: TEST_SECRETS.DIEMCAU_SNMP_COMMUNITY },
      get: [...p.scalars.values()],
      walk: [...p.tables.values()].flatMap((t) => [...t.columns.values()]),
      max_repetitions: 25,
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
const SHIPPED_FLAGS: string[] =
  process.env.BENCH_COLLECTOR_NODE_FLAGS !== undefined
    ? process.env.BENCH_COLLECTOR_NODE_FLAGS.split(' ').filter(Boolean)
    : NODE_FLAGS;

async function runDiemcau(file: string, rounds: number, nodeFlags: string[]): Promise<Round[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'diemcau-bench-data-'));
  const [cmd, args] = pin('0', process.execPath, [
    ...nodeFlags,
    ...(workerBundle ? [workerBundle] : ['--import', 'tsx', join(HERE, 'collector-worker.ts')]),
    file,
    dataDir,
    String(rounds),
    process.env.BENCH_COLLECTOR_CONCURRENCY ?? '64',
  ]);
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const out: Round[] = [];
  lines(child, (l) => {
    if (l.startsWith('{')) out.push(JSON.parse(l));
    if (process.env.BENCH_COLLECTOR_DEBUG) process.stderr.write(`${l}\n`);
  });
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
  if (code !== 0) throw new Error(`collector worker exited with ${code}`);
  return out;
}

function procStat(pid: number): { cpu: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]); // utime + stime (fields 14, 15)
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
  return { cpu: ticks / 100, rssMb: hwm ? Number(hwm[1]) / 1024 : Number.NaN };
}

async function runExporter(configFile: string, inv: LoadedInventory, rounds: number): Promise<Round[]> {
  const port = await freeTcpPort();
  const [cmd, args] = pin('0', 'prometheus-snmp-exporter', [
    `--config.file=${configFile}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=error',
  ]);
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  try {
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
    const out: Round[] = [];
    for (let r = 0; r < rounds; r++) {
      const s0 = procStat(child.pid!);
      const t0 = performance.now();
      const bodies = await Promise.all(targets.map((u) => fetch(u).then((res) => res.text())));
      const wall = (performance.now() - t0) / 1000;
      const s1 = procStat(child.pid!);
      let values = 0;
      for (const b of bodies)
        for (const l of b.split('\n')) if (l && !l.startsWith('#') && !l.startsWith('snmp_scrape')) values++;
      out.push({ cpu: s1.cpu - s0.cpu, wall, values, rss: s1.rssMb });
    }
    return out;
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    }
  }
}

interface Result {
  cpu: number;
  rss: number;
  wall: number;
  values: number;
}

function summarize(perProcess: Round[][]): Result {
  // drop each process's warm-up round
  const rounds = perProcess.flatMap((p) => p.slice(1));
  return {
    cpu: median(rounds.map((r) => r.cpu)),
    wall: median(rounds.map((r) => r.wall)),
    values: median(rounds.map((r) => r.values)),
    rss: median(perProcess.map((p) => Math.max(...p.map((r) => r.rss)))),
  };
}

export async function benchCollector(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'diemcau-bench-collector-'));
  const configFile = join(dir, 'snmp.yml');
  writeFileSync(configFile, exporterConfig());
  workerBundle = await buildWorker();
  const rows: string[] = [];
  const fmt = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : '—');
  try {
    for (const n of SIZES) {
      const { file, inv } = network(n, dir);
      const agents = await startAgents(inv);
      try {
        const ours: Round[][] = [];
        const plain: Round[][] = [];
        const peer: Round[][] = [];
        for (let r = 0; r < REPEATS; r++) {
          // interleave, rotating who goes first, so that drift hits all alike
          const runs = [
            async () => ours.push(await runDiemcau(file, ROUNDS + 1, SHIPPED_FLAGS)),
            async () => plain.push(await runDiemcau(file, ROUNDS + 1, [])),
            async () => peer.push(await runExporter(configFile, inv, ROUNDS + 1)),
          ];
          for (let k = 0; k < runs.length; k++) await runs[(k + r) % runs.length]!();
        }
        const b = summarize(peer);
        const vs = (x: number, y: number) => fmt(x / y);
        const row = (label: string, a: Result) =>
          `| ${inv.devices.size} | ${label} | ${fmt(a.cpu, 3)} | ${vs(a.cpu, b.cpu)} | ${fmt(a.rss, 0)} | ${vs(a.rss, b.rss)} | ${fmt(a.wall, 3)} | ${vs(a.wall, b.wall)} | ${fmt(a.values / a.wall, 0)} | ${vs(a.values / a.wall, b.values / b.wall)} | ${fmt(a.values, 0)} |`;
        rows.push(
          row('diemcau collector', summarize(ours)),
          row('diemcau collector, Node defaults', summarize(plain)),
          `| ${inv.devices.size} | snmp_exporter 0.21 | ${fmt(b.cpu, 3)} | 1.00 | ${fmt(b.rss, 0)} | 1.00 | ${fmt(b.wall, 3)} | 1.00 | ${fmt(b.values / b.wall, 0)} | 1.00 | ${fmt(b.values, 0)} |`,
        );
      } finally {
        await Promise.all(agents.map((x) => x.stop()));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (workerBundle) rmSync(dirname(workerBundle), { recursive: true, force: true });
  }
  return [
    `### Collector vs prometheus-snmp-exporter (${REPEATS} processes × ${ROUNDS} rounds each after a discarded warm-up, medians; ${pinned ? 'pollers on CPU 0, snmpd agents on CPU 1' : 'single CPU: no pinning'})`,
    '',
    '| devices | poller | CPU s / round | × exporter | peak RSS MB | × exporter | wall s / round | × exporter | values / s | × exporter | values / round |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `diemcau: the full collector (YAML profiles, enum/unit conversion, counter rates, bus, SQLite storage writes), one GETBULK per device (scalars as non-repeaters), 64 polls in flight (the default \`collector.concurrency\`). Exporter: the same OIDs per profile (\`get\` for scalars, \`walk\` for columns, max-repetitions 25), all scrapes at once. Values = scalars + table cells returned. The collector runs compiled as in production (\`npm run build\`), with the heap flags it ships with (\`${SHIPPED_FLAGS.join(' ')}\`, the first line of bin/diemcau.js); "Node defaults" is the same without them.`,
    '',
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(`${await benchCollector()}\n`);
}
