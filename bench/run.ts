// npm run bench: every area's benchmark, one after the other, printed as Markdown. A complete run of
// an area writes bench/results/AREA.md, and the tables in README.md and docs/ are refreshed from the
// results files (bench/results.ts). `npm run bench -- storage api` runs only the named ones; options
// (`--quick`, `--scale`, …) go to every bench run.
import { benchAlerts } from './alerts.ts';
import { benchApi } from './api.ts';
import { benchBackbone } from './backbone.ts';
import { benchCollector } from './collector.ts';
import { benchDashboard } from './dashboard.ts';
import { benchDrivers } from './drivers.ts';
import { type BenchOutput, refreshDocuments, runContext, writeResults } from './results.ts';
import { benchSimulator } from './simulator.ts';
import { benchStorage } from './storage.ts';

const BENCHES: Record<string, (options: string[]) => Promise<BenchOutput>> = {
  simulator: benchSimulator,
  collector: benchCollector,
  storage: benchStorage,
  api: benchApi,
  alerts: benchAlerts,
  dashboard: benchDashboard,
  drivers: benchDrivers,
  backbone: benchBackbone,
};

const args = process.argv.slice(2);
const first = args.findIndex((a) => a.startsWith('-'));
const wanted = first < 0 ? args : args.slice(0, first);
const options = first < 0 ? [] : args.slice(first);
const unknown = wanted.filter((w) => !BENCHES[w]);
if (unknown.length > 0) {
  console.error(`unknown bench: ${unknown.join(', ')}; choose from ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}
const noWrite = options.includes('--no-write');
console.log(`# diemcau benchmarks — ${new Date().toISOString()}, Node ${process.version}\n`);
for (const [name, bench] of Object.entries(BENCHES)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  const context = runContext(['npm run bench --', name, ...options].join(' '));
  const t0 = performance.now();
  const out = await bench(options);
  const took = ((performance.now() - t0) / 1000).toFixed(0);
  console.log(`## ${name}\n\n${context}\n\n${out.markdown}\n\n(${took} s)\n`);
  if (out.complete && !noWrite) {
    const file = writeResults(name, context, out);
    console.error(`bench: wrote ${file}`);
  } else if (out.complete) {
    console.error(`bench: ${name}: --no-write, results and documents left as they were`);
  } else {
    console.error(
      `bench: ${name} was a partial run (other sizes or --quick): results and documents left as they were`,
    );
  }
}
if (!noWrite) {
  const changed = refreshDocuments();
  if (changed.length) console.error(`bench: refreshed ${changed.join(', ')}`);
}
process.exit(0);
