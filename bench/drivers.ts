// Management-API drivers benchmark (issue 20): 120 and 1,000 participants polled by each driver of
// collector/drivers/ — the Pexip Infinity management status API, the Cisco TelePresence XML-RPC API
// (MCU / TelePresence Server) and the Cisco xAPI of the codecs — CPU-s and HTTP requests per round.
//
// Simulator side (this process): the project's simulator of that protocol (simulator/pexip.ts,
// simulator/cisco-telepresence.ts, simulator/xapi.ts) over a synthetic network whose every site is in
// the meeting. Driver side (a child process, bench/drivers-worker.ts, compiled as shipped): the
// driver(s) built from the inventory as `diemcau serve` builds them, each behind its DriverRunner,
// publishing on a bus. Each driver and size: a warm-up round then ROUNDS rounds; a round polls every
// driver once (the MCU's one driver; or every codec's, all at once). Per round: the driver process's
// CPU (process.cpuUsage), the simulator process's CPU, the requests the simulator answered (checked
// against the drivers' own count), the bytes the driver process received, the connections it opened,
// the wall time; every participant must show up in the samples or the bench fails.
// Loopback 127.96.x.x and 127.97.x.x only.   Run alone:  node --import tsx bench/drivers.ts [--quick]
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateInventory, syntheticUnits } from '../inventory/generate.ts';
import { type LoadedInventory, loadInventory } from '../inventory/load.ts';
import { buildServer, NODE_FLAGS } from '../scripts/build-server.mjs';
import { startCiscoSim } from '../simulator/cisco-telepresence.ts';
import { SiteSim } from '../simulator/model.ts';
import { startPexipSim, withPexipMcu } from '../simulator/pexip.ts';
import { startXapiSim, withXapiCodecs } from '../simulator/xapi.ts';
import { freeTcpPort } from '../test/helpers/pexip.ts';
import type { BenchOutput, Target } from './results.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const SIZES = [120, 1000];
const ROUNDS = Number(process.env.BENCH_DRIVERS_ROUNDS ?? 5);
/** the polling interval the issue names: CPU per round over it is the share of one core */
const INTERVAL_S = 10;
/** this bench's own threshold (not the issue's): CPU per round < 10 % of one core at the interval */
const CPU_SHARE_MAX = 0.1;
/** the loopback bases given to this bench: 127.96.x.x and 127.97.x.x */
const BASES = [96, 97] as const;
const USER = 'diemcau-bench';
const PASSWORD = 'bench-api-password-5';
const ENV = {
  DIEMCAU_PEXIP_PASSWORD: PASSWORD,
  DIEMCAU_TPS_PASSWORD: PASSWORD,
  DIEMCAU_XAPI_PASSWORD: PASSWORD,
};

const DRIVERS = [
  {
    key: 'pexip',
    label: 'Pexip Infinity management API (`pexip.ts`)',
    file: 'pexip.ts',
    unit: 'participants',
  },
  {
    key: 'cisco',
    label: 'Cisco TelePresence XML-RPC (`cisco-telepresence.ts`)',
    file: 'cisco-telepresence.ts',
    unit: 'participants',
  },
  { key: 'xapi', label: 'Cisco xAPI codecs (`xapi.ts`)', file: 'xapi.ts', unit: 'codecs' },
  {
    key: 'xapi-tls',
    label: 'Cisco xAPI codecs over HTTPS (`xapi.ts`)',
    file: 'xapi.ts',
    unit: 'codecs',
  },
] as const;
type Key = (typeof DRIVERS)[number]['key'];

interface Round {
  cpu: number;
  simCpu: number;
  wall: number;
  requests: number;
  driverRequests: number;
  bytes: number;
  connections: number;
  resumed: number;
  samples: number;
  up: number;
  participants: number;
  problems: number;
  firstError: string | null;
  rss: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * A synthetic network of `sites` sites on 127.96.x.x and 127.97.x.x: the generator puts site i on
 * 127.(base + i/250).(i%250).{1..4}; the blocks past the second go to the fourth octet instead
 * (127.96+(q%2).r.(o + 10·⌊q/2⌋)), the MCU stays at 127.96.255.1.
 */
function networkText(sites: number): string {
  const text = generateInventory(syntheticUnits(sites), { title: `Bench drivers ${sites}`, base: BASES[0] });
  return text.replace(/127\.(\d+)\.(\d+)\.(\d+)/g, (whole, b: string, r: string, o: string) => {
    const q = Number(b) - BASES[0];
    if (q < 0 || q > 15) return whole;
    return `127.${BASES[0] + (q % 2)}.${r}.${Number(o) + 10 * Math.floor(q / 2)}`;
  });
}

/** Every site in the meeting and in its call with the MCU, as the simulator's meeting.start does. */
function inMeeting(inv: LoadedInventory, start: number): Map<string, SiteSim> {
  const sites = new Map<string, SiteSim>();
  for (const s of inv.sites.values()) {
    const sim = new SiteSim(s, 7, start);
    sim.inMeeting = true;
    sim.setInCall(true, start);
    sites.set(s.id, sim);
  }
  return sites;
}

interface Served {
  requests(): number;
  close(): Promise<void>;
  /** the worker's mode */
  mode: 'mcu' | 'codecs';
  file: string;
  inv: LoadedInventory;
}

/** The inventory of `key` at `sites` sites, written to `dir`, and its simulator started. */
async function serve(key: Key, sites: number, dir: string): Promise<Served> {
  const text = networkText(sites);
  const file = join(dir, `inventory-${key}-${sites}.yaml`);
  const mcuHost = `127.${BASES[0]}.255.1`;
  const start = Date.now();
  if (key === 'xapi' || key === 'xapi-tls') {
    const port = await freeTcpPort(`127.${BASES[0]}.0.1`);
    writeFileSync(file, withXapiCodecs(text, { port, user: USER, timeout: '5s' }));
    let inv = loadInventory(file);
    let tls: { caFile: string; key: Buffer; cert: Buffer } | undefined;
    if (key === 'xapi-tls') {
      // every codec on https://, trusted through the inventory's ca_file as the operator would
      const hosts = [...inv.deviceApis.values()].map((a) => new URL(a.url).hostname);
      tls = certificates(dir, hosts);
      writeFileSync(
        file,
        readFileSync(file, 'utf8')
          .replaceAll('url: "http://', 'url: "https://')
          .replaceAll(
            '{ env: DIEMCAU_XAPI_PASSWORD } }',
            `{ env: DIEMCAU_XAPI_PASSWORD } }, ca_file: ${basename(tls.caFile)}`,
          ),
      );
      inv = loadInventory(file);
    }
    const sim = await startXapiSim(
      { user: USER, password: PASSWORD, ...(tls && { tls: { key: tls.key, cert: tls.cert } }) },
      inv,
      inMeeting(inv, start),
      start,
      () => null,
    );
    return { requests: () => sim.requests(), close: sim.close, mode: 'codecs', file, inv };
  }
  const port = await freeTcpPort(mcuHost);
  writeFileSync(
    file,
    withPexipMcu(text, {
      url: `http://${mcuHost}:${port}`,
      user: USER,
      interval: `${INTERVAL_S}s`,
      timeout: '5s',
      ...(key === 'cisco' && { protocol: 'cisco-tps-xmlrpc', passwordEnv: 'DIEMCAU_TPS_PASSWORD' }),
    }),
  );
  const inv = loadInventory(file);
  const o = { host: mcuHost, port, user: USER, password: PASSWORD };
  const sim =
    key === 'pexip'
      ? await startPexipSim(o, inv, inMeeting(inv, start), start, () => null)
      : await startCiscoSim(o, inv, inMeeting(inv, start), start, () => null);
  return { requests: () => sim.requests(), close: sim.close, mode: 'mcu', file, inv };
}

/**
 * A CA and one server certificate for every codec address (subjectAltName IP:… each), made by openssl
 * like test/helpers/test-ca.ts does for one address.
 */
function certificates(dir: string, hosts: string[]): { caFile: string; key: Buffer; cert: Buffer } {
  const f = (n: string) => join(dir, `tls-${hosts.length}-${n}`);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const key = ['-newkey', 'rsa:2048', '-nodes'];
  ssl(
    'req',
    '-x509',
    ...key,
    '-days',
    '2',
    '-subj',
    '/CN=diemcau bench CA',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
  );
  ssl('req', ...key, '-subj', '/CN=diemcau bench codecs', '-keyout', f('srv.key'), '-out', f('srv.csr'));
  writeFileSync(
    f('ext.cnf'),
    `subjectAltName = @alt\n[alt]\n${hosts.map((h, i) => `IP.${i + 1} = ${h}`).join('\n')}\n`,
  );
  ssl(
    ...['x509', '-req', '-in', f('srv.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key')],
    ...['-CAcreateserial', '-days', '2', '-extfile', f('ext.cnf'), '-out', f('srv.pem')],
  );
  return { caFile: f('ca.pem'), key: readFileSync(f('srv.key')), cert: readFileSync(f('srv.pem')) };
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

/** The worker compiled as production is (scripts/build-server.mjs), so tsx's loader is not measured. */
async function buildWorker(): Promise<string | null> {
  if (process.env.BENCH_DRIVERS_TSX === '1') return null;
  try {
    const outdir = join(ROOT, 'node_modules', '.cache', `diemcau-bench-drivers-${process.pid}`);
    await buildServer({ outdir, entryPoints: { 'drivers-worker': join(HERE, 'drivers-worker.ts') } });
    return join(outdir, 'drivers-worker.js');
  } catch (err) {
    process.stderr.write(`bench/drivers: cannot build the worker (${String(err)}); measuring it under tsx\n`);
    return null;
  }
}

const pinned = cpus().length >= 2;

/** One driver process over `served`: a warm-up round, then ROUNDS rounds. */
async function measure(served: Served, bundle: string | null, cold: boolean): Promise<Round[]> {
  const args = [
    ...NODE_FLAGS,
    ...(bundle ? [bundle] : ['--import', 'tsx', join(HERE, 'drivers-worker.ts')]),
    served.file,
    served.mode,
    ...(cold ? ['--cold'] : []),
  ];
  // the driver process on CPU 0, so that it does not take turns with the simulator on one core
  const [cmd, argv] = pinned ? ['taskset', ['-c', '0', process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(cmd, argv, {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...ENV, DIEMCAU_LOG_LEVEL: 'warn' },
  });
  const waiting: ((l: string) => void)[] = [];
  lines(child, (l) => {
    if (l.startsWith('{')) waiting.shift()?.(l);
  });
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  const next = () =>
    new Promise<string>((resolve, reject) => {
      waiting.push(resolve);
      void exited.then((code) => reject(new Error(`drivers worker exited with ${code}`)));
    });
  const rounds: Round[] = [];
  try {
    await next(); // {"ready": …}
    for (let r = 0; r <= ROUNDS; r++) {
      const reply = next();
      const q0 = served.requests();
      const s0 = process.cpuUsage();
      child.stdin!.write('round\n');
      const x = JSON.parse(await reply) as Omit<Round, 'simCpu' | 'driverRequests'>;
      const s = process.cpuUsage(s0);
      rounds.push({
        ...x,
        driverRequests: x.requests,
        requests: served.requests() - q0,
        simCpu: (s.user + s.system) / 1e6,
      });
    }
  } finally {
    child.stdin!.end('end\n');
    await exited;
  }
  return rounds.slice(1); // the warm-up round is left out
}

interface Result {
  key: Key;
  sites: number;
  cold: boolean;
  rounds: Round[];
}

export async function benchDrivers(argv: string[] = []): Promise<BenchOutput> {
  const { values: opts } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      // a partial run of other sizes (printed, not written): --sizes=300
      sizes: { type: 'string' },
      // a partial run of some drivers: --drivers=pexip,xapi
      drivers: { type: 'string' },
    },
    strict: false,
  });
  const sizes =
    typeof opts.sizes === 'string' ? opts.sizes.split(',').map(Number) : opts.quick ? [SIZES[0]!] : SIZES;
  const only = typeof opts.drivers === 'string' ? opts.drivers.split(',') : null;
  if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 2000))
    throw new Error('bench/drivers: --sizes are 1 to 2,000 sites (two loopback bases)');
  const dir = mkdtempSync(join(tmpdir(), 'diemcau-bench-drivers-'));
  const bundle = await buildWorker();
  const results: Result[] = [];
  try {
    for (const n of sizes) {
      for (const d of DRIVERS) {
        if (only && !only.includes(d.key)) continue;
        const served = await serve(d.key, n, dir);
        try {
          if (served.inv.sites.size !== n)
            throw new Error(`bench/drivers: ${served.inv.sites.size} sites generated, ${n} asked`);
          results.push({ key: d.key, sites: n, cold: false, rounds: await measure(served, bundle, false) });
          // the largest size again with the connections closed between rounds (see the text)
          if (n === Math.max(...sizes))
            results.push({ key: d.key, sites: n, cold: true, rounds: await measure(served, bundle, true) });
        } finally {
          await served.close();
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (bundle) rmSync(dirname(bundle), { recursive: true, force: true });
  }
  const partial = opts.quick === true || typeof opts.sizes === 'string' || only !== null;
  return report(results, !partial);
}

const fmt = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : '—');
const fix0 = (v: number) => fmt(v, 0);
const fix3 = (v: number) => fmt(v, 3);
const int = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '—');

/** median (min–max) of the rounds */
function spread(rounds: Round[], f: (r: Round) => number, show: (v: number) => string): string {
  const xs = rounds.map(f);
  if (xs.length === 0) return '—';
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return show(lo) === show(hi) ? show(lo) : `${show(median(xs))} (${show(lo)}–${show(hi)})`;
}

function report(results: Result[], complete: boolean): BenchOutput {
  const problems: string[] = [];
  const out: string[] = [
    `### Per poll round, every site in the meeting (${ROUNDS} rounds after a warm-up; median, the range in brackets)`,
    '',
    '| driver | participants | keep-alive | driver CPU s / round | share of one core at 10 s | simulator CPU s / round | HTTP requests / round | KiB received / round | connections opened / round | wall s / round | sites seen up (of) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of results) {
    const d = DRIVERS.find((x) => x.key === r.key)!;
    for (const [i, x] of r.rounds.entries()) {
      const where = `${d.label}, ${int(r.sites)} ${d.unit}${r.cold ? ', connections closed between rounds' : ''}, round ${i + 1}`;
      if (x.problems > 0) problems.push(`${where}: ${x.problems} problem(s): ${x.firstError ?? ''}`);
      if (x.up !== r.sites) problems.push(`${where}: ${x.up} sites up, expected ${r.sites}`);
      if (d.unit === 'participants' && x.participants !== r.sites)
        problems.push(`${where}: the MCU counted ${x.participants} participants, expected ${r.sites}`);
      if (x.requests !== x.driverRequests)
        problems.push(
          `${where}: the simulator answered ${x.requests} requests, the drivers counted ${x.driverRequests}`,
        );
    }
    const cpu = median(r.rounds.map((x) => x.cpu));
    const cells = [
      d.label,
      `${int(r.sites)} ${d.unit}`,
      r.cold ? 'closed between rounds' : 'kept',
      spread(r.rounds, (x) => x.cpu, fix3),
      `${fmt((cpu / INTERVAL_S) * 100, 1)} %`,
      spread(r.rounds, (x) => x.simCpu, fix3),
      spread(r.rounds, (x) => x.requests, int),
      spread(r.rounds, (x) => x.bytes / 1024, fix0),
      spread(r.rounds, (x) => x.connections, int) +
        (d.key === 'xapi-tls' ? `, TLS sessions resumed ${spread(r.rounds, (x) => x.resumed, int)}` : ''),
      spread(r.rounds, (x) => x.wall, fix3),
      `${spread(r.rounds, (x) => x.up, int)} (${int(r.sites)})`,
    ];
    out.push(`| ${cells.join(' | ')} |`);
  }
  out.push(
    '',
    `A synthetic network (\`inventory/generate.ts\`, ${SIZES.map(int).join(' and ')} sites) with every site in the meeting: participants = sites; for the xAPI, the codecs are the devices polled (one \`GET /status.xml\` per codec per poll), so participants = codecs. The simulator of each protocol (\`simulator/pexip.ts\`, \`simulator/cisco-telepresence.ts\` with its default of 10 participants per \`participant.enumerate\` reply, \`simulator/xapi.ts\` with one HTTP server per codec) runs in the bench process on 127.96.x.x/127.97.x.x, over plain HTTP except in the HTTPS rows (the xAPI with a certificate of a CA made by openssl, trusted through the inventory's \`ca_file\`, RSA 2048). The drivers run in a child process compiled as shipped (\`npm run build\`, the heap flags of bin/diemcau.js), built from the inventory as \`diemcau serve\` builds them (\`mcuDriver\`, \`deviceDrivers\`), each behind its \`DriverRunner\` publishing on a bus; a round polls every driver once, all at once, as the runners started together do; rounds follow one another without waiting the ${INTERVAL_S} s. Driver CPU: the driver process's user + system time over the round (\`process.cpuUsage\`); share of one core: that CPU over the ${INTERVAL_S}-s interval of issue 20. Simulator CPU: the bench process's over the same round (the simulator and the bench's bookkeeping), not counted in the driver's. Requests: answered by the simulator, and checked equal to the drivers' own count (\`DriverPoll.requests\`). KiB received and connections opened: every socket a response of the driver process came on (\`http.client.response.finish\` diagnostics channel, the socket's \`bytesRead\`; over HTTPS the decrypted bytes; TLS sessions resumed: new connections whose \`isSessionReused()\` is true, i.e. without a full handshake). Keep-alive "kept": each driver's keep-alive pool lasts from one round to the next (the simulator closes a connection idle for longer than Node's default keep-alive timeout, 5 s, which a slow warm-up round can cause); "closed between rounds" (at the largest size): the driver process closes every idle connection before each round, as a device that drops idle connections within the ${INTERVAL_S}-s interval makes the driver reconnect (and, over HTTPS, do a TLS handshake) every poll — the simulator's own servers do, so this is what \`diemcau serve\` does against them. Sites seen up: \`mcu_port_up\` = 1 (MCU drivers) or \`in_call\` = 1 (codecs) on the bus; any other count, any problem event, or a request count that differs fails the bench.`,
    '',
    `The threshold of the verdicts below (driver CPU per round at 1,000 participants < ${CPU_SHARE_MAX * 100} % of one core at a ${INTERVAL_S}-s interval, i.e. < ${fmt(CPU_SHARE_MAX * INTERVAL_S, 1)} CPU-s per round) is this bench's own; issue 20 asks for the figures, not a limit.`,
  );
  if (problems.length > 0)
    throw new Error(
      `drivers bench: the drivers did not read what the simulator serves:\n${problems.join('\n')}`,
    );
  const targets: Target[] = [];
  const largest = Math.max(...results.map((r) => r.sites));
  for (const d of DRIVERS) {
    const mine = results.filter((r) => r.key === d.key && !r.cold);
    const at = mine.find((r) => r.sites === largest);
    if (!at) continue;
    const coldRun = results.find((r) => r.key === d.key && r.cold && r.sites === largest);
    const cpu = median(at.rounds.map((x) => x.cpu));
    const cpuCold = coldRun ? median(coldRun.rounds.map((x) => x.cpu)) : Number.NaN;
    const worst = Math.max(cpu, Number.isFinite(cpuCold) ? cpuCold : cpu);
    targets.push(
      {
        target: `${d.label}: CPU per round at ${int(largest)} ${d.unit} every ${INTERVAL_S} s < ${CPU_SHARE_MAX * 100} % of one core (this bench's threshold, not issue 20's)`,
        measured: `${fmt(cpu, 3)} s (${fmt((cpu / INTERVAL_S) * 100, 1)} %)${coldRun ? `; connections closed between rounds ${fmt(cpuCold, 3)} s (${fmt((cpuCold / INTERVAL_S) * 100, 1)} %)` : ''}`,
        met: worst / INTERVAL_S < CPU_SHARE_MAX,
      },
      {
        target: `${d.label}: HTTP requests per round (issue 20)`,
        measured: mine
          .map((r) => `${int(median(r.rounds.map((x) => x.requests)))} at ${int(r.sites)} ${d.unit}`)
          .join('; '),
        met: null,
      },
    );
  }
  return { markdown: out.join('\n'), targets, complete };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await benchDrivers(process.argv.slice(2));
  process.stdout.write(`${r.markdown}\n`);
  for (const t of r.targets) process.stdout.write(`${t.target}: ${t.measured} ${t.met}\n`);
  process.exit(0);
}
