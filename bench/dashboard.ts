// Dashboard benchmark (issue 15): the NOC map in real Chromium against `diemcau demo`, at 120 sites (the
// Bắc Kạn inventory) and 1,000 sites (the synthetic network of `diemcau demo --sites 1000`).
// For each size: a demo in a child process (free ports, temp data dir, devices on 127.83.x.x; a network
// of more than 250 sites takes one base per 250 sites, so it goes to 127.200–203.x.x, away from the
// e2e suites' DIEMCAU_E2E_BASE choices), sign in,
// then, in headless Chromium at 1920 × 1080:
//  - time to first map: performance.now() (ms since the navigation started) at the first animation frame
//    after the one in which the DOM holds a map node (`a[data-site]`) for every site, i.e. once that frame
//    is painted; a cold load (browser cache cleared) of `/` by a signed-in user; median of 3 loads;
//  - bytes transferred at load: DevTools protocol Network events of the last cold load, the bytes on the
//    wire (`encodedDataLength`: headers + body as sent, so compression shows) of every request made until
//    the map is complete, the live stream counted up to that moment (later events are not "load");
//  - frames per second and long tasks (PerformanceObserver 'longtask') while a district goes dark
//    (`district_outage` through the simulator's control API, the district with the most sites) until every
//    site of it shows on the map as not ok, then the fault cleared until every one is ok again;
//  - JS heap after the soak (5 minutes from the first map; live data streaming throughout, the outage
//    included), after a full garbage collection (DevTools HeapProfiler.collectGarbage + getHeapUsage).
// The table goes to stdout and between the `bench:dashboard` markers of README.md and docs/dashboard.md.
//   npm run bench -- dashboard [--quick] [--soak 5m] [--sites 120,1000] [--base 83] [--base-large 200]
//                                 [--no-write]
//   --quick: a 30 s soak (for development; the table says so). Env: BENCH_DASHBOARD_SOAK, _SITES, _BASE.
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { CDPSession, Page } from 'playwright-core';
import { parseDuration } from '../config/config.ts';
import { type FrameStats, jsHeapAfterGc, watchFrames } from '../test/e2e/perf.ts';
import { buildDashboard, openBrowser, startDemo, type Target } from '../test/e2e/target.ts';
import type { BenchOutput, Target as Verdict } from './results.ts';

const TARGET = { firstMapMs: 1500, fps: 55, longTaskMs: 100, bytes120: 150_000 };
const COLD_LOADS = 3;

interface Load {
  firstMapMs: number;
  /** bytes on the wire / bytes after decoding, by kind of request */
  wire: Record<Kind, number>;
  body: Record<Kind, number>;
  requests: Record<Kind, number>;
  /** Content-Encoding values seen, by kind ('identity' when absent) */
  encodings: Record<Kind, Set<string>>;
}
type Kind = 'static' | 'api' | 'stream';
const KINDS: Kind[] = ['static', 'api', 'stream'];

interface Result {
  sites: number;
  loads: Load[];
  district: { id: string; sites: number };
  shownMs: number | null;
  recoveredMs: number | null;
  /** the server's "live client dropped" log lines, by reason */
  drops: Map<string, number>;
  frames: FrameStats;
  heapAtLoad: number;
  heapAfterSoak: number;
  soakMs: number;
  /** from spawning the demo to its banner */
  startupMs: number;
  pageErrors: string[];
}

// page side, as strings (tsx's helpers do not exist in the page): watch for the complete map
const FIRST_MAP = (n: number) => `(() => {
  const look = () => {
    if (document.querySelectorAll('a[data-site]').length >= ${n})
      requestAnimationFrame(() => { window.__diemcauFirstMap = performance.now(); });
    else requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
})()`;

function kindOf(type: string | undefined): Kind {
  if (type === 'EventSource') return 'stream';
  if (type === 'XHR' || type === 'Fetch') return 'api';
  return 'static';
}

/** Network accounting of one navigation through the DevTools protocol. */
async function recordNetwork(cdp: CDPSession) {
  const req = new Map<
    string,
    { kind: Kind; head: number; data: number; body: number; finished?: number; enc?: string }
  >();
  let frozen = false; // the map is complete: live-stream bytes after this are not "at load"
  const get = (id: string) => {
    let r = req.get(id);
    if (!r) {
      r = { kind: 'static', head: 0, data: 0, body: 0 };
      req.set(id, r);
    }
    return r;
  };
  cdp.on('Network.requestWillBeSent', (e) => {
    if (!frozen) get(e.requestId).kind = kindOf(e.type);
  });
  cdp.on('Network.responseReceived', (e) => {
    const r = req.get(e.requestId);
    if (!r) return;
    r.kind = kindOf(e.type);
    r.head = e.response.encodedDataLength;
    const h = Object.entries(e.response.headers).find(([k]) => k.toLowerCase() === 'content-encoding');
    r.enc = h ? String(h[1]) : 'identity';
  });
  cdp.on('Network.dataReceived', (e) => {
    const r = req.get(e.requestId);
    if (!r || (frozen && r.kind === 'stream')) return;
    r.data += e.encodedDataLength;
    r.body += e.dataLength;
  });
  cdp.on('Network.loadingFinished', (e) => {
    const r = req.get(e.requestId);
    if (r && !(frozen && r.kind === 'stream')) r.finished = e.encodedDataLength;
  });
  await cdp.send('Network.enable');
  await cdp.send('Network.clearBrowserCache');
  return {
    freeze() {
      frozen = true;
    },
    sum(firstMapMs: number): Load {
      const zero = () => ({ static: 0, api: 0, stream: 0 });
      const load: Load = {
        firstMapMs,
        wire: zero(),
        body: zero(),
        requests: zero(),
        encodings: { static: new Set(), api: new Set(), stream: new Set() },
      };
      for (const r of req.values()) {
        // a response still open (the live stream): Chromium reports its wire bytes late, in batches;
        // without compression the body is what crossed the wire
        load.wire[r.kind] += r.finished ?? r.head + Math.max(r.data, r.enc === 'identity' ? r.body : 0);
        load.body[r.kind] += r.body;
        load.requests[r.kind]++;
        if (r.enc) load.encodings[r.kind].add(r.enc);
      }
      return load;
    },
  };
}

async function coldLoad(page: Page, url: string): Promise<Load> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const net = await recordNetwork(cdp);
    await page.goto(`${url}/`, { waitUntil: 'commit' });
    // functions, not strings: the page's Content-Security-Policy forbids eval
    await page.waitForFunction(() => (window as { __diemcauFirstMap?: number }).__diemcauFirstMap, null, {
      timeout: 120_000,
      polling: 50,
    });
    net.freeze();
    const firstMapMs = (await page.evaluate('window.__diemcauFirstMap')) as number;
    await page.waitForTimeout(2000); // requests made before the map was complete finish
    return net.sum(firstMapMs);
  } finally {
    await cdp.detach();
  }
}

async function siteList(page: Page, url: string): Promise<{ id: string; district: string }[]> {
  const all: { id: string; district: string }[] = [];
  for (;;) {
    const res = await page.request.get(`${url}/api/v1/sites?limit=1000&offset=${all.length}`);
    if (!res.ok()) throw new Error(`GET /api/v1/sites: ${res.status()}`);
    const body = (await res.json()) as { items: { id: string; district: string }[]; total: number };
    all.push(...body.items);
    if (all.length >= body.total || body.items.length === 0) return all;
  }
}

/** until every node of the district is (not) ok; ms, or null if the map did not get there in 2 minutes */
async function untilDistrict(page: Page, district: string, ok: boolean, t0: number): Promise<number | null> {
  const shown = await page
    .waitForFunction(
      ([d, ok]) =>
        [...document.querySelectorAll(`a[data-site][data-district="${d}"]`)].every(
          (a) => (a.getAttribute('data-state') === 'ok') === ok,
        ),
      [district, ok] as const,
      { timeout: 120_000, polling: 250 },
    )
    .then(
      () => true,
      () => false,
    );
  return shown ? Date.now() - t0 : null;
}

async function control(t: Target, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${t.controlUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

function liveDrops(out: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of out.split('\n')) {
    if (!line.includes('live client dropped')) continue;
    const reason = /"reason":"([^"]*)"/.exec(line)?.[1] ?? '?';
    m.set(reason, (m.get(reason) ?? 0) + 1);
  }
  return m;
}

async function measure(sites: number, base: number, soakMs: number): Promise<Result> {
  const started = Date.now();
  const target = await startDemo({
    base,
    ...(sites !== 120 && { sites }),
    interval: '10s',
    readyMs: 300_000,
  });
  const startupMs = Date.now() - started;
  const browser = await openBrowser();
  const { page } = browser;
  try {
    await page.goto(`${target.url}/`);
    await page.fill('input[name=username]', target.user);
    await page.fill('input[name=password]', target.password);
    await page.click('button[type=submit]');
    await page.waitForSelector('a[data-site]', { timeout: 120_000 });
    const list = await siteList(page, target.url);
    if (sites === 120 && list.length !== 120) throw new Error(`the Bắc Kạn demo has ${list.length} sites`);
    await browser.ctx.addInitScript(FIRST_MAP(list.length));
    const loads: Load[] = [];
    for (let i = 0; i < COLD_LOADS; i++) loads.push(await coldLoad(page, target.url));
    const loadedAt = Date.now();
    const heapAtLoad = (await jsHeapAfterGc(page)).used;

    // a district goes dark: the one with the most sites
    const count = new Map<string, number>();
    for (const s of list) count.set(s.district, (count.get(s.district) ?? 0) + 1);
    const [district, n] = [...count].sort((a, b) => b[1] - a[1])[0]!;
    await page.waitForTimeout(3000);
    const watch = await watchFrames(page);
    const t0 = Date.now();
    const { id } = (await control(target, 'POST', '/faults', { kind: 'district_outage', district })) as {
      id: string;
    };
    const shownMs = await untilDistrict(page, district, false, t0);
    await page.waitForTimeout(5000);
    const t1 = Date.now();
    await control(target, 'DELETE', `/faults/${encodeURIComponent(id)}`);
    const recoveredMs = await untilDistrict(page, district, true, t1);
    await page.waitForTimeout(2000);
    const frames = await watch.stop();

    const left = soakMs - (Date.now() - loadedAt);
    if (left > 0) await page.waitForTimeout(left);
    const soaked = Date.now() - loadedAt;
    const heapAfterSoak = (await jsHeapAfterGc(page)).used;
    return {
      sites: list.length,
      loads,
      district: { id: district, sites: n },
      shownMs,
      recoveredMs,
      frames,
      heapAtLoad,
      heapAfterSoak,
      soakMs: soaked,
      startupMs,
      drops: liveDrops(target.output()),
      pageErrors: browser.errors,
    };
  } catch (err) {
    throw new Error(
      `${sites} sites: ${(err as Error).message}\n--- demo output ---\n${target.output().slice(-2000)}`,
    );
  } finally {
    await browser.close();
    await target.stop();
  }
}

// ---- the table ----

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const kB = (b: number) => `${(b / 1000).toFixed(b < 10_000 ? 1 : 0)} kB`;
const MB = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mark = (ok: boolean) => (ok ? '✓' : '✗');
const total = (r: Record<Kind, number>) => KINDS.reduce((a, k) => a + r[k], 0);
const minutes = (ms: number) =>
  ms >= 60_000 ? `${(ms / 60_000).toFixed(ms % 60_000 < 1000 ? 0 : 1)} min` : `${Math.round(ms / 1000)} s`;

function table(rs: Result[], opts: { soakMs: number }): string {
  const short = opts.soakMs < 300_000;
  const head = `| measure | target | ${rs.map((r) => `${r.sites.toLocaleString('en')} sites`).join(' | ')} |`;
  const rule = `| --- | --- | ${rs.map(() => '---').join(' | ')} |`;
  const row = (what: string, target: string, cell: (r: Result) => string) =>
    `| ${what} | ${target} | ${rs.map(cell).join(' | ')} |`;
  const last = (r: Result) => r.loads[r.loads.length - 1]!;
  const encodings = (r: Result, k: Kind) => [...last(r).encodings[k]].sort().join(', ') || '—';
  const lines = [
    head,
    rule,
    row(`time to first map (median of ${COLD_LOADS} cold loads; slowest)`, '< 1.5 s', (r) => {
      const m = median(r.loads.map((l) => l.firstMapMs));
      const worst = Math.max(...r.loads.map((l) => l.firstMapMs));
      return `${s(m)} (${s(worst)}) ${mark(m < TARGET.firstMapMs)}`;
    }),
    row('transferred at load, on the wire (decoded)', '< 150 kB at 120 sites', (r) => {
      const b = total(last(r).wire);
      const ok = r.sites > 200 ? '' : ` ${mark(b < TARGET.bytes120)}`;
      return `${kB(b)} (${kB(total(last(r).body))})${ok}`;
    }),
    row('— assets: HTML, JS, CSS (Content-Encoding)', '', (r) => {
      const l = last(r);
      return `${kB(l.wire.static)} (${kB(l.body.static)}; ${encodings(r, 'static')})`;
    }),
    row('— API calls (Content-Encoding)', '', (r) => {
      const l = last(r);
      return `${kB(l.wire.api)} in ${l.requests.api} (${kB(l.body.api)}; ${encodings(r, 'api')})`;
    }),
    row('— live stream until the map is complete', '', (r) => {
      const l = last(r);
      return `${kB(l.wire.stream)} (${kB(l.body.stream)}; ${encodings(r, 'stream')})`;
    }),
    row('frames per second during a district outage (average; worst second)', '≥ 55 fps', (r) => {
      const f = r.frames;
      return `${f.fps} (${f.min_fps_1s}) ${mark(f.fps >= TARGET.fps)}`;
    }),
    row('long tasks during it: longest (count ≥ 50 ms)', 'none over 100 ms', (r) => {
      const f = r.frames;
      return `${f.longest_task_ms} ms (${f.long_tasks}) ${mark(f.longest_task_ms <= TARGET.longTaskMs)}`;
    }),
    row('— worst frame during it', '', (r) => `${r.frames.worst_frame_ms} ms`),
    row('— district dark → every site of it off ok on the map; cleared → all ok', '', (r) => {
      const t = (ms: number | null) => (ms === null ? '**not within 2 min**' : s(ms));
      return `${r.district.sites} sites: ${t(r.shownMs)}; ${t(r.recoveredMs)} (window ${s(r.frames.ms)})`;
    }),
    row('live stream clients dropped by the server (log)', '0', (r) =>
      r.drops.size === 0 ? '0 ✓' : `${[...r.drops].map(([why, n]) => `${n} × ${why}`).join(', ')} ✗`,
    ),
    row(
      `JS heap after ${minutes(opts.soakMs)} (after GC; at first map)`,
      '—',
      (r) => `${MB(r.heapAfterSoak)} (${MB(r.heapAtLoad)})`,
    ),
    row('demo start (spawn → banner)', '', (r) => s(r.startupMs)),
  ];
  const errors = rs.flatMap((r) => r.pageErrors.map((e) => `${r.sites} sites: ${e}`));
  const cpu = cpus()[0]?.model.trim() ?? '?';
  let chromium = '';
  try {
    chromium = execFileSync(process.env['CHROMIUM'] ?? '/usr/bin/chromium', ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {}
  return [
    `${short ? `**A short run: ${minutes(opts.soakMs)} soak instead of 5 minutes.** ` : ''}\`diemcau demo\` (120 sites: the Bắc Kạn inventory; 1,000: the synthetic network of \`--sites 1000\`, collector every 10 s, the demo's meeting running) in a child process; ${chromium || 'Chromium'} headless without GPU at 1920 × 1080, on the same ${cpus().length}-core machine (${cpu}), Node ${process.version}.`,
    '',
    ...lines,
    '',
    `Time to first map: from navigation start to the first animation frame after every site's node is in the DOM (so that frame is painted), a signed-in user, browser cache cleared. Transferred: DevTools \`encodedDataLength\` of every request of the last cold load until the map is complete (live stream: its bytes until then). Frames and long tasks: from the fault injected until 2 s after every site is ok again. Heap: \`Runtime.getHeapUsage\` after \`HeapProfiler.collectGarbage\`, ${minutes(opts.soakMs)} after the first map with the live stream on. ✓/✗: target met/missed.`,
    ...(errors.length ? ['', `Page errors: ${errors.join('; ')}`] : []),
  ].join('\n');
}

/** The issues' targets, one verdict per size. */
function targets(rs: Result[]): Verdict[] {
  return rs.flatMap((r) => {
    const n = `${r.sites.toLocaleString('en')} sites`;
    const firstMap = median(r.loads.map((l) => l.firstMapMs));
    const bytes = total(r.loads[r.loads.length - 1]!.wire);
    return [
      {
        target: `NOC map, ${n}: first map < 1.5 s`,
        measured: s(firstMap),
        met: firstMap < TARGET.firstMapMs,
      },
      ...(r.sites > 200
        ? []
        : [{ target: `NOC map, ${n}: < 150 kB at load`, measured: kB(bytes), met: bytes < TARGET.bytes120 }]),
      {
        target: `NOC map, ${n}: ≥ 55 fps during a district outage`,
        measured: `${r.frames.fps} fps`,
        met: r.frames.fps >= TARGET.fps,
      },
      {
        target: `NOC map, ${n}: no long task over 100 ms`,
        measured: `longest ${r.frames.longest_task_ms} ms`,
        met: r.frames.longest_task_ms <= TARGET.longTaskMs,
      },
    ];
  });
}

export async function benchDashboard(args: string[] = []): Promise<BenchOutput> {
  const { values } = parseArgs({
    args,
    options: {
      quick: { type: 'boolean', default: false },
      soak: { type: 'string' },
      sites: { type: 'string' },
      base: { type: 'string' },
      'base-large': { type: 'string' },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const soakMs = parseDuration(
    values.soak ?? process.env['BENCH_DASHBOARD_SOAK'] ?? (values.quick ? '30s' : '5m'),
  );
  const sizes = (values.sites ?? process.env['BENCH_DASHBOARD_SITES'] ?? '120,1000').split(',').map(Number);
  const base = Number(values.base ?? process.env['BENCH_DASHBOARD_BASE'] ?? 83);
  const baseLarge = Number(values['base-large'] ?? process.env['BENCH_DASHBOARD_BASE_LARGE'] ?? 200);
  buildDashboard();
  const results: Result[] = [];
  for (const n of sizes) results.push(await measure(n, n > 250 ? baseLarge : base, soakMs));
  const markdown = table(results, { soakMs });
  // the documents keep both sizes and the 5-minute soak: only such a run is written
  const complete = !values['no-write'] && sizes.join(',') === '120,1000' && soakMs >= 300_000;
  return { markdown, targets: targets(results), complete };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log((await benchDashboard(process.argv.slice(2))).markdown);
  process.exit(0);
}
