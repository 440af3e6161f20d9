// Child process of bench/collector.ts: the full collector (profiles, rates, bus, and with `storage`
// its SQLite writes) over every device of an inventory.
//   node bench/collector-worker.js INVENTORY DATA_DIR CONCURRENCY storage|no-storage [--timed=INTERVAL_S,N]
// Rounds: prints {"ready"} once, then polls every device once for each `round` line on stdin and
// prints {"cpu","wall","values","rss",…}; `end` (or the end of stdin) stops it.
// --timed: the real scheduler at INTERVAL_S; after two intervals of warm-up, measures N intervals and
// prints {"timed": {"cpuShare","rss","heapMb","values","late"}}.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Registry } from 'prom-client';
import { startCollector } from '../collector/index.ts';
import { Config } from '../config/config.ts';
import { Bus } from '../core/bus.ts';
import { log } from '../core/log.ts';
import type { Runtime } from '../core/runtime.ts';
import { loadInventory, resolveCredentials } from '../inventory/load.ts';
import { startStorage } from '../storage/metrics/index.ts';
import { TEST_SECRETS } from '../test/helpers/agents.ts';

const [inventoryFile, dataDir, concurrencyText, storageMode, timedArg] = process.argv.slice(2);
const timed = timedArg?.startsWith('--timed=')
  ? timedArg.slice('--timed='.length).split(',').map(Number)
  : null;
const intervalS = timed?.[0] ?? 3600;
const inventory = loadInventory(inventoryFile!);
const config = {
  ...Config.parse({
    inventory: inventoryFile,
    data_dir: dataDir,
    collector: {
      interval: `${intervalS}s`,
      snmp_timeout: '5s',
      snmp_retries: 1,
      concurrency: Number(concurrencyText ?? 64),
      trap_listen: 'off',
      icmp: { enabled: false, count: 1 },
      rtp: { enabled: false, packets: 1, interval: '20ms' },
    },
  }),
  file: null,
  baseDir: dataDir!,
};
const rt: Runtime = {
  config,
  inventory,
  bus: new Bus(),
  state: undefined as never,
  log: log.child({}, { level: 'warn' }),
  registry: new Registry(),
};
const storage =
  storageMode === 'storage'
    ? await startStorage(rt)
    : { store: { flush: async () => {} }, stop: async () => {} };
const collector = await startCollector(rt, {
  credentials: resolveCredentials(inventory, TEST_SECRETS),
  autostart: timed !== null,
});
const ids = collector.status().devices.map((d) => d.id);
const metricValue = async (name: string) =>
  (await rt.registry.getSingleMetric(name)?.get())?.values.reduce((a, v) => a + v.value, 0) ?? 0;
const values = () => metricValue('diemcau_collector_snmp_values_total');

/** Where the resident memory is now, MB: V8's heap (used / reserved), Buffers, and the kernel's view. */
function memory(): Record<string, number> {
  const m = process.memoryUsage();
  const mb = (b: number) => Math.round((b / 1048576) * 10) / 10;
  const rollup = readFileSync('/proc/self/smaps_rollup', 'utf8');
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? Number.NaN);
  return {
    rssNow: mb(m.rss),
    heapUsed: mb(m.heapUsed),
    heapTotal: mb(m.heapTotal),
    external: mb(m.external),
    arrayBuffers: mb(m.arrayBuffers),
    anonymous: Math.round(kb('Anonymous') / 102.4) / 10,
    file: Math.round((kb('Rss') - kb('Anonymous')) / 102.4) / 10,
  };
}

/** V8's heap after a full collection (the flag is set only for this read, at the end) */
function heapAfterGc(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed / 1048576;
}

async function stop(): Promise<never> {
  await collector.stop();
  await storage.stop();
  process.exit(0);
}

if (timed) {
  const [, intervals] = timed as [number, number];
  // two intervals of warm-up: the first polls of every device also read its identity, which at
  // 10,000 devices spills into the second interval
  await new Promise((r) => setTimeout(r, 2 * intervalS * 1000));
  const lagCount = async (le: number) => {
    const m = await rt.registry.getSingleMetric('diemcau_collector_poll_lag_seconds')?.get();
    // a histogram's values carry their series name (…_bucket, …_count)
    const vs = (m?.values ?? []) as { metricName?: string; labels: Record<string, unknown>; value: number }[];
    const count = vs.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;
    const within = vs.find((v) => v.metricName?.endsWith('_bucket') && v.labels.le === le)?.value ?? 0;
    return count - within;
  };
  const v0 = await values();
  const late0 = await lagCount(10);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, intervals * intervalS * 1000));
  const c = process.cpuUsage(c0);
  const elapsed = (performance.now() - t0) / 1000;
  const v1 = await values();
  const late = (await lagCount(10)) - late0;
  const before = memory();
  const live = heapAfterGc();
  process.stdout.write(
    `${JSON.stringify({
      timed: {
        cpuShare: (c.user + c.system) / 1e6 / elapsed,
        rss: process.resourceUsage().maxRSS / 1024,
        heapMb: live,
        values: v1 - v0,
        late,
        memory: before,
      },
    })}\n`,
  );
  await stop();
}

process.stdout.write(`${JSON.stringify({ ready: ids.length })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line.startsWith('snapshot ')) {
    // where the memory goes: a heap snapshot after a full collection (bench/heap-summary.ts reads it)
    heapAfterGc();
    process.stdout.write(
      `${JSON.stringify({ snapshot: writeHeapSnapshot(line.slice('snapshot '.length)) })}\n`,
    );
    continue;
  }
  if (line !== 'round') break;
  const v0 = await values();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(ids.map((id) => collector.pollNow(id)));
  await storage.store.flush();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  process.stdout.write(
    `${JSON.stringify({
      cpu: (c.user + c.system) / 1e6,
      wall,
      values: (await values()) - v0,
      down: collector.status().devices.filter((d) => !d.reachable).length,
      rss: process.resourceUsage().maxRSS / 1024,
      ...memory(),
    })}\n`,
  );
}
await stop();
