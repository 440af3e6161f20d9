// A screen connecting to a large network gets a snapshot bigger than its live queue (http.live_queue_kb):
// the snapshot is what it must have, so it is never a reason to drop the screen — else the screen
// reconnects, gets the same snapshot, is dropped again, for ever (found by `bench -- dashboard` at
// 1,000 sites).
import { type IncomingMessage, request } from 'node:http';
import { createGunzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fleet } from '../test/helpers/alerts.ts';
import { clientsByRole, startTestApi, type TestEnv } from '../test/helpers/api.ts';
import { until } from '../test/helpers/servers.ts';

let env: TestEnv;
let c: Awaited<ReturnType<typeof clientsByRole>>;

beforeAll(async () => {
  // 16 KB per client (the smallest allowed); 120 sites make a snapshot several times that
  env = await startTestApi({ sites: 120, base: 63, http: { live_queue_kb: 16 } });
  c = await clientsByRole(env, [[...env.rt.inventory.sites.keys()][0]!]);
});
afterAll(async () => {
  await env?.stop();
});

describe('a snapshot larger than the live queue', () => {
  it('is delivered, and the stream stays open for the events after it', async () => {
    const res = await fetch(`${env.url}/api/v1/live`, { headers: { cookie: c.viewer.cookie! } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    let snapshotBytes = 0;
    while (!/event: snapshot\n[^\n]*\n\n/.test(text)) {
      const { value, done } = await reader.read();
      expect(done, 'the stream ended before its snapshot').toBe(false);
      text += decoder.decode(value, { stream: true });
      snapshotBytes += value!.length;
    }
    expect(snapshotBytes).toBeGreaterThan(16 * 1024);
    // then the network moves: a site event must still arrive on this stream
    const fleet = new Fleet(env.rt.inventory);
    const site = [...env.rt.inventory.sites.keys()][5]!;
    const after = (async () => {
      let more = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return { more, done: true };
        more += decoder.decode(value, { stream: true });
        if (/event: (site|metrics)\n/.test(more)) return { more, done: false };
      }
    })();
    const timer = setInterval(() => env.rt.bus.publish(fleet.probe(site, Date.now(), { reachable: 0 })), 200);
    try {
      const r = await after;
      expect(r.done, 'the server ended the stream after the snapshot').toBe(false);
    } finally {
      clearInterval(timer);
      await reader.cancel().catch(() => {});
    }
    expect(env.api.live.counters.dropped).toBe(0);
  });
});

describe('the live stream on the wire', () => {
  it('is gzipped for a client that accepts it, each frame flushed at once; plain for one that does not', async () => {
    const open = (accept: string | null) =>
      new Promise<IncomingMessage>((resolve, reject) => {
        const req = request(`${env.url}/api/v1/live`, {
          headers: { cookie: c.noc.cookie!, ...(accept && { 'accept-encoding': accept }) },
        });
        req.on('response', resolve).on('error', reject).end();
      });
    const gz = await open('gzip, deflate, br');
    expect(gz.headers['content-encoding']).toBe('gzip');
    let wire = 0;
    let text = '';
    const gunzip = createGunzip();
    gz.on('data', (b: Buffer) => {
      wire += b.length;
      gunzip.write(b);
    });
    gunzip.on('data', (b: Buffer) => {
      text += b.toString('utf8');
    });
    // the snapshot arrives whole without the stream ending: the compressor holds nothing back
    await until(() => /event: snapshot\n[^\n]*\n\n/.test(text), 10_000, 'the gzipped snapshot');
    const decoded = Buffer.byteLength(text);
    expect(wire).toBeLessThan(decoded / 3);
    // an event after it arrives too
    const fleet = new Fleet(env.rt.inventory);
    const site = [...env.rt.inventory.sites.keys()][7]!;
    const timer = setInterval(() => env.rt.bus.publish(fleet.probe(site, Date.now(), { reachable: 0 })), 200);
    try {
      await until(
        () => /event: (site|metrics)\n/.test(text.slice(decoded)),
        10_000,
        'an event after the snapshot',
      );
    } finally {
      clearInterval(timer);
      gz.destroy();
    }
    const plain = await open(null);
    expect(plain.headers['content-encoding']).toBeUndefined();
    plain.destroy();
  });
});
