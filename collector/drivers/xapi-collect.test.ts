// `diemcau collect --once --shard district=…` with the codecs on the Cisco xAPI: the shard's codecs
// are polled through the simulator's xAPI (their call and codec quality printed as samples), its other
// devices by SNMP; without the password it stops at the device's line.
// Loopback 127.92.140–146.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sample } from '../../core/bus.ts';
import { type LoadedInventory, loadInventory, resolveCredentials } from '../../inventory/load.ts';
import { type Simulator, startSimulator } from '../../simulator/index.ts';
import { TEST_SECRETS } from '../../test/helpers/agents.ts';
import { runCommand } from '../../test/helpers/command.ts';
import { freeTcpPort } from '../../test/helpers/pexip.ts';
import { writeXapiInventory, XAPI_SECRETS, XAPI_USER } from '../../test/helpers/xapi.ts';

const ENTRY = join(import.meta.dirname, '..', '..', 'bin', 'diemcau.js');
const dir = mkdtempSync(join(tmpdir(), 'diemcau-xapi-collect-'));
const config = join(dir, 'diemcau.yaml');
let inv: LoadedInventory;
let sim: Simulator;

const collect = (env: Record<string, string>, ...args: string[]) =>
  runCommand(process.execPath, [ENTRY, 'collect', ...args], {
    env: { ...process.env, ...env, DIEMCAU_LOG_LEVEL: 'warn', NO_COLOR: '1' },
  });

beforeAll(async () => {
  const port = await freeTcpPort('127.92.140.1');
  const file = join(dir, 'inventory.yaml');
  writeXapiInventory(file, { sites: 6, base: 92, shift: 140, port, timeout: '2s' });
  inv = loadInventory(file);
  sim = await startSimulator({
    inventory: inv,
    credentials: resolveCredentials(inv, TEST_SECRETS),
    seed: 4,
    xapi: { user: XAPI_USER, password: XAPI_SECRETS.DIEMCAU_XAPI_PASSWORD },
  });
  sim.meeting.start([...inv.sites.keys()]);
  writeFileSync(
    config,
    [
      `inventory: ${JSON.stringify(file)}`,
      `data_dir: ${JSON.stringify(join(dir, 'data'))}`,
      'collector:',
      '  interval: 2s',
      '  snmp_timeout: 1s',
      '  trap_listen: "off"',
      '  icmp: { enabled: false }',
      '  rtp: { enabled: false }',
      '',
    ].join('\n'),
  );
}, 30_000);

afterAll(async () => {
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('diemcau collect with codecs on the xAPI', () => {
  it('--once polls the shard’s codecs through the xAPI and its other devices by SNMP', async () => {
    const district = [...inv.sites.values()].at(-1)!.district;
    const r = await collect(
      { ...TEST_SECRETS, ...XAPI_SECRETS },
      '-c',
      config,
      '--once',
      '--shard',
      `district=${district}`,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const samples = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Sample);
    const codecs = [...inv.devices.values()].filter(
      (d) => d.site?.district === district && d.kind === 'codec',
    );
    expect(codecs.length).toBeGreaterThan(0);
    for (const c of codecs) {
      const mine = samples.filter((s) => s.device === c.id);
      expect([c.id, mine.find((s) => s.metric === 'in_call')?.value]).toEqual([c.id, 1]);
      expect(mine.find((s) => s.metric === 'loss_pct')?.tags.probe).toBe('codec');
      // not an SNMP agent: no snmp_up of its own
      expect(mine.some((s) => s.metric === 'snmp_up')).toBe(false);
    }
    expect(samples.every((s) => s.tags.district === district)).toBe(true);
    expect(samples.some((s) => s.metric === 'snmp_up' && s.value === 1)).toBe(true);
  });

  it('without the xAPI password it stops before polling, naming the device’s line', async () => {
    const r = await collect(TEST_SECRETS, '-c', config, '--once');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /inventory\.yaml:\d+: device "[a-z0-9-]+-codec": password does not resolve: environment variable DIEMCAU_XAPI_PASSWORD is not set/,
    );
  });
});
