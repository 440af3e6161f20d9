// npm run bench: every area's benchmark, one after the other, printed as Markdown for the README.
// `npm run bench -- storage api` runs only the named ones; options (`--quick`, …) go to every bench run.
import { benchAlerts } from './alerts.ts';
import { benchApi } from './api.ts';
import { benchCollector } from './collector.ts';
import { benchDashboard } from './dashboard.ts';
import { benchSimulator } from './simulator.ts';
import { benchStorage } from './storage.ts';

const BENCHES: Record<string, (options: string[]) => Promise<string>> = {
  simulator: benchSimulator,
  collector: benchCollector,
  storage: benchStorage,
  api: benchApi,
  alerts: benchAlerts,
  dashboard: benchDashboard,
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
console.log(`# diemcau benchmarks — ${new Date().toISOString()}, Node ${process.version}\n`);
for (const [name, bench] of Object.entries(BENCHES)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  const t0 = performance.now();
  console.log(
    `## ${name}\n\n${await bench(options)}\n\n(${((performance.now() - t0) / 1000).toFixed(0)} s)\n`,
  );
}
process.exit(0);
