// Child process of bench/collector.ts: the full collector (profiles, rates, bus, SQLite storage
// writes) polling every device of an inventory, round after round, on the CPU it is pinned to.
// Prints one JSON line per round: {"round", "cpu", "wall", "values", "samples", "rss"}.
//   node --import tsx bench/collector-worker.ts INVENTORY DATA_DIR ROUNDS CONCURRENCY
import { Registry } from 'prom-client';
import { startCollector } from '../collector/index.ts';
import { Config } from '../config/config.ts';
import { Bus } from '../core/bus.ts';
import { log } from '../core/log.ts';
import type { Runtime } from '../core/runtime.ts';
import { loadInventory, resolveCredentials } from '../inventory/load.ts';
import { startStorage } from '../storage/metrics/index.ts';
import { TEST_SECRETS } from '../test/helpers/agents.ts';

const [inventoryFile, dataDir, roundsText, concurrencyText] = process.argv.slice(2);
const rounds = Number(roundsText ?? 4);
const inventory = loadInventory(inventoryFile!);
const config = {
  ...Config.parse({
    inventory: inventoryFile,
    data_dir: dataDir,
    collector: {
      interval: '1h',
      snmp_timeout: '5s',
      snmp_retries: 1,
      concurrency: Number(concurrencyText ?? 256),
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
const storage = process.env.BENCH_COLLECTOR_NO_STORAGE
  ? { store: { flush: async () => {} }, stop: async () => {} }
  : await startStorage(rt);
let samples = 0;
rt.bus.onSamples((b) => {
  samples += b.length;
});
const collector = await startCollector(rt, {
  credentials: resolveCredentials(inventory, TEST_SECRETS),
  autostart: false,
});
const ids = collector.status().devices.map((d) => d.id);
if (process.env.BENCH_COLLECTOR_DEBUG) {
  const m = process.memoryUsage();
  process.stderr.write(
    `after start: rss ${Math.round(m.rss / 1048576)} MB, heap ${Math.round(m.heapUsed / 1048576)}/${Math.round(m.heapTotal / 1048576)} MB\n`,
  );
}
const valuesMetric = async () => {
  const m = (await rt.registry.getSingleMetric('diemcau_collector_snmp_values_total')?.get())?.values[0]
    ?.value;
  return m ?? 0;
};

for (let r = 0; r < rounds; r++) {
  const before = samples;
  const v0 = await valuesMetric();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(ids.map((id) => collector.pollNow(id)));
  await storage.store.flush();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const down = collector.status().devices.filter((d) => !d.reachable).length;
  process.stdout.write(
    `${JSON.stringify({
      round: r,
      cpu: (c.user + c.system) / 1e6,
      wall,
      values: (await valuesMetric()) - v0,
      samples: samples - before,
      down,
      rss: process.resourceUsage().maxRSS / 1024,
      heap: Math.round(process.memoryUsage().heapTotal / 1048576),
      external: Math.round(process.memoryUsage().external / 1048576),
    })}\n`,
  );
}
await collector.stop();
await storage.stop();
process.exit(0);
