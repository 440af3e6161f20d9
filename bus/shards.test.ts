// Shards claimed through JetStream KV leases (issue 21, docs/backbone.md), with a real `nats-server -js`
// and snmpd agents: two collectors (`diemcau collect --claim`'s parts: publisher + shard claims, one
// collector per shard held), two shards, each collector listing its own first. One dies (no renewal,
// no release): the other takes its shard within lease_ttl + renew and the centre keeps receiving that
// shard's samples (no gap longer than that + one interval). The dead one comes back: both shards are
// held, it polls nothing. The other stops cleanly: the returned one takes both. Read back from the
// stream, no two collector runs ever published the same shard's samples over overlapping times.
// Loopback base 99 (agents), nats-server on 127.0.0.1.
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector } from '../collector/index.ts';
import { Config } from '../config/config.ts';
import { Bus, type Sample } from '../core/bus.ts';
import type { Runtime } from '../core/runtime.ts';
import { syntheticUnits } from '../inventory/generate.ts';
import { type Agent, SNMP_ONLY, startFleet, type TestNetwork, testNetwork } from '../test/helpers/agents.ts';
import { type NatsServer, startNatsServer } from '../test/helpers/nats-server.ts';
import { type BackboneConsumer, startConsumer } from './consumer.ts';
import { type BackbonePublisher, startPublisher } from './publisher.ts';
import { type ShardClaims, startShardClaims } from './shards.ts';
import type { WireMessage } from './wire.ts';

const TTL_MS = 3000;
const RENEW_MS = 1000;
const INTERVAL_MS = 1000;
const STREAM = 'DIEMCAU_SHARDS_TEST';

interface Remote {
  publisher: BackbonePublisher;
  claims: ShardClaims;
}

describe('shards claimed through KV leases: a dead collector’s shard is taken over', () => {
  let nats: NatsServer;
  let net: TestNetwork;
  let fleet: Map<string, Agent>;
  let centre: Runtime;
  let consumer: BackboneConsumer;
  let config: Runtime['config'];
  let d1: string;
  let d2: string;
  const live: Remote[] = [];
  /** what the centre's bus received: each sample's district and poll time */
  const received: { district: string; time: number }[] = [];

  const remote = async (name: string, shards: string[]): Promise<Remote> => {
    const rt: Runtime = { ...net.runtime, config, bus: new Bus(), registry: new Registry() };
    const publisher = await startPublisher(rt, { name, stopDrainMs: 2000 });
    const claims = await startShardClaims(rt, {
      name,
      shards,
      start: (s) => startCollector(rt, { shard: s, credentials: net.credentials }),
    });
    const r = { publisher, claims };
    live.push(r);
    return r;
  };
  const gone = (r: Remote) => live.splice(live.indexOf(r), 1);

  beforeAll(async () => {
    nats = await startNatsServer();
    // a small network with two districts (syntheticUnits makes one below ~28 sites)
    const units = syntheticUnits(8);
    units.push({ code: '101', name: 'Huyện 2', type: 'huyện', level: 'district', parentCode: '99' });
    units
      .filter((u) => u.level === 'commune')
      .forEach((u, i) => {
        if (i % 2) u.parentCode = '101';
      });
    net = await testNetwork(8, 99, { interval: `${INTERVAL_MS}ms`, ...SNMP_ONLY }, units);
    fleet = await startFleet(net);
    const { bus } = Config.parse({
      bus: {
        nats: {
          servers: [nats.url],
          publish_timeout: '1s',
          stream: { name: STREAM },
          shard_lease: { lease_ttl: `${TTL_MS}ms`, renew: `${RENEW_MS}ms`, bucket: 'diemcau_shards_test' },
        },
      },
    });
    config = { ...net.runtime.config, bus };
    centre = { ...net.runtime, config, bus: new Bus(), registry: new Registry() };
    centre.bus.onSamples((batch) => {
      for (const s of batch) received.push({ district: s.tags.district, time: s.time });
    });
    consumer = await startConsumer(centre);
    const districts = new Set([...net.runtime.inventory.sites.values()].map((s) => s.district));
    [d1, d2] = [...districts].filter((d) => d !== 'core') as [string, string];
  }, 30_000);
  afterAll(async () => {
    for (const r of live) {
      await r.claims.stop();
      await r.publisher.stop();
    }
    await consumer?.stop();
    await Promise.all([...(fleet?.values() ?? [])].map((a) => a.stop()));
    await nats?.stop();
    net?.cleanup();
  });

  it('takeover within lease_ttl + renew, no gap, never two collectors on one shard', async () => {
    expect(d2).toBeDefined();
    const s1 = `district=${d1}`;
    const s2 = `district=${d2}`;
    let a = await remote('col-a', [s1, s2]);
    const b = await remote('col-b', [s2, s1]);
    // started together, each takes its own shard first
    await expect.poll(() => [a.claims.held(), b.claims.held()], { timeout: 5000 }).toEqual([[s1], [s2]]);
    const seen = (d: string, after: number) => received.some((r) => r.district === d && r.time > after);
    const t0 = Date.now();
    await expect.poll(() => seen(d1, t0) && seen(d2, t0), { timeout: 8000 }).toBe(true);
    await new Promise((r) => setTimeout(r, 2000));

    // col-a dies: polling stops, no renewal, no release, its connection closes
    const killed = Date.now();
    await a.claims.abandon();
    await a.publisher.stop();
    gone(a);
    await expect
      .poll(() => b.claims.held(), { timeout: TTL_MS + 3 * RENEW_MS, interval: 50 })
      .toEqual([s2, s1]);
    const takeover = Date.now() - killed;
    expect(takeover).toBeLessThanOrEqual(TTL_MS + RENEW_MS + 300);
    const took = Date.now();
    await expect.poll(() => seen(d1, took), { timeout: 5000 }).toBe(true);
    await new Promise((r) => setTimeout(r, 1500));
    // the centre's samples of the shard that changed hands: no gap longer than the bound + one interval
    const times = [...new Set(received.filter((r) => r.district === d1).map((r) => r.time))].sort(
      (x, y) => x - y,
    );
    const from = times.findIndex((t) => t >= t0);
    let gap = 0;
    for (let i = from + 1; i < times.length; i++) gap = Math.max(gap, times[i]! - times[i - 1]!);
    expect(gap).toBeGreaterThan(INTERVAL_MS); // the takeover shows as a gap: this measures it
    console.log(
      `shard taken over ${takeover} ms after its collector died; the centre's longest gap ${gap} ms`,
    );
    expect(gap).toBeLessThanOrEqual(TTL_MS + RENEW_MS + INTERVAL_MS);

    // col-a comes back: both shards are held, it waits and polls nothing
    a = await remote('col-a', [s1, s2]);
    await new Promise((r) => setTimeout(r, TTL_MS + RENEW_MS));
    expect(a.claims.held()).toEqual([]);
    expect(a.publisher.status().published).toBe(0);
    expect(a.claims.status().shards.map((s) => s.holder)).toEqual(['col-b', 'col-b']);
    // col-b stops cleanly: its leases are deleted, col-a takes both, one per renewal
    await b.claims.stop();
    await b.publisher.stop();
    gone(b);
    await expect.poll(() => a.claims.held(), { timeout: 3 * RENEW_MS + 500, interval: 50 }).toEqual([s1, s2]);
    const back = Date.now();
    await expect.poll(() => seen(d1, back) && seen(d2, back), { timeout: 5000 }).toBe(true);
    await a.claims.stop();
    expect(await a.publisher.drained(5000)).toBe(true);

    // the stream's publisher ids: per shard, the collector runs' sample times never overlap
    const runs = new Map<string, Map<string, { first: number; last: number }>>();
    const nc = await connect({ servers: nats.url });
    try {
      // every message (nats-server 2.9: one ordered consumer, no subject filters); events skipped
      const total = (await (await jetstreamManager(nc)).streams.info(STREAM)).state.messages;
      const c = await jetstream(nc).consumers.get(STREAM);
      let n = 0;
      for await (const m of await c.consume()) {
        const w = m.json<WireMessage>();
        for (const batch of w.samples ?? [])
          for (const s of batch as Sample[]) {
            const byRun = runs.get(s.tags.district) ?? new Map();
            runs.set(s.tags.district, byRun);
            const run = `${w.c}:${w.boot}`;
            const r = byRun.get(run) ?? { first: s.time, last: s.time };
            r.first = Math.min(r.first, s.time);
            r.last = Math.max(r.last, s.time);
            byRun.set(run, r);
          }
        if (++n >= total) break;
      }
    } finally {
      await nc.close();
    }
    for (const d of [d1, d2]) {
      const list = [...runs.get(d)!.entries()].sort((x, y) => x[1].first - y[1].first);
      // d1: col-a, col-b, col-a again; d2: col-b, col-a again
      expect(list.map(([run]) => run.split(':')[0])).toEqual(
        d === d1 ? ['col-a', 'col-b', 'col-a'] : ['col-b', 'col-a'],
      );
      for (let i = 1; i < list.length; i++) expect(list[i]![1].first).toBeGreaterThan(list[i - 1]![1].last);
    }
  }, 60_000);
});
