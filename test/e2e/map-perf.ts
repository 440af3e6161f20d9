// How the map copes with 1,000+ endpoints: a synthetic 1,000-site province (the benchmark inventory),
// the real API and alert engine fed every 2 s, the built dashboard in Chromium. Prints what it measured;
// it asserts nothing (performance lives in benchmarks, not in tests).
//   npm run build && node --import tsx test/e2e/map-perf.ts [sites]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateInventory, syntheticUnits } from '../../inventory/generate.ts';
import { startDevApi } from './dev-api.ts';
import { framesFor, jsHeapAfterGc } from './perf.ts';
import { openBrowser } from './target.ts';

const SITES = Number(process.argv[2] ?? 1000);
const dir = mkdtempSync(join(tmpdir(), 'diemcau-perf-'));
const invFile = join(dir, 'inventory.yaml');
writeFileSync(invFile, generateInventory(syntheticUnits(SITES), { title: 'Thử nghiệm', base: 70 }));
const api = await startDevApi({ inventory: invFile });
const browser = await openBrowser();
const { page } = browser;
const out: Record<string, number | string> = { sites: SITES };
try {
  await page.goto(`${api.url}/`);
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', api.password);
  const t0 = Date.now();
  await page.click('button[type=submit]');
  await page.waitForFunction((n) => document.querySelectorAll('a[data-site]').length >= n, SITES, {
    timeout: 60_000,
  });
  out['first_full_map_ms'] = Date.now() - t0;
  out['endpoints_drawn'] = await page.locator('a[data-site]').count();

  // frames and long tasks while the stream delivers a metrics event per site every 2 s
  const watch = (ms: number) => framesFor(page, ms);
  const steady = await watch(10_000);
  for (const [k, v] of Object.entries(steady)) out[`steady_${k}`] = v;

  // a burst: 100 sites lose power at once
  const ids = await page.$$eval('a[data-site][data-tier=commune]', (els) =>
    els.slice(0, 100).map((e) => e.getAttribute('data-site')!),
  );
  const during = watch(8000);
  const t1 = Date.now();
  for (const id of ids) api.inject('power_cut', id);
  await page.waitForFunction(
    (ids) =>
      ids.every(
        (id) => document.querySelector(`a[data-site="${id}"]`)?.getAttribute('data-cause') === 'power',
      ),
    ids,
    { timeout: 60_000, polling: 100 },
  );
  out['burst_100_power_cuts_visible_ms'] = Date.now() - t1;
  for (const [k, v] of Object.entries(await during)) out[`burst_${k}`] = v;
  out['js_heap_mb'] = Math.round((await jsHeapAfterGc(page)).used / 1e6);
  await page.screenshot({ path: join(dir, 'perf.png') });
  out['screenshot'] = join(dir, 'perf.png');
} catch (err) {
  await page.screenshot({ path: join(dir, 'failed.png') });
  out['error'] = String(err);
  out['screenshot'] = join(dir, 'failed.png');
} finally {
  console.log(JSON.stringify(out, null, 2));
  await browser.close();
  await api.stop();
  if (!process.env['KEEP']) rmSync(dir, { recursive: true, force: true });
}
