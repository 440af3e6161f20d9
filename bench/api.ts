// API benchmark:
//  1. throughput of GET /api/v1/sites (all 120 sites with status, API token auth), HTTP keep-alive,
//     32 concurrent requests from a worker thread (its own event loop, so the load generator does not
//     run on the server's);
//  2. latency from a sample published on the bus to the SSE `metrics` event at the client, with 50
//     clients connected (in a worker thread), for a single-site sample and for a whole-network batch.
// Each sample carries its publish time (performance.timeOrigin + now(), comparable across threads) as
// its value; each client subtracts it from its receive time.
//
//   node --import tsx bench/api.ts      # prints a markdown table
import { Worker } from 'node:worker_threads';
import { createApiToken, createUser } from '../api/accounts.ts';
import type { Sample } from '../core/bus.ts';
import { log } from '../core/log.ts';
import { startTestApi } from '../test/helpers/api.ts';
import type { BenchOutput, Target } from './results.ts';

const SITES = 120;
const DURATION_MS = Number(process.env.BENCH_API_SECONDS ?? 5) * 1000;
const CONCURRENCY = 32;
const CLIENTS = 50;
const ROUNDS = Number(process.env.BENCH_API_ROUNDS ?? 100);
/** whole-network batches, 200 ms apart (the collector publishes one per poll round, every 10 s) */
const NET_ROUNDS = 30;

const now = () => performance.timeOrigin + performance.now();

const LOAD_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, token, concurrency, durationMs } = workerData;
(async () => {
  const lat = [];
  let errors = 0;
  const end = Date.now() + durationMs;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (Date.now() < end) {
      const s = performance.now();
      try {
        const r = await fetch(url, { headers: { authorization: 'Bearer ' + token } });
        await r.arrayBuffer();
        if (r.status !== 200) errors++;
      } catch { errors++; }
      lat.push(performance.now() - s);
    }
  }));
  parentPort.postMessage({ count: lat.length, seconds: (performance.now() - t0) / 1000, errors, lat });
})();
`;

const SSE_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, token, clients } = workerData;
const lat = [];
let connected = 0;
const dec = new TextDecoder();
async function client() {
  const res = await fetch(url, { headers: { authorization: 'Bearer ' + token } });
  const reader = res.body.getReader();
  let buf = '';
  let first = true;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    const at = performance.timeOrigin + performance.now();
    buf += dec.decode(value, { stream: true });
    let i;
    while ((i = buf.indexOf('\\n\\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      if (block.includes('event: snapshot') && first) { first = false; if (++connected === clients) parentPort.postMessage({ ready: true }); }
      if (!block.includes('event: metrics')) continue;
      // one event per batch: every site's numbers that arrived together
      const data = JSON.parse(block.slice(block.indexOf('data: ') + 6));
      for (const u of data.updates) if (u.values.jitter_ms !== undefined) lat.push(at - u.values.jitter_ms);
    }
  }
}
for (let i = 0; i < clients; i++) client().catch((e) => parentPort.postMessage({ error: String(e) }));
parentPort.on('message', (m) => { if (m === 'report') { parentPort.postMessage({ lat: lat.splice(0) }); } });
`;

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((sorted.length * p) / 100) - 1))]!;
}

const f = (x: number, d = 1) => x.toFixed(d);

function runWorker<T>(
  code: string,
  data: unknown,
  onMessage?: (m: unknown, w: Worker) => void,
): { w: Worker; done: Promise<T> } {
  const w = new Worker(code, { eval: true, workerData: data });
  const done = new Promise<T>((resolve, reject) => {
    w.on('message', (m) => {
      if (onMessage) onMessage(m, w);
      else resolve(m as T);
    });
    w.on('error', reject);
  });
  return { w, done };
}

export async function benchApi(): Promise<BenchOutput> {
  const level = log.level;
  log.level = 'warn'; // keep the markdown clean
  const env = await startTestApi({ sites: SITES, base: 56, http: { live_max_per_user: CLIENTS } });
  try {
    await createUser(env.rt.state, { name: 'bench', role: 'noc' });
    const { token } = createApiToken(env.rt.state, 'bench', 'bench');
    const sites = [...env.rt.inventory.sites.values()];
    const tags = (i: number): Sample['tags'] => ({
      tier: sites[i]!.tier,
      district: sites[i]!.district,
      carrier: sites[i]!.link.carrier,
    });
    // some numbers for every site, so the list is what a NOC sees
    env.rt.bus.publish(
      sites.flatMap((s, i) =>
        (['reachable', 'rtt_ms', 'loss_pct', 'ups_on_battery'] as const).map((metric) => ({
          time: Date.now(),
          site: s.id,
          device: `${s.id}:rtp`,
          metric,
          value: metric === 'reachable' ? 1 : 0,
          tags: tags(i),
        })),
      ),
    );

    // 1. throughput
    const sitesUrl = `${env.url}/api/v1/sites`;
    const bytes = (
      await (await fetch(sitesUrl, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer()
    ).byteLength;
    const load = runWorker<{ count: number; seconds: number; errors: number; lat: number[] }>(LOAD_WORKER, {
      url: sitesUrl,
      token,
      concurrency: CONCURRENCY,
      durationMs: DURATION_MS,
    });
    const r = await load.done;
    await load.w.terminate();
    const lat = r.lat.sort((a, b) => a - b);
    // the server's own cost of the route, without sockets: Hono app.request in this thread
    const h = { authorization: `Bearer ${token}` };
    for (let i = 0; i < 200; i++)
      await (await env.api.app.request('/api/v1/sites', { headers: h })).arrayBuffer();
    let inProc = 0;
    const tIn = performance.now();
    while (performance.now() - tIn < 2000) {
      await (await env.api.app.request('/api/v1/sites', { headers: h })).arrayBuffer();
      inProc++;
    }
    const inProcRate = inProc / ((performance.now() - tIn) / 1000);

    // 2. bus → SSE latency with 50 clients
    let ready!: () => void;
    const readyP = new Promise<void>((res) => {
      ready = res;
    });
    let reportResolve: ((l: number[]) => void) | null = null;
    const sse = runWorker<void>(
      SSE_WORKER,
      { url: `${env.url}/api/v1/live`, token, clients: CLIENTS },
      (m) => {
        const msg = m as { ready?: boolean; lat?: number[]; error?: string };
        if (msg.ready) ready();
        if (msg.lat && reportResolve) reportResolve(msg.lat);
        if (msg.error) console.error('sse client:', msg.error);
      },
    );
    await readyP;
    const report = () =>
      new Promise<number[]>((res) => {
        reportResolve = res;
        sse.w.postMessage('report');
      });
    const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
    const scenario = async (
      batch: (t: number) => Sample[],
      rounds: number,
      gapMs: number,
      expected: number,
    ) => {
      await report();
      for (let i = 0; i < rounds; i++) {
        env.rt.bus.publish(batch(now()));
        await sleep(gapMs);
      }
      await sleep(300);
      const l = (await report()).sort((a, b) => a - b);
      return { l, expected };
    };
    const one = await scenario(
      (t) => [
        {
          time: Date.now(),
          site: sites[5]!.id,
          device: `${sites[5]!.id}:rtp`,
          metric: 'jitter_ms',
          value: t,
          tags: tags(5),
        },
      ],
      ROUNDS,
      20,
      ROUNDS * CLIENTS,
    );
    // the whole network in one batch: 120 sites × 4 metrics; the jitter sample carries the time
    const all = await scenario(
      (t) =>
        sites.flatMap((s, i) => [
          ...(['rtt_ms', 'loss_pct', 'mos'] as const).map((metric) => ({
            time: Date.now(),
            site: s.id,
            device: `${s.id}:rtp`,
            metric,
            value: 1,
            tags: tags(i),
          })),
          {
            time: Date.now(),
            site: s.id,
            device: `${s.id}:rtp`,
            metric: 'jitter_ms' as const,
            value: t,
            tags: tags(i),
          },
        ]),
      NET_ROUNDS,
      200,
      NET_ROUNDS * CLIENTS * SITES,
    );
    await sse.w.terminate();
    const dropped = env.api.live.counters.dropped;

    const row = (name: string, x: { l: number[]; expected: number }) =>
      `| ${name} | ${x.l.length} / ${x.expected} | ${f(pct(x.l, 50), 2)} | ${f(pct(x.l, 95), 2)} | ${f(pct(x.l, 99), 2)} | ${f(x.l.at(-1) ?? Number.NaN, 2)} |`;
    const targets: Target[] = [
      {
        target: `bus sample → SSE event < 100 ms at ${CLIENTS} clients (p99, whole network in one batch)`,
        measured: `${f(pct(all.l, 99), 1)} ms; ${all.l.length} of ${all.expected} events`,
        met: pct(all.l, 99) < 100 && all.l.length === all.expected,
      },
      { target: 'no live client dropped as too slow', measured: String(dropped), met: dropped === 0 },
    ];
    const markdown = [
      `GET /api/v1/sites (${SITES} sites, ${(bytes / 1024).toFixed(0)} KiB JSON, API token), ${CONCURRENCY} concurrent, keep-alive, ${DURATION_MS / 1000} s:`,
      '',
      '| requests/s | requests | errors | p50 ms | p95 ms | p99 ms |',
      '| ---: | ---: | ---: | ---: | ---: | ---: |',
      `| ${f(r.count / r.seconds, 0)} | ${r.count} | ${r.errors} | ${f(pct(lat, 50), 2)} | ${f(pct(lat, 95), 2)} | ${f(pct(lat, 99), 2)} |`,
      '',
      `Same route inside the process (Hono \`app.request\`, no sockets, one at a time): ${f(inProcRate, 0)} requests/s.`,
      '',
      `Bus sample → SSE \`metrics\` event at the client, ${CLIENTS} clients connected (target: < 100 ms). One site: ${ROUNDS} publishes 20 ms apart; whole network: ${NET_ROUNDS} batches 200 ms apart, latency of every site's event:`,
      '',
      '| publish | events received / expected | p50 ms | p95 ms | p99 ms | max ms |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      row('one site, one sample', one),
      row(`whole network: ${SITES} sites × 4 samples in one batch`, all),
      '',
      `Live clients dropped as too slow: ${dropped}. Server and load generators share one machine (${(await import('node:os')).cpus().length} CPUs); the clients run in worker threads of the same process; load average at the end: ${(await import('node:os')).loadavg()[0]!.toFixed(1)}.`,
    ].join('\n');
    return { markdown, targets, complete: true };
  } finally {
    await env.stop();
    log.level = level;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log((await benchApi()).markdown);
  process.exit(0);
}
