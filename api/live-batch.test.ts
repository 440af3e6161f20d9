// The live stream sends new numbers batched: what a collector round delivers together, or what arrives
// within the window after the previous `metrics` event, reaches a client as one event with every site's
// values; a technician gets the same event cut down to their sites, also when resuming.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Client,
  clientsByRole,
  readEvents,
  type SseEvent,
  sample,
  startTestApi,
  type TestEnv,
} from '../test/helpers/api.ts';
import type { LiveEvents } from './contract.ts';
import { LiveHub, type LiveSink } from './live.ts';

const SITES = 40;
/** long enough that a loaded machine still delivers a spread burst inside it */
const WINDOW_MS = 1000;

let env: TestEnv;
let c: Record<string, Client>;
let ids: string[];
let techSite: string;

beforeAll(async () => {
  env = await startTestApi({ sites: SITES, base: 83, deps: { live: { metricsWindowMs: WINDOW_MS } } });
  ids = [...env.rt.inventory.sites.keys()];
  techSite = ids[7]!;
  c = await clientsByRole(env, [techSite]);
});
afterAll(async () => {
  await env?.stop();
});

const open = (client: Client, headers: Record<string, string> = {}) =>
  fetch(`${env.url}/api/v1/live`, { headers: { cookie: client.cookie!, ...headers } });
const metrics = (evs: SseEvent[]) => evs.filter((e) => e.event === 'metrics');
const updates = (e: SseEvent) => (JSON.parse(e.data) as LiveEvents['metrics']).updates;

/** one delivery per site, as the poller publishes each device's poll; distinct numbers per site */
function round(base: number): void {
  const t = Date.now();
  ids.forEach((site, i) => {
    env.rt.bus.publish([
      sample(site, 'reachable', 1, t),
      sample(site, 'rtt_ms', base + i, t),
      sample(site, 'loss_pct', i / 10, t),
    ]);
  });
}

describe('live stream: metrics batched', () => {
  it("a burst of samples for every site reaches a client as one metrics event with every site's values", async () => {
    const noc = await open(c.noc!);
    const tech = await open(c.technician!);
    // both are connected (their snapshots queued first); the round arrives
    expect(env.api.live.clientCount()).toBe(2);
    round(100);
    const [nocEvs, techEvs] = await Promise.all([
      readEvents(noc, (evs) => metrics(evs).length >= 1),
      readEvents(tech, (evs) => metrics(evs).length >= 1),
    ]);
    const [batch] = metrics(nocEvs);
    const got = updates(batch!);
    expect(got).toHaveLength(SITES);
    expect(new Set(got.map((u) => u.site))).toEqual(new Set(ids));
    ids.forEach((site, i) => {
      expect(got.find((u) => u.site === site)!.values, site).toEqual({
        reachable: 1,
        rtt_ms: 100 + i,
        loss_pct: i / 10,
      });
    });
    // the technician: the same event, only their site
    const [mine] = metrics(techEvs);
    expect(mine!.id).toBe(batch!.id);
    expect(updates(mine!).map((u) => u.site)).toEqual([techSite]);
    expect(updates(mine!)[0]!.values).toMatchObject({ rtt_ms: 100 + ids.indexOf(techSite) });

    // resuming from just before it, the technician gets it again, still cut down to their site
    const again = await open(c.technician!, { 'last-event-id': String(batch!.id! - 1) });
    const replay = metrics(await readEvents(again, (evs) => metrics(evs).length >= 1));
    expect(replay[0]!.id).toBe(batch!.id);
    expect(updates(replay[0]!).map((u) => u.site)).toEqual([techSite]);
  });
});

class Sink implements LiveSink {
  events: SseEvent[] = [];
  push(chunk: Uint8Array): boolean {
    for (const block of new TextDecoder().decode(chunk).split('\n\n').filter(Boolean)) {
      const id = /^id: (\d+)$/m.exec(block)?.[1];
      this.events.push({
        id: id ? Number(id) : null,
        event: /^event: (.*)$/m.exec(block)?.[1] ?? 'message',
        data: /^data: (.*)$/m.exec(block)?.[1] ?? '',
      });
    }
    return true;
  }
  drop(): void {}
}

describe('live hub: the metrics window', () => {
  it('numbers that arrive spread out after a metrics event wait for the window and travel as one event', async () => {
    const hub = new LiveHub(env.rt, null, undefined, { heartbeatMs: 60_000, metricsWindowMs: WINDOW_MS });
    hub.start();
    const sink = new Sink();
    hub.connect({ sink });
    // the first delivery after a quiet spell leaves at once
    env.rt.bus.publish([sample(ids[0]!, 'rtt_ms', 1)]);
    await new Promise((r) => setImmediate(r));
    expect(metrics(sink.events)).toHaveLength(1);
    // the rest of the round, one delivery per site in separate turns of the event loop
    for (const [i, site] of ids.entries()) {
      env.rt.bus.publish([sample(site, 'jitter_ms', i)]);
      await new Promise((r) => setImmediate(r));
    }
    expect(metrics(sink.events)).toHaveLength(1);
    await expect.poll(() => metrics(sink.events).length, { timeout: WINDOW_MS + 5000 }).toBe(2);
    const second = updates(metrics(sink.events)[1]!);
    expect(second.map((u) => u.site)).toEqual(ids);
    ids.forEach((site, i) => {
      expect(second[i]!.values, site).toMatchObject({ jitter_ms: i });
    });
    hub.stop();
  });
});
