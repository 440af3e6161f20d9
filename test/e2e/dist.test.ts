// The compiled server (`npm run build` → dist/diemcau.js), as production runs it: no tsx, data files
// found from dist/, the heap flags of bin/diemcau.js on its first line.
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, NODE_FLAGS } from '../../scripts/build-server.mjs';
import { runCommand } from '../helpers/command.ts';
import { buildDashboard, E2E_BASE, ROOT, startTarget, type Target } from './target.ts';

/** inside the project, as dist/ is: the npm packages resolve from its node_modules */
const OUT = join(ROOT, 'node_modules', '.cache', `diemcau-dist-test-${process.pid}`);
const ENTRY = join(OUT, 'diemcau.js');

const run = (...args: string[]) => runCommand(ENTRY, args, { cwd: ROOT });

describe('the compiled server', () => {
  let target: Target | undefined;

  beforeAll(async () => {
    buildDashboard();
    await buildServer({ outdir: OUT });
  }, 180_000);

  afterAll(async () => {
    await target?.stop();
    rmSync(OUT, { recursive: true, force: true });
  });

  it('is one executable file that starts node with the heap flags of bin/diemcau.js', () => {
    const first = readFileSync(ENTRY, 'utf8').split('\n')[0];
    expect(first).toBe(readFileSync(join(ROOT, 'bin/diemcau.js'), 'utf8').split('\n')[0]);
    expect(NODE_FLAGS).toEqual(expect.arrayContaining([expect.stringMatching(/^--max-old-space-size=\d+$/)]));
    expect(() => accessSync(ENTRY, constants.X_OK)).not.toThrow();
    expect(readFileSync(ENTRY, 'utf8')).not.toMatch(/from ["'][^"']+\.ts["']/);
  });

  it('checks an inventory, and names FILE:LINE of each error (the YAML tree loaded on demand)', async () => {
    const ok = await run('inventory', 'check', 'inventory/bac-kan.yaml');
    expect(ok).toMatchObject({
      code: 0,
      stdout: 'ok: 120 sites (4 province, 8 district, 108 commune), 361 devices\n',
    });
    const file = join(mkdtempSync(join(tmpdir(), 'diemcau-dist-')), 'broken.yaml');
    writeFileSync(
      file,
      readFileSync(join(ROOT, 'inventory/bac-kan.yaml'), 'utf8').replace(
        'tier: commune\n    district: pac-nam\n',
        'tier: commune\n    district: pac-nam2\n',
      ),
    );
    const bad = await run('inventory', 'check', file);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(new RegExp(`^${file}:\\d+: site "[a-z-]+": unknown district "pac-nam2"`));
  });

  it('runs the demo: dashboard served, every site polled through the profiles, ready', async () => {
    target = await startTarget({ base: E2E_BASE + 2, entry: ENTRY });
    const { url } = target;
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app"');
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: target.user, password: target.password }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const known = async () => {
      const r = await fetch(`${url}/api/v1/sites`, { headers: { cookie } });
      const { items } = (await r.json()) as { items: { state: string }[] };
      return items.filter((s) => s.state !== 'unknown').length;
    };
    await expect.poll(known, { timeout: 30_000, interval: 500 }).toBe(120);
    await expect
      .poll(async () => ((await (await fetch(`${url}/readyz`)).json()) as { status: string }).status, {
        timeout: 15_000,
        interval: 500,
      })
      .toBe('ready');
  }, 90_000);
});
