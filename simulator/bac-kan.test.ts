// The real Bắc Kạn inventory, moved from the demo's 127.20.x.y to this suite's 127.33.x.y:
// every device answers a full walk with Net-SNMP's snmpbulkwalk during a meeting of all sites.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DeviceRef,
  type LoadedInventory,
  loadInventory,
  resolveCredentials,
} from '../inventory/load.ts';
import { netsnmpCredentials } from '../test/helpers/snmp-secrets.ts';
import { type Simulator, startSimulator } from './index.ts';

const ENV = {
  DIEMCAU_SNMP_COMMUNITY: 'bk-cong-dong',
  DIEMCAU_SNMP_AUTH_KEY: 'bk-auth-123',
  DIEMCAU_SNMP_PRIV_KEY: 'bk-priv-123',
};
const { V2, V3 } = netsnmpCredentials(ENV);

function walk(d: DeviceRef): Promise<{ code: number; lines: string[]; err: string }> {
  const v = d.snmp === 'core-v3' ? V3 : V2;
  return new Promise((resolve) => {
    execFile(
      'snmpbulkwalk',
      ['-m', '', '-On', '-t', '2', '-r', '2', ...v, `${d.address.host}:${d.address.port}`, '1.3.6.1'],
      { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? 1 : 0, lines: stdout.split('\n').filter(Boolean), err: stderr }),
    );
  });
}

let inv: LoadedInventory;
let sim: Simulator;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'diemcau-sim-bk-'));
  const file = join(dir, 'bac-kan.yaml');
  const text = readFileSync(join(import.meta.dirname, '..', 'inventory', 'bac-kan.yaml'), 'utf8');
  writeFileSync(file, text.replaceAll('"127.20.', '"127.33.'));
  inv = loadInventory(file);
  sim = await startSimulator({ inventory: inv, credentials: resolveCredentials(inv, ENV), seed: 5 });
  sim.meeting.start([...inv.sites.keys()]);
});

afterAll(async () => {
  await sim?.stop();
});

describe('the Bắc Kạn inventory in the simulator', () => {
  it('answers a full walk of every device, with the objects of its profile', async () => {
    const devices = [...inv.devices.values()];
    expect(devices.every((d) => d.address.host.startsWith('127.33.'))).toBe(true);
    const expectPrefix: Record<string, string> = {
      'polycom-group': '.1.3.6.1.4.1.13885.101.1.4.1.1.58.',
      'polycom-hdx': '.1.3.6.1.4.1.2684.1.1.21.0',
      'cisco-cts': '.1.3.6.1.4.1.9.9.644.1.4.10.1.14.',
      'ups-mib': '.1.3.6.1.2.1.33.1.3.3.1.3.1',
      'apc-powernet': '.1.3.6.1.4.1.318.1.1.1.4.1.1.0',
      'if-mib-router': '.1.3.6.1.2.1.31.1.1.1.6.3',
      'polycom-mcu': '.1.3.6.1.4.1.32473.1.1.1.7.',
      'generic-codec': '.1.3.6.1.2.1.31.1.1.1.10.1',
    };
    const failures: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < devices.length) {
          const d = devices[next++]!;
          const r = await walk(d);
          const prefix = expectPrefix[d.profile];
          if (r.code !== 0) failures.push(`${d.id}: ${r.err.trim()}`);
          else if (!prefix || !r.lines.some((l) => l.startsWith(prefix)))
            failures.push(`${d.id}: no ${prefix}`);
          else if (r.lines.some((l) => /No Such|Wrong Type|OID not increasing/.test(l)))
            failures.push(`${d.id}: ${r.lines.find((l) => /No Such|Wrong|OID not/.test(l))}`);
        }
      }),
    );
    expect(failures).toEqual([]);
    const mcuPorts = await walk(inv.devices.get(inv.inventory.mcu.id)!);
    const states = mcuPorts.lines.filter((l) => l.startsWith('.1.3.6.1.4.1.32473.1.1.1.3.'));
    expect(states).toHaveLength(inv.mcuPorts.size);
    expect(states.every((l) => l.endsWith('INTEGER: 1'))).toBe(true);
  });
});
