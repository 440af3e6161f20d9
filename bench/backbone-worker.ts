// Child process of bench/backbone.ts: the collector's side of the backbone. Every device's poll batch
// (bench/backbone-samples.ts) is published on this process's bus, where the real publisher of bus/
// (bus/publisher.ts) spools it — on disk, DATA_DIR/spool/backbone.db, as `diemcau collect` does — and
// publishes it to the telemetry stream.
//   node --import tsx bench/backbone-worker.ts INVENTORY NATS_URL DATA_DIR INTERVAL_MS INTERVALS
// Prints {"ready":true} once connected, waits for a `go` line on stdin, prints {"started":MS} when the
// schedule starts and, once every batch is stored by the stream, {"done":{batches,samples,digest,unique}}.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Registry } from 'prom-client';
import { startPublisher } from '../bus/publisher.ts';
import { Config } from '../config/config.ts';
import { Bus } from '../core/bus.ts';
import { log } from '../core/log.ts';
import type { Runtime } from '../core/runtime.ts';
import { loadInventory } from '../inventory/load.ts';
import { runSchedule } from './backbone-samples.ts';

const [inventoryFile, natsUrl, dataDir, intervalText, intervalsText] = process.argv.slice(2);
const inventory = loadInventory(inventoryFile!);
const config = {
  ...Config.parse({
    inventory: inventoryFile,
    data_dir: dataDir,
    bus: { nats: { servers: [natsUrl!] } },
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
const say = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);

const publisher = await startPublisher(rt, {
  name: 'bench',
  spoolFile: join(dataDir!, 'spool', 'backbone.db'),
});
for (let i = 0; !publisher.status().connected; i++) {
  if (i > 200) throw new Error('backbone-worker: not connected to nats-server within 10 s');
  await new Promise((r) => setTimeout(r, 50));
}
say({ ready: true });
const lines = createInterface({ input: process.stdin });
for await (const line of lines) if (line.trim() === 'go') break;

const devices = [...inventory.devices.values()];
say({ started: Date.now() });
const published = await runSchedule(devices, Number(intervalText), Number(intervalsText), (b) =>
  rt.bus.publish(b),
);
const drained = await publisher.drained(60_000);
const sorted = [...published.keys].sort();
say({
  done: {
    batches: published.keys.length,
    samples: published.samples,
    unique: new Set(sorted).size,
    digest: createHash('sha256').update(sorted.join('\n')).digest('hex'),
    drained,
    status: publisher.status(),
  },
});
await publisher.stop();
process.exit(0);
