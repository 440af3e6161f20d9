// What the dashboard end-to-end tests run against.
//   default / DIEMCAU_E2E_TARGET=demo: `diemcau demo` in a child process on a free port with a temp data dir
//   DIEMCAU_E2E_TARGET=dev: test/e2e/dev-api.ts in this process (real API, store and alert engine over
//   the Bắc Kạn inventory, synthetic samples instead of the simulator and collector)
// Either way: a base URL, the admin password, and a way to inject a fault through the simulator's
// control API (POST /faults {kind, site}).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
  type Browser as PlaywrightBrowser,
} from 'playwright-core';
import { generateInventory, syntheticUnits } from '../../inventory/generate.ts';
import { freeUdpPort } from '../helpers/agents.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/**
 * this suite's loopback address base (127.70.x.x) for simulated devices; `DIEMCAU_E2E_BASE` moves it
 * (e.g. 75) so two runs of the suite on one machine do not collide. Each file takes its own offset, as
 * two files run at once: dashboard +0, meetings +1, dist +2, a11y +3, noc-view +4, wall +5, site-page +6,
 * layouts +7, map-layout +8 (its 1,000 sites +10 … +13), lifecycle +14, readiness-confirm +15,
 * people +16, maintenance +17, assets +18, feedback +19, mcu-api +30;
 * totp-login.test.ts uses 79.
 */
export const E2E_BASE = e2eBase(process.env['DIEMCAU_E2E_BASE']);

function e2eBase(v: string | undefined): number {
  if (v === undefined || v === '') return 70;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 254 || n === 20)
    throw new Error(`DIEMCAU_E2E_BASE=${v}: an integer 1–254 other than 20 (the demo's own base)`);
  return n;
}

export interface Target {
  kind: 'demo' | 'dev';
  url: string;
  user: string;
  password: string;
  inject(fault: { kind: string; site: string }): Promise<void>;
  /** POST to the simulator's control API, e.g. `/meeting/start` `{sites}` or `/meeting/end` */
  control(path: string, body?: unknown): Promise<void>;
  /** the simulator's control API (GET/POST/DELETE /faults …) */
  controlUrl: string;
  /** stdout/stderr of the demo, for failure messages */
  output(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function postJson(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`);
}

const BUILD_LOCK = join(ROOT, 'node_modules/.cache/diemcau-e2e-dashboard-build.lock');
const BUILD_STAMP = join(ROOT, 'dashboard/dist/.e2e-built');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * `vite build` of the dashboard (test what the code says now, not a stale build), once for every
 * e2e file running at the same time: the files share dashboard/dist, which the demo serves, so builds
 * take a lock (a directory) and a build newer than every source file is not redone.
 */
export function buildDashboard(): void {
  mkdirSync(join(BUILD_LOCK, '..'), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch {
      // a lock left by a killed run
      if (existsSync(BUILD_LOCK) && Date.now() - statSync(BUILD_LOCK).mtimeMs > 120_000)
        rmSync(BUILD_LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`${BUILD_LOCK}: held for more than 2 minutes`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    const sources = Math.max(
      newestMtime(join(ROOT, 'dashboard/src')),
      statSync(join(ROOT, 'dashboard/index.html')).mtimeMs,
      statSync(join(ROOT, 'dashboard/vite.config.ts')).mtimeMs,
    );
    // a stamp without the mode is a build made under vitest's NODE_ENV=test: Svelte's development
    // runtime (ownership checks, source locations, strict equality checks): slower than what operators get
    if (
      existsSync(BUILD_STAMP) &&
      statSync(BUILD_STAMP).mtimeMs > sources &&
      readFileSync(BUILD_STAMP, 'utf8').includes('production')
    )
      return;
    execFileSync(
      process.execPath,
      [
        join(ROOT, 'node_modules/vite/bin/vite.js'),
        'build',
        '--config',
        'dashboard/vite.config.ts',
        '--logLevel',
        'warn',
      ],
      // the production build whatever the caller's NODE_ENV (vitest sets `test`, which makes vite and
      // the Svelte plugin build in development mode)
      { cwd: ROOT, stdio: 'pipe', env: { ...process.env, NODE_ENV: 'production' } },
    );
    writeFileSync(BUILD_STAMP, `${new Date().toISOString()} production\n`);
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

export interface DemoOptions {
  /** the loopback base of the demo's devices (default E2E_BASE); each e2e file takes its own */
  base?: number;
  /** the diemcau command to run (default bin/diemcau.js, or a compiled dist/diemcau.js) */
  entry?: string;
  /**
   * a synthetic network of this many sites, as `diemcau demo --sites N` generates it (same generator,
   * same title) but on this run's loopback base, instead of the Bắc Kạn inventory
   */
  sites?: number;
  /** the collector's poll interval (default 5s, so that faults show quickly) */
  interval?: string;
  /** how long the demo may take to come up (default 60 s; a large synthetic network takes longer) */
  readyMs?: number;
  /** more `diemcau demo` options, e.g. `--mcu pexip --codecs xapi` */
  args?: string[];
  /** false: no site has an RTP reflector (`probes.rtp` removed from the inventory) */
  rtpProbes?: boolean;
}

export async function startTarget(opts: DemoOptions = {}): Promise<Target> {
  const which = process.env['DIEMCAU_E2E_TARGET'] ?? 'demo';
  if (which === 'dev') {
    const { startDevApi } = await import('./dev-api.ts');
    const d = await startDevApi();
    return {
      kind: 'dev',
      url: d.url,
      user: 'admin',
      password: d.password,
      inject: (f) => postJson(`${d.controlUrl}/faults`, f),
      control: (path, body) => postJson(`${d.controlUrl}${path}`, body ?? {}),
      controlUrl: d.controlUrl,
      output: () => '',
      stop: () => d.stop(),
    };
  }
  return startDemo(opts);
}

/**
 * `diemcau demo` on free ports with a temp data dir and a known admin password. The simulated devices
 * listen on 127.70.x.x (the Bắc Kạn inventory with its demo addresses moved from 127.20 to this suite's
 * loopback base), so the demo runs beside other suites; the trap receiver gets a free port too.
 */
export async function startDemo(opts: DemoOptions = {}): Promise<Target> {
  const base = opts.base ?? E2E_BASE;
  const entry = opts.entry ?? join(ROOT, 'bin/diemcau.js');
  const dir = mkdtempSync(join(tmpdir(), 'diemcau-e2e-'));
  const port = await freePort();
  const controlPort = await freePort();
  // UDP, and outside the ephemeral range that the suite's SNMP clients take their ports from
  const trapPort = await freeUdpPort('127.0.0.1');
  const password = 'mật-khẩu-e2e-dashboard-2026';
  const inventory = join(dir, opts.sites ? 'inventory.yaml' : 'bac-kan.yaml');
  writeFileSync(
    inventory,
    opts.sites
      ? generateInventory(syntheticUnits(opts.sites), {
          title: `Mạng mô phỏng ${opts.sites} điểm cầu`,
          base,
        })
      : readFileSync(join(ROOT, 'inventory/bac-kan.yaml'), 'utf8').replaceAll('127.20.', `127.${base}.`),
  );
  if (opts.rtpProbes === false)
    writeFileSync(
      inventory,
      readFileSync(inventory, 'utf8').replace(/^ *probes: \{ rtp: "[^"]*" \}\n/gm, ''),
    );
  const config = join(dir, 'diemcau.yaml');
  writeFileSync(
    config,
    [
      `inventory: ${JSON.stringify(inventory)}`,
      `data_dir: ${JSON.stringify(join(dir, 'data'))}`,
      `http: { listen: "127.0.0.1:${port}" }`,
      `collector: { interval: ${opts.interval ?? '5s'}, trap_listen: "127.0.0.1:${trapPort}" }`,
      '',
    ].join('\n'),
  );
  let out = '';
  // run as an operator does: the file itself, so that its first line (node and the heap flags) counts
  const child: ChildProcess = spawn(
    entry,
    ['demo', '-c', config, '--control', `127.0.0.1:${controlPort}`, ...(opts.args ?? [])],
    {
      cwd: ROOT,
      env: { ...process.env, DIEMCAU_DEMO_PASSWORD: password, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', (b: Buffer) => {
    out += b.toString();
  });
  child.stderr?.on('data', (b: Buffer) => {
    out += b.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  const readyMs = opts.readyMs ?? 60_000;
  const deadline = Date.now() + readyMs;
  let ready = false;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    // the demo prints its banner once the admin account is set
    if (/simulator control/i.test(out)) {
      ready = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await Promise.race([
        new Promise((r) => child.once('exit', r)),
        new Promise((r) => setTimeout(r, 8000)),
      ]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  if (!ready) {
    await stop();
    throw new Error(
      `diemcau demo did not come up on ${url} within ${readyMs / 1000} s:\n${out.slice(-3000)}`,
    );
  }
  const control = /simulator control:\s*(http\S+)/i.exec(out)?.[1] ?? `http://127.0.0.1:${controlPort}`;
  return {
    kind: 'demo',
    url,
    user: 'admin',
    password,
    inject: (f) => postJson(`${control.replace(/\/$/, '')}/faults`, f),
    control: (path, body) => postJson(`${control.replace(/\/$/, '')}${path}`, body ?? {}),
    controlUrl: control.replace(/\/$/, ''),
    output: () => out,
    stop,
  };
}

/** Debian's Chromium, headless, with the flags this machine's closed network needs, on a fresh profile. */
export interface Browser {
  ctx: BrowserContext;
  page: Page;
  /** uncaught errors of the page, for assertions */
  errors: string[];
  close(): Promise<void>;
}

export async function openBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'diemcau-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env['CHROMIUM'] ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1920, height: 1080 },
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return {
    ctx,
    page,
    errors,
    async close() {
      await ctx.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Debian's Chromium launched headless with the flags this machine's closed network needs (and `args`) */
export interface LaunchedChromium {
  browser: PlaywrightBrowser;
  ctx: BrowserContext;
  page: Page;
  /** uncaught errors of the page, for assertions */
  errors: string[];
}

/**
 * A browser (not a persistent profile as openBrowser) with one context of `context` (viewport, locale,
 * time zone, permissions), `init` run in every page of it before the page's own scripts, and a page.
 */
export async function launchChromium(opts: {
  args?: string[];
  context: BrowserContextOptions;
  init?: () => void;
}): Promise<LaunchedChromium> {
  const browser = await chromium.launch({
    executablePath: process.env['CHROMIUM'] ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', ...(opts.args ?? [])],
  });
  const ctx = await browser.newContext(opts.context);
  if (opts.init) await ctx.addInitScript(opts.init);
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { browser, ctx, page, errors };
}

/**
 * Signs in through the dashboard's form at `path` (default /) as `user` (default the target's admin)
 * and waits for `ready`, something the signed-in page shows (default the menu).
 */
export async function signIn(
  page: Page,
  target: Target,
  opts: { user?: string; password?: string; path?: string; ready?: string; timeout?: number } = {},
): Promise<void> {
  await page.goto(`${target.url}${opts.path ?? '/'}`);
  await page.fill('input[name=username]', opts.user ?? target.user);
  await page.fill('input[name=password]', opts.password ?? target.password);
  await page.click('button[type=submit]');
  await page.waitForSelector(opts.ready ?? 'nav[aria-label=Menu]', { timeout: opts.timeout ?? 30_000 });
}

/** a laptop's window in Bắc Kạn (1366×768, vi-VN, Asia/Ho_Chi_Minh): the context the ops tabs' e2e files open */
export const LAPTOP: BrowserContextOptions = {
  viewport: { width: 1366, height: 768 },
  locale: 'vi-VN',
  timezoneId: 'Asia/Ho_Chi_Minh',
};

/** where the e2e files write their screenshots */
export const SHOTS = join(ROOT, 'docs/screenshots');

/** the demo, a browser signed in as its admin, and a way to stop both */
export interface SignedIn {
  target: Target;
  chrome: LaunchedChromium;
  page: Page;
  stop(): Promise<void>;
}

/**
 * The dashboard built, `startTarget({ base })` (its e-mail sent to the SMTP server on loopback port
 * `smtpPort` if given), Chromium with `context` (default LAPTOP) signed in as the admin at `path`
 * (default /). What was started is stopped again if a later step fails.
 */
export async function startSignedIn(opts: {
  base: number;
  smtpPort?: number;
  path?: string;
  context?: BrowserContextOptions;
}): Promise<SignedIn> {
  buildDashboard();
  mkdirSync(SHOTS, { recursive: true });
  const env = ['DIEMCAU__NOTIFY__EMAIL__HOST', 'DIEMCAU__NOTIFY__EMAIL__PORT'];
  if (opts.smtpPort !== undefined) {
    process.env['DIEMCAU__NOTIFY__EMAIL__HOST'] = '127.0.0.1';
    process.env['DIEMCAU__NOTIFY__EMAIL__PORT'] = String(opts.smtpPort);
  }
  let target: Target;
  try {
    target = await startTarget({ base: opts.base });
  } finally {
    if (opts.smtpPort !== undefined) for (const k of env) delete process.env[k];
  }
  let chrome: LaunchedChromium | undefined;
  const stop = async () => {
    await chrome?.browser.close();
    await target.stop().catch(() => {});
  };
  try {
    chrome = await launchChromium({ context: opts.context ?? LAPTOP });
    await signIn(chrome.page, target, { path: opts.path });
  } catch (e) {
    await stop();
    throw e;
  }
  return { target, chrome, page: chrome.page, stop };
}

/** opens a path by the app's router (no reload), or reloads it when the page is already there */
export async function openPath(page: Page, path: string): Promise<void> {
  if (new URL(page.url()).pathname === path) {
    await page.reload();
    return;
  }
  await page.evaluate((p) => {
    history.pushState({}, '', p);
    dispatchEvent(new PopStateEvent('popstate'));
  }, path);
}

/** how much wider than its window the page is (≤ 0: nothing scrolls sideways) */
export const overflowX = (page: Page): Promise<number> =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

// biome-ignore lint/suspicious/noExplicitAny: the API's JSON, read by the assertions
export type ApiJson = any;

/**
 * A JSON request to the API from the page, as the dashboard makes it: the session's cookie and its
 * CSRF token (sessionStorage). The answer's status and JSON body (null if it has none).
 */
export function pageApi(
  page: Page,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: ApiJson }> {
  return page.evaluate(
    async ({ method, path, body }) => {
      const r = await fetch(`/api/v1${path}`, {
        method,
        headers: {
          'content-type': 'application/json',
          'x-csrf-token': sessionStorage.getItem('diemcau.csrf') ?? '',
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      return { status: r.status, json: await r.json().catch(() => null) };
    },
    { method, path, body },
  );
}

const HCM = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Ho_Chi_Minh',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** ms → `HH:mm dd/mm/yyyy` in Bắc Kạn time (Asia/Ho_Chi_Minh), as the dashboard writes a time */
export const hcm = (ms: number): string => {
  const p = Object.fromEntries(HCM.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return `${p['hour']}:${p['minute']} ${p['day']}/${p['month']}/${p['year']}`;
};

/**
 * The demo's process (found by its HTTP port) stopped with SIGSTOP while `during` runs, then continued:
 * the server goes quiet without closing its connections.
 */
export async function whileStopped(target: Target, during: () => Promise<void>): Promise<void> {
  const port = new URL(target.url).port;
  const ss = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
  const pid = Number(/pid=(\d+)/.exec(ss)![1]);
  process.kill(pid, 'SIGSTOP');
  try {
    await during();
  } finally {
    process.kill(pid, 'SIGCONT');
  }
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is now (the whole document) */
export async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const w = window as unknown as {
      axe: {
        run(
          d: Document,
        ): Promise<{ violations: { id: string; impact: string; nodes: { html: string }[] }[] }>;
      };
    };
    const r = await w.axe.run(document);
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.html.slice(0, 160)).join(' | ')}`);
  });
}
