// A screen connecting to a large network gets a snapshot bigger than its live queue (http.live_queue_kb):
// the snapshot is what it must have, so it is never a reason to drop the screen — else the screen
// reconnects, gets the same snapshot, is dropped again, for ever (found by `bench -- dashboard` at
// 1,000 sites).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fleet } from '../alerts/testing.ts';
import { clientsByRole, startTestApi, type TestEnv } from './testing.ts';

let env: TestEnv;

beforeAll(async () => {
  // 16 KB per client (the smallest allowed); 120 sites make a snapshot several times that
  env = await startTestApi({ sites: 120, base: 63, http: { live_queue_kb: 16 } });
});
afterAll(async () => {
  await env?.stop();
});

describe('a snapshot larger than the live queue', () => {
  it('is delivered, and the stream stays open for the events after it', async () => {
    const c = await clientsByRole(env, [[...env.rt.inventory.sites.keys()][0]!]);
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
