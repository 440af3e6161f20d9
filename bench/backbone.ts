// Backbone benchmark (issue 21): 10,000 devices' samples through NATS JetStream, from the collector's
// side to the centre's alert engine, against the same samples on the in-process bus.
//  - a real `nats-server -js` (test/helpers/nats-server.ts: free 127.0.0.1 port, temporary store);
//  - a synthetic network (inventory/generate.ts: 3,333 sites, 3 devices a site and the MCU);
//  - the collector's side in a child process (bench/backbone-worker.ts): every device's poll batch,
//    generated at its due time on the collector's schedule, published through bus/publisher.ts;
//  - the centre's side in this process: bus/consumer.ts onto a Bus with the real alert engine
//    (startAlerts) subscribed; a handler subscribed after the engine takes each batch's arrival time;
//  - then the same schedule in this process on a local Bus with the engine subscribed.
// CPU: user + system time of each process over the measured window (/proc/PID/stat; this process:
// process.cpuUsage()). `--quick`: 1,000 devices, a 10-s interval. Run alone:
//   node --import tsx bench/backbone.ts [--quick]
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { StaticMeetings, startAlerts } from '../alerts/index.ts';
import { startConsumer } from '../bus/consumer.ts';
import type { Sample } from '../core/bus.ts';
import { log } from '../core/log.ts';
import type { Runtime } from '../core/runtime.ts';
import { generateInventory, syntheticUnits } from '../inventory/generate.ts';
import { testRuntime } from '../test/helpers/alerts.ts';
import { startNatsServer } from '../test/helpers/nats-server.ts';
import { runSchedule } from './backbone-samples.ts';
import type { BenchOutput, Target } from './results.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
/** this bench's own bound on the p99 latency from a sample's poll time to the engine's ingest */
const P99_BOUND_MS = 1000;

interface Size {
  devices: number;
  sites: number;
  intervalMs: number;
  intervals: number;
}
const FULL: Size = { devices: 10_000, sites: 3_333, intervalMs: 30_000, intervals: 2 };
const QUICK: Size = { devices: 1_000, sites: 333, intervalMs: 10_000, intervals: 2 };

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))] ?? Number.NaN;
};
/** Date.now() resolution: whole milliseconds */
const ms = (v: number) => v.toFixed(0);
const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
const fmt = (n: number) => n.toLocaleString('en-US');

/** CPU seconds (user + system) of a process so far */
function cpuOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}
const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** The centre's engine quiet: no channels are configured, its warnings would fill the report. */
function centre(dir: string, inventory: string, natsUrl?: string): Runtime & { dir: string } {
  mkdirSync(dir, { recursive: true });
  const rt = testRuntime(
    `alerts:\n  group_wait: 1s\n${natsUrl ? `bus:\n  nats:\n    servers: [${JSON.stringify(natsUrl)}]\n` : ''}`,
    { dir, inventory },
  );
  return { ...rt, log: log.child({}, { level: 'error' }) };
}

/** Arrival bookkeeping: latency per batch, and how often each `device@time` arrived. */
function recorder(rt: Runtime) {
  const latency: number[] = [];
  const seen = new Map<string, number>();
  let samples = 0;
  let last = 0;
  rt.bus.onSamples((b: readonly Sample[]) => {
    const now = Date.now();
    const first = b[0]!;
    latency.push(now - first.time);
    const key = `${first.device}@${first.time}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
    samples += b.length;
    last = now;
  });
  return {
    latency,
    seen,
    samples: () => samples,
    last: () => last,
    batches: () => latency.length,
  };
}

interface PathResult {
  latency: number[];
  wallS: number;
  /** CPU seconds over the window, by process */
  cpu: Record<string, number>;
  batches: number;
  samples: number;
  missing: number;
  duplicated: number;
  digestMatches: boolean;
}

function lineReader(child: ChildProcess) {
  const waiting: ((v: Record<string, unknown>) => void)[] = [];
  const queued: Record<string, unknown>[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => {
    if (!l.startsWith('{')) return;
    const v = JSON.parse(l) as Record<string, unknown>;
    const w = waiting.shift();
    if (w) w(v);
    else queued.push(v);
  });
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  return () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const v = queued.shift();
      if (v) return resolve(v);
      waiting.push(resolve);
      void exited.then((code) => reject(new Error(`backbone worker exited with ${code}`)));
    });
}

async function throughJetStream(size: Size, inventory: string, dir: string): Promise<PathResult> {
  const nats = await startNatsServer();
  const rt = centre(join(dir, 'centre-js'), inventory, nats.url);
  const engine = await startAlerts(rt, { meetings: new StaticMeetings(), env: {} });
  const rec = recorder(rt); // after the engine: a batch is recorded once the engine has taken it
  const consumer = await startConsumer(rt, { env: {} });
  mkdirSync(join(dir, 'collector'), { recursive: true });
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(HERE, 'backbone-worker.ts'),
      inventory,
      nats.url,
      join(dir, 'collector'),
      String(size.intervalMs),
      String(size.intervals),
    ],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  try {
    const next = lineReader(child);
    await next(); // ready
    const natsPid = nats.pid()!;
    const c0 = { collector: cpuOf(child.pid!), centre: selfCpu(), nats: cpuOf(natsPid) };
    const t0 = Date.now();
    child.stdin!.write('go\n');
    await next(); // started
    const done = (await next()).done as {
      batches: number;
      samples: number;
      unique: number;
      digest: string;
      drained: boolean;
    };
    // everything the stream stored has reached the engine, or 30 s have passed
    const until = Date.now() + 30_000;
    while (rec.batches() < done.batches && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    const end = Math.max(rec.last(), t0);
    const cpu = {
      collector: cpuOf(child.pid!) - c0.collector,
      centre: selfCpu() - c0.centre,
      nats: cpuOf(natsPid) - c0.nats,
    };
    const keys = [...rec.seen.keys()].sort();
    const digest = createHash('sha256').update(keys.join('\n')).digest('hex');
    child.stdin!.end();
    await new Promise((r) => child.once('exit', r));
    return {
      latency: rec.latency,
      wallS: (end - t0) / 1000,
      cpu,
      batches: rec.batches(),
      samples: rec.samples(),
      missing: done.unique - rec.seen.size,
      duplicated: [...rec.seen.values()].filter((n) => n > 1).length,
      digestMatches:
        digest === done.digest &&
        done.unique === done.batches &&
        rec.samples() === done.samples &&
        rec.batches() === done.batches,
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await consumer.stop();
    await engine.stop();
    rt.state.close();
    await nats.stop();
  }
}

async function inProcess(size: Size, inventory: string, dir: string): Promise<PathResult> {
  const rt = centre(join(dir, 'centre-local'), inventory);
  const engine = await startAlerts(rt, { meetings: new StaticMeetings(), env: {} });
  const rec = recorder(rt);
  try {
    const c0 = selfCpu();
    const t0 = Date.now();
    const published = await runSchedule(
      [...rt.inventory.devices.values()],
      size.intervalMs,
      size.intervals,
      (b) => rt.bus.publish(b),
    );
    const end = Math.max(rec.last(), t0);
    const cpu = { local: selfCpu() - c0 };
    const sent = new Set(published.keys);
    return {
      latency: rec.latency,
      wallS: (end - t0) / 1000,
      cpu,
      batches: rec.batches(),
      samples: rec.samples(),
      missing: [...sent].filter((k) => !rec.seen.has(k)).length,
      duplicated: [...rec.seen.values()].filter((n) => n > 1).length,
      digestMatches: rec.samples() === published.samples && rec.batches() === published.keys.length,
    };
  } finally {
    await engine.stop();
    rt.state.close();
  }
}

export async function benchBackbone(argv: string[] = []): Promise<BenchOutput> {
  const quick = argv.includes('--quick');
  const size = quick ? QUICK : FULL;
  const dir = mkdtempSync(join(tmpdir(), 'diemcau-bench-backbone-'));
  try {
    const inventory = join(dir, 'inventory.yaml');
    // 127.98.x.x: addresses only written in the inventory; nothing is polled
    writeFileSync(
      inventory,
      generateInventory(syntheticUnits(size.sites), { title: `Bench ${size.devices}`, base: 98 }),
    );
    const js = await throughJetStream(size, inventory, dir);
    const local = await inProcess(size, inventory, dir);
    const share = (cpuS: number, r: PathResult) => cpuS / r.wallS;
    const jsTotal = js.cpu.collector! + js.cpu.centre! + js.cpu.nats!;
    const row = (what: string, r: PathResult, cells: string[]) =>
      `| ${what} | ${fmt(r.batches)} | ${fmt(r.samples)} | ${ms(q(r.latency, 0.5))} | ${ms(q(r.latency, 0.99))} | ${ms(Math.max(...r.latency))} | ${cells.join(' | ')} | ${r.missing} / ${r.duplicated} |`;
    const exact = (r: PathResult) => r.missing === 0 && r.duplicated === 0 && r.digestMatches;
    const markdown = [
      `${fmt(size.devices)} devices (a synthetic network of inventory/generate.ts, ${fmt(size.sites)} sites: 3 devices a site and the MCU), each polled once every ${size.intervalMs / 1000} s, the polls of an interval spread evenly over it as the collector's scheduler does; ${size.intervals} intervals measured${quick ? ' (`--quick`: a smaller network on a shortened interval)' : ''}. The samples are **generated**, not polled from SNMP agents: one batch per device poll, with the metrics its profile yields, the site's tags and \`snmp_up\` (bench/backbone-samples.ts; the MCU's per-port rows left out), every sample carrying its poll time. **JetStream**: the batches are published on the bus of a child process and sent by the real publisher of \`bus/\` (bus/publisher.ts) to a real \`nats-server -js\` (temporary file store, 127.0.0.1); this process reads them with the real durable consumer (bus/consumer.ts) onto a Bus with the real alert engine (\`startAlerts\`, default rules) subscribed. **In-process**: the same schedule in one process, published on a local Bus with the engine subscribed. Latency: from a batch's poll time to the moment the engine has taken it (a handler subscribed after the engine), per batch. CPU: user + system time over the window from the first poll to the last arrival (/proc/PID/stat; the centre's: process.cpuUsage()), as a share of one core; the collector side includes making the samples, the centre side the alert engine. Exactly once: every \`device@time\` counted at arrival, compared with the collector side's list (count and SHA-256 of the sorted ids).`,
      '',
      '| path | batches | samples | latency p50 ms | p99 ms | max ms | collector side CPU | centre side CPU | nats-server CPU | total CPU | missing / duplicated |',
      '| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |',
      row('NATS JetStream', js, [
        pct(share(js.cpu.collector!, js)),
        pct(share(js.cpu.centre!, js)),
        pct(share(js.cpu.nats!, js)),
        pct(share(jsTotal, js)),
      ]),
      row('in-process bus', local, ['—', '—', '—', pct(share(local.cpu.local!, local))]),
      '',
      `Window: ${js.wallS.toFixed(1)} s (JetStream), ${local.wallS.toFixed(1)} s (in-process). The bridge's cost is the JetStream row's total less the in-process row's: ${pct(share(jsTotal, js) - share(local.cpu.local!, local))} of one core.`,
    ].join('\n');
    const targets: Target[] = [
      {
        target: `every sample of ${fmt(size.devices)} devices delivered through JetStream exactly once`,
        measured: `${fmt(js.batches)} batches, ${fmt(js.samples)} samples; ${js.missing} missing, ${js.duplicated} duplicated; ids ${js.digestMatches ? 'match' : 'differ'}`,
        met: exact(js),
      },
      {
        target: `poll → alert engine p99 < ${P99_BOUND_MS / 1000} s through JetStream (this bench's own bound)`,
        measured: `p99 ${ms(q(js.latency, 0.99))} ms (p50 ${ms(q(js.latency, 0.5))} ms)`,
        met: q(js.latency, 0.99) < P99_BOUND_MS,
      },
      {
        target: 'CPU of the bridge, share of one core',
        measured: `publisher side ${pct(share(js.cpu.collector!, js))}, consumer side ${pct(share(js.cpu.centre!, js))}, nats-server ${pct(share(js.cpu.nats!, js))}; in-process ${pct(share(local.cpu.local!, local))}`,
        met: null,
      },
    ];
    return { markdown, targets, complete: !quick };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = await benchBackbone(process.argv.slice(2));
  console.log(out.markdown);
  for (const t of out.targets) console.log(`- ${t.target}: ${t.measured} (${t.met})`);
  process.exit(0);
}
