// Issue 18: one user cannot take every live-stream slot (http.live_max_per_user, default 5), and the
// bytes queued for all live clients together stay within http.live_queue_total_mb.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, clientsByRole, startTestApi, type TestEnv } from '../test/helpers/api.ts';
import type { ApiError } from './contract.ts';
import { LiveHub } from './live.ts';

let env: TestEnv;
let c: Awaited<ReturnType<typeof clientsByRole>>;

beforeAll(async () => {
  env = await startTestApi({ sites: 4, base: 56 });
  c = await clientsByRole(env, [[...env.rt.inventory.sites.keys()][0]!]);
});
afterAll(async () => {
  await env?.stop();
});

/** Opens a live stream; when it is accepted, reads until its snapshot (the hub counts it then). */
async function open(cl: Client) {
  const res = await fetch(`${env.url}/api/v1/live`, { headers: { cookie: cl.cookie! } });
  if (res.status !== 200) return { res, close: () => {} };
  const reader = res.body!.getReader();
  let text = '';
  while (!text.includes('event: snapshot')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  return { res, close: () => void reader.cancel().catch(() => {}) };
}

describe('live-stream connections per user', () => {
  it("a user's sixth live connection is refused while others still connect", async () => {
    const mine = [];
    for (let i = 0; i < 5; i++) {
      const s = await open(c.viewer);
      expect(s.res.status).toBe(200);
      mine.push(s);
    }
    const sixth = await open(c.viewer);
    expect(sixth.res.status).toBe(429);
    const body = (await sixth.res.json()) as ApiError;
    expect(body.error.code).toBe('too_many_streams');
    expect(body.error.message).toMatch(/luồng trực tiếp.*live streams/);

    const other = await open(c.noc);
    expect(other.res.status).toBe(200);

    // closing one frees its slot
    mine.pop()!.close();
    let again: Response | null = null;
    for (let i = 0; i < 50 && again?.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const s = await open(c.viewer);
      if (s.res.status === 200) {
        again = s.res;
        mine.push(s);
      } else again = s.res;
    }
    expect(again?.status).toBe(200);
    for (const s of [...mine, other]) s.close();
  });
});

describe('total byte budget for queued frames', () => {
  it('drops the most backed-up clients when all queues together exceed the budget', () => {
    const hub = new LiveHub(env.rt, null, undefined, { maxQueuedBytes: 100_000 });
    const sinks = [0, 1, 2].map((i) => {
      let queued = 0;
      let dropped = false;
      return {
        i,
        get dropped() {
          return dropped;
        },
        get queued() {
          return queued;
        },
        sink: {
          push(frame: Uint8Array) {
            // client 0 reads nothing, client 1 reads half, client 2 reads everything
            if (i < 2) queued += i === 0 ? frame.length : Math.floor(frame.length / 2);
            return queued < 1 << 20; // each alone stays under its own 1 MiB queue
          },
          queued: () => queued,
          drop() {
            dropped = true;
          },
        },
      };
    });
    for (const s of sinks) hub.connect({ sink: s.sink, user: `u${s.i}` });
    const site = [...env.rt.inventory.sites.keys()][0]!;
    const pad = 'x'.repeat(1000);
    for (let n = 0; n < 200 && !sinks[0]!.dropped; n++)
      hub.publish('alert', { id: pad, sites: [site] } as never, [site]);
    expect(sinks[0]!.dropped).toBe(true);
    expect(sinks[2]!.dropped).toBe(false);
    // what is left queued is within the budget
    const left = sinks.filter((s) => !s.dropped).reduce((n, s) => n + s.queued, 0);
    expect(left).toBeLessThanOrEqual(100_000);
    expect(hub.clientCount()).toBe(sinks.filter((s) => !s.dropped).length);
    hub.stop();
  });
});
