// `diemcau simulate` as a person runs it: the server in one process, fault and meeting commands in others.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateInventory, syntheticUnits } from '../inventory/generate.ts';

const ENV = {
  ...process.env,
  DIEMCAU_SNMP_COMMUNITY: 'cli-cong-dong',
  DIEMCAU_SNMP_AUTH_KEY: 'cli-auth-key-1',
  DIEMCAU_SNMP_PRIV_KEY: 'cli-priv-key-1',
  DIEMCAU_LOG_LEVEL: 'warn',
};
const BIN = join(import.meta.dirname, '..', 'bin', 'diemcau.js');

function diemcau(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile('node', [BIN, ...args], { env: ENV, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout, err: stderr }),
    );
  });
}

async function freeTcpPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

let server: ReturnType<typeof spawn>;
let control: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'diemcau-sim-cli-'));
  const file = join(dir, 'inventory.yaml');
  writeFileSync(file, generateInventory(syntheticUnits(6), { title: 'Thử CLI', base: 31 }));
  control = `127.0.0.1:${await freeTcpPort()}`;
  server = spawn('node', [BIN, 'simulate', '--inventory', file, '--control', control, '--seed', '3'], {
    env: ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let text = '';
    server.stdout!.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('SNMP agents')) resolve();
    });
    server.once('exit', (code) => reject(new Error(`simulate exited with ${code}`)));
  });
});

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
});

describe('diemcau simulate', () => {
  it('adds, lists and clears faults and drives a meeting through the control API', async () => {
    const add = await diemcau([
      'simulate',
      'fault',
      'add',
      'power_cut',
      '--site',
      'xa-so-1',
      '--runtime',
      '20',
      '--control',
      control,
    ]);
    expect(add.err).toBe('');
    expect(add.out.trim()).toMatch(/^f\d+$/);
    const id = add.out.trim();
    const deg = await diemcau([
      'simulate',
      'fault',
      'add',
      'link_degraded',
      '--site',
      'xa-so-1',
      '--loss',
      '3',
      '--delay',
      '40',
      '--control',
      control,
    ]);
    expect(deg.code).toBe(0);

    const list = await diemcau(['simulate', 'fault', 'list', '--control', control]);
    expect(list.out).toContain(`${id}\tpower_cut\tsite=xa-so-1 runtime_min=20`);
    expect(list.out).toContain('link_degraded\tsite=xa-so-1 loss_pct=3 delay_ms=40');

    const bad = await diemcau([
      'simulate',
      'fault',
      'add',
      'power_cut',
      '--site',
      'khong-co',
      '--control',
      control,
    ]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/400: .*unknown site "khong-co"/);

    const meet = await diemcau(['simulate', 'meeting', 'start', 'tinh-uy', 'xa-so-1', '--control', control]);
    expect(meet.out).toContain('tinh-uy xa-so-1');

    const status = await diemcau(['simulate', 'status', '--control', control]);
    expect(status.out).toMatch(/1 chạy pin \(on battery\), 2 đang họp \(in call\)/);
    expect(status.out).toMatch(/xa-so-1\ton battery, [\d.]+ min left/);

    expect((await diemcau(['simulate', 'fault', 'clear', id, '--control', control])).code).toBe(0);
    expect((await diemcau(['simulate', 'fault', 'clear', 'all', '--control', control])).code).toBe(0);
    const empty = await diemcau(['simulate', 'fault', 'list', '--control', control]);
    expect(empty.out).toMatch(/no faults/);
    const end = await diemcau(['simulate', 'meeting', 'end', '--control', control]);
    expect(end.out).toMatch(/no meeting/);
  });

  it('says where the simulator is not', async () => {
    const r = await diemcau(['simulate', 'fault', 'list', '--control', `127.0.0.1:${await freeTcpPort()}`]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/không kết nối được trình giả lập/);
  });
});
