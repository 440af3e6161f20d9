// Issue 18: `diemcau serve` as an operator meets it. An unknown flag and an address that cannot be
// bound are one line with the fix and exit 2 (no stack trace); the data directory it creates is
// 0700 and its files 0600 (the state database holds password hashes and token digests).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { generateInventory, syntheticUnits } from '../inventory/generate.ts';
import { runCommand } from './helpers/command.ts';
import { freePort } from './helpers/influxd.ts';

// the SNMP secrets the generated inventory references
const env = {
  ...process.env,
  DIEMCAU_SNMP_COMMUNITY: 'public',
  DIEMCAU_SNMP_AUTH_KEY: 'kiem-thu-auth-123',
  DIEMCAU_SNMP_PRIV_KEY: 'kiem-thu-priv-123',
};
const run = (...args: string[]) => runCommand('node', ['bin/diemcau.js', ...args], { timeout: 60_000, env });
const dir = mkdtempSync(join(tmpdir(), 'diemcau-serve-'));
const inventory = join(dir, 'inventory.yaml');
writeFileSync(inventory, generateInventory(syntheticUnits(2), { title: 'Kiểm thử serve', base: 58 }));

function config(name: string, listen: string, dataDir = join(dir, `data-${name}`)): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    stringify({
      inventory,
      data_dir: dataDir,
      http: { listen },
      collector: {
        interval: '1h',
        trap_listen: 'off',
        icmp: { enabled: false, count: 1 },
        rtp: { enabled: false, packets: 1, interval: '20ms' },
      },
    }),
  );
  return file;
}

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('diemcau serve', () => {
  it('an unknown flag: one line naming it and the help, exit 2', async () => {
    const r = await run('serve', '--nope');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'diemcau serve: tùy chọn không có / unknown option --nope; xem / see: diemcau serve --help\n',
    );
    expect(r.stdout).toBe('');
  });

  it('the same for diemcau demo: an unknown flag and a bad --listen, before anything starts', async () => {
    const bogus = await run('demo', '--bogus');
    expect([bogus.code, bogus.stderr]).toEqual([
      2,
      'diemcau demo: tùy chọn không có / unknown option --bogus; xem / see: diemcau demo --help\n',
    ]);
    const listen = await run('demo', '--listen', '127.0.0.1:99999');
    expect([listen.code, listen.stderr]).toEqual([
      2,
      'diemcau demo: --listen "127.0.0.1:99999" không hợp lệ / invalid: use ADDRESS:PORT, e.g. 127.0.0.1:8080\n',
    ]);
  });

  it('an address already in use: one line naming http.listen and the fix, exit 2', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as { port: number }).port;
    try {
      const r = await run('serve', '-c', config('busy', `127.0.0.1:${port}`));
      expect(r.code).toBe(2);
      const lines = r.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('{')); // pino logs are JSON
      expect(lines).toEqual([
        `diemcau: http.listen 127.0.0.1:${port}: không mở được / cannot listen (EADDRINUSE): cổng đang bị tiến trình khác dùng: dừng tiến trình đó hoặc chọn cổng khác / address already in use: stop the other process or choose another port`,
      ]);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      busy.close();
    }
  }, 60_000);

  it('a malformed listen address is refused at its line before anything starts', async () => {
    const file = config('bad-listen', '127.0.0.1:99999');
    const r = await run('serve', '-c', file);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(new RegExp(`^${file}:\\d+: http\\.listen: must be ADDRESS:PORT`));
  });

  it('creates the data directory 0700 and its files 0600, and tightens an old one', async () => {
    const data = join(dir, 'data-modes');
    mkdirSync(data, { mode: 0o755 });
    writeFileSync(join(data, 'old-file'), 'x', { mode: 0o644 });
    const port = await freePort();
    const child = spawn(
      'node',
      ['bin/diemcau.js', 'serve', '-c', config('modes', `127.0.0.1:${port}`, data)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env,
      },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('serve did not start')), 60_000);
        child.stdout.on('data', (d: Buffer) => {
          if (d.toString().includes('serving at')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
      });
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect(statSync(data).mode & 0o777).toBe(0o700);
      const files = readdirSync(data);
      expect(files).toContain('state.db');
      for (const f of files) {
        const st = statSync(join(data, f));
        expect([f, st.mode & 0o777]).toEqual([f, st.isDirectory() ? 0o700 : 0o600]);
      }
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }, 90_000);
});
