// The `diemcau` command as an operator runs it: output and exit codes.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from './helpers/command.ts';

const run = (...args: string[]) => runCommand('node', ['bin/diemcau.js', ...args]);

describe('diemcau CLI', () => {
  it('inventory check prints the tier counts of the real network and exits 0', async () => {
    const r = await run('inventory', 'check', 'inventory/bac-kan.yaml');
    expect(r).toMatchObject({
      code: 0,
      stdout: 'ok: 120 sites (4 province, 8 district, 108 commune), 361 devices\n',
    });
  });

  it('inventory check prints every error as FILE:LINE: message and exits 1', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'diemcau-cli-')), 'broken.yaml');
    const text = readFileSync('inventory/bac-kan.yaml', 'utf8')
      .replace('tier: commune\n    district: pac-nam\n', 'tier: commune\n    district: pac-nam2\n')
      .replace('mcu_port: 30\n', 'mcu_port: 29\n');
    writeFileSync(file, text);
    const r = await run('inventory', 'check', file);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^${file}:\\d+: site "[a-z-]+": unknown district "pac-nam2"`));
    expect(lines[1]).toMatch(
      new RegExp(`^${file}:\\d+: site "[a-z-]+": MCU port 29 is already mapped to site "[a-z-]+"$`),
    );
  });

  it('the generator reproduces the committed Bắc Kạn inventory from the GSO unit list', async () => {
    const r = await run('inventory', 'generate', '--units', 'inventory/bac-kan-units-2022.json');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync('inventory/bac-kan.yaml', 'utf8'));
  });

  it('an unknown command lists the commands and exits 2', async () => {
    const r = await run('frobnicate');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "frobnicate"');
    expect(r.stderr).toContain('inventory');
  });
});
