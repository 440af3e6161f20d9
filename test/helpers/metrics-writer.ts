// A stand-in for the collector process, for the kill test: writes numbered samples through the
// InfluxDB metrics store and reports on stdout, one JSON line each:
//   {"acked": N, "spooled": S}   after flush(): samples [from, N) are stored or spooled
//   {"done": true, ...}          all written; then {"spooled": S} every 100 ms until SIGTERM
// SIGTERM closes the store cleanly and exits 0.
//
//   WRITER='{"url":…,"database":…,"dataDir":…,"from":0,"count":20000,"batch":500,"pauseMs":10,"t0":…}' \
//     node --import tsx test/helpers/metrics-writer.ts
import { log } from '../../core/log.ts';
import { createMetricsStore } from '../../storage/metrics/index.ts';
import { storeConfig, writerSample } from './metrics.ts';

interface WriterArgs {
  url: string;
  database: string;
  dataDir: string;
  from: number;
  count: number;
  batch: number;
  pauseMs: number;
  t0: number;
}

const args = JSON.parse(process.env.WRITER ?? '{}') as WriterArgs;
const config = storeConfig({
  dataDir: args.dataDir,
  influxUrl: args.url,
  database: args.database,
  batchSize: 1000,
  flushInterval: '100ms',
});
const store = await createMetricsStore({ config, log });
const say = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);

let stopping = false;
process.on('SIGTERM', () => {
  stopping = true;
  void store.close().then(() => process.exit(0));
});

const end = args.from + args.count;
for (let i = args.from; i < end && !stopping; ) {
  const batch = [];
  const upTo = Math.min(end, i + args.batch);
  for (; i < upTo; i++) batch.push(writerSample(args.t0, i));
  store.write(batch);
  await store.flush();
  say({ acked: upTo, spooled: store.health().spooled });
  await new Promise((r) => setTimeout(r, args.pauseMs));
}
say({ done: true, spooled: store.health().spooled });
setInterval(() => say({ spooled: store.health().spooled, ok: store.health().ok }), 100);
