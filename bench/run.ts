// npm run bench: every area's benchmark, one after the other, printed as Markdown for the README.
// `npm run bench -- storage api` runs only the named ones.
import { benchAlerts } from './alerts.ts';
import { benchApi } from './api.ts';
import { benchCollector } from './collector.ts';
import { benchSimulator } from './simulator.ts';
import { benchStorage } from './storage.ts';

const BENCHES: Record<string, () => Promise<string>> = {
  simulator: benchSimulator,
  collector: benchCollector,
  storage: benchStorage,
  api: benchApi,
  alerts: benchAlerts,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !BENCHES[w]);
if (unknown.length > 0) {
  console.error(`unknown bench: ${unknown.join(', ')}; choose from ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}
console.log(`# diemcau benchmarks — ${new Date().toISOString()}, Node ${process.version}\n`);
for (const [name, bench] of Object.entries(BENCHES)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  const t0 = performance.now();
  console.log(`## ${name}\n\n${await bench()}\n\n(${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
}
process.exit(0);
