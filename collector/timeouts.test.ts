// Per-device SNMP timeout and retries from the inventory (issue: a slow satellite or 3G commune
// link), against agents that never answer: each device's socket counts the requests it receives.
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../inventory/load.ts';
import { SourceErrors } from '../inventory/source.ts';
import { SNMP_ONLY, type TestNetwork, testNetwork } from '../test/helpers/agents.ts';
import { type Collector, startCollector } from './index.ts';

/** A UDP socket on the device's address that counts what it receives and never answers. */
async function blackHole(host: string, port: number): Promise<{ received: () => number; sock: Socket }> {
  const sock = createSocket('udp4');
  let n = 0;
  sock.on('message', () => n++);
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(port, host, () => resolve());
  });
  return { received: () => n, sock };
}

describe('per-device SNMP timeout and retries', () => {
  let net: TestNetwork;
  let collector: Collector;
  let slow: string;
  let plain: string;
  const holes: Socket[] = [];

  beforeAll(async () => {
    net = await testNetwork(5, 48, { interval: '1h', ...SNMP_ONLY });
    const text = readFileSync(net.file, 'utf8');
    const lines = text.split('\n');
    const codecs = lines.filter((l) => l.includes('kind: codec'));
    slow = /id: ([a-z0-9-]+)/.exec(codecs[0]!)![1]!;
    plain = /id: ([a-z0-9-]+)/.exec(codecs[1]!)![1]!;
    writeFileSync(
      net.file,
      text.replace(codecs[0]!, codecs[0]!.replace(/ }$/, ', snmp_timeout: 200ms, snmp_retries: 3 }')),
    );
    net.runtime.inventory = loadInventory(net.file);
    collector = await startCollector(net.runtime, { credentials: net.credentials, autostart: false });
  });
  afterAll(async () => {
    await collector?.stop();
    for (const s of holes) s.close();
    net?.cleanup();
  });

  it('tries each device as often and waits as long as its own settings say', async () => {
    const inv = net.runtime.inventory;
    expect(inv.devices.get(slow)).toMatchObject({ timeoutMs: 200, retries: 3 });
    expect(inv.devices.get(plain)).not.toHaveProperty('timeoutMs');
    const [a, b] = await Promise.all(
      [slow, plain].map((id) =>
        blackHole(inv.devices.get(id)!.address.host, inv.devices.get(id)!.address.port),
      ),
    );
    holes.push(a!.sock, b!.sock);
    const t0 = Date.now();
    const done = new Map<string, number>();
    await Promise.all(
      [slow, plain].map((id) => collector.pollNow(id).then(() => done.set(id, Date.now() - t0))),
    );
    // 1 request + 3 retries of 200 ms, against 1 + 1 of the global 1 s
    expect(a!.received()).toBe(4);
    expect(b!.received()).toBe(2);
    expect(done.get(slow)!).toBeGreaterThanOrEqual(750);
    expect(done.get(slow)!).toBeLessThan(done.get(plain)!);
    expect(done.get(plain)!).toBeGreaterThanOrEqual(1900);
    const status = new Map(collector.status().devices.map((d) => [d.id, d]));
    expect(status.get(slow)).toMatchObject({ reachable: false, lastError: 'no answer (timeout)' });
    expect(status.get(plain)).toMatchObject({ reachable: false, lastError: 'no answer (timeout)' });
  });

  it('refuses a timeout that is not a duration, at its FILE:LINE', () => {
    const text = readFileSync(net.file, 'utf8').replace('snmp_timeout: 200ms', 'snmp_timeout: 200');
    writeFileSync(net.file, text);
    const line = text.split('\n').findIndex((l) => l.includes('snmp_timeout: 200,')) + 1;
    let err: unknown;
    try {
      loadInventory(net.file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SourceErrors);
    expect((err as SourceErrors).message).toMatch(
      new RegExp(`^${net.file}:${line}: .*snmp_timeout: .*must be a duration such as "800ms" or "5s"`),
    );
  });
});
