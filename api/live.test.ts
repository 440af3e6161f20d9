import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Client,
  clientsByRole,
  readEvents,
  type SseEvent,
  sample,
  startTestApi,
  type TestEnv,
  upsOnBattery,
} from '../test/helpers/api.ts';
import type { LiveEvents, SiteStatus } from './contract.ts';

let env: TestEnv;
let c: Record<string, Client>;
let siteA: string;
let siteB: string;

beforeAll(async () => {
  env = await startTestApi({ sites: 12, base: 51, alerts: true });
  const ids = [...env.rt.inventory.sites.keys()];
  siteA = ids[5]!;
  siteB = ids[6]!;
  c = await clientsByRole(env, [siteA]);
});
afterAll(async () => {
  await env?.stop();
});

function live(client: Client, headers: Record<string, string> = {}) {
  return fetch(`${env.url}/api/v1/live`, { headers: { cookie: client.cookie!, ...headers } });
}

const named = (evs: SseEvent[], name: string) => evs.filter((e) => e.event === name);
/** every site's numbers of the `metrics` events (each carries a batch) */
const updates = (evs: SseEvent[]) =>
  named(evs, 'metrics').flatMap((e) => (JSON.parse(e.data) as LiveEvents['metrics']).updates);

describe('live stream', () => {
  it('starts with a snapshot of every site, then delivers a status change published on the bus', async () => {
    const res = await live(c.noc!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    let published = false;
    const evs = await readEvents(res, (evs) => {
      // once the snapshot is in, a sample arrives on the bus
      if (!published && evs.length > 0) {
        published = true;
        env.rt.bus.publish([sample(siteB, 'rtt_ms', 42), sample(siteB, 'reachable', 1)]);
      }
      return named(evs, 'site').some((e) => (JSON.parse(e.data) as SiteStatus).id === siteB);
    });
    const snap = JSON.parse(named(evs, 'snapshot')[0]!.data) as { sites: SiteStatus[] };
    expect(snap.sites).toHaveLength(12);
    const m = updates(evs);
    expect(m).toContainEqual(expect.objectContaining({ site: siteB, values: { rtt_ms: 42, reachable: 1 } }));
    const site = JSON.parse(named(evs, 'site').at(-1)!.data) as SiteStatus;
    expect(site).toMatchObject({ id: siteB, state: 'ok', metrics: { rtt_ms: 42 } });
  });

  it('a client that reconnects with Last-Event-ID receives exactly the events it missed', async () => {
    const before = env.api.live.lastEventId();
    // the real alert engine raises ups-on-battery; the hub publishes the alert and the site change
    const a1 = upsOnBattery(env, siteB);
    for (let i = 0; i < 100 && env.api.live.get(siteB)!.state !== 'on_battery'; i++)
      await new Promise((r) => setTimeout(r, 50));
    const after = env.api.live.lastEventId();
    expect(after).toBeGreaterThan(before);
    const res = await live(c.noc!, { 'last-event-id': String(before) });
    const evs = await readEvents(res, (e) => e.some((x) => x.id === after));
    expect(named(evs, 'snapshot')).toHaveLength(0);
    const ids = evs.filter((e) => e.event !== 'heartbeat').map((e) => e.id);
    const expected = Array.from({ length: after - before }, (_, i) => before + 1 + i);
    expect(ids).toEqual(expected);
    const alertIds = named(evs, 'alert').map((e) => JSON.parse(e.data).id);
    expect(alertIds.length).toBeGreaterThan(0);
    expect(new Set(alertIds)).toEqual(new Set([a1.id]));
    expect(JSON.parse(named(evs, 'site').at(-1)!.data)).toMatchObject({
      id: siteB,
      state: 'on_battery',
      cause: 'power',
      firing_alerts: 1,
    });
  });

  it('an unknown or too old Last-Event-ID gets a fresh snapshot instead', async () => {
    for (const id of ['5', 'not-a-number', '99999999999999999999']) {
      const res = await live(c.noc!, { 'last-event-id': id });
      expect(res.status).toBe(200);
      const evs = await readEvents(res, (e) => e.length >= 1);
      expect(evs[0]!.event, id).toBe('snapshot');
    }
  });

  it('a technician sees only their own sites and their alerts', async () => {
    const res = await live(c.technician!);
    let published = false;
    const evs = await readEvents(res, (evs) => {
      if (!published && evs.length > 0) {
        published = true;
        env.rt.bus.publish([sample(siteB, 'rtt_ms', 50)]);
        env.rt.bus.publish([sample(siteA, 'rtt_ms', 60)]);
      }
      return named(evs, 'metrics').length >= 1;
    });
    const snap = JSON.parse(named(evs, 'snapshot')[0]!.data) as { sites: SiteStatus[]; alerts: unknown[] };
    expect(snap.sites.map((s) => s.id)).toEqual([siteA]);
    expect(snap.alerts).toEqual([]);
    expect(updates(evs).map((u) => u.site)).toEqual([siteA]);
  });

  it('refuses the unauthenticated', async () => {
    const res = await fetch(`${env.url}/api/v1/live`);
    expect(res.status).toBe(401);
  });
});
