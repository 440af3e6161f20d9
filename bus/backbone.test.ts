// The backbone with a real `nats-server -js`: a remote collector (`diemcau collect --shard …`'s parts:
// collector + publisher) polls snmpd agents and publishes to JetStream; the centre's durable consumer
// puts the samples on its own bus, where the live view sees them. The server is stopped while the
// collector polls (the 2 minutes; DIEMCAU_TEST_NATS_OUTAGE_S sets another number of seconds,
// e.g. 10 while working on this file) and started again on the same port and store: every batch arrives
// afterwards exactly once, in order. A re-published message is stored once, and one stored twice is
// delivered once; a publish whose acknowledgement is late (a stalled link) is retried and stored once;
// a collector stopped with a backlog publishes it at its next start, each message once. Loopback base 90 (agents), nats-server on 127.0.0.1.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import Database from 'better-sqlite3';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveHub } from '../api/live.ts';
import { type Collector, startCollector } from '../collector/index.ts';
import { Config } from '../config/config.ts';
import { Bus, type Sample } from '../core/bus.ts';
import type { Runtime } from '../core/runtime.ts';
import { type Agent, SNMP_ONLY, startFleet, type TestNetwork, testNetwork } from '../test/helpers/agents.ts';
import { type NatsServer, startNatsServer } from '../test/helpers/nats-server.ts';
import { startTcpProxy } from '../test/helpers/tcp-proxy.ts';
import { type BackboneConsumer, startConsumer } from './consumer.ts';
import { type BackbonePublisher, startPublisher } from './publisher.ts';
import { encodeBody, msgId, subjectOf } from './wire.ts';

const OUTAGE_S = Number(process.env.DIEMCAU_TEST_NATS_OUTAGE_S ?? 120);

/** what a bus carried, in order: each poll batch and each device event as JSON */
function tape(bus: Bus): string[] {
  const out: string[] = [];
  bus.onSamples((b) => out.push(`s${JSON.stringify(b)}`));
  bus.onEvent((e) => out.push(`e${JSON.stringify(e)}`));
  return out;
}

describe('backbone: remote collector → NATS JetStream → centre', () => {
  let nats: NatsServer;
  let net: TestNetwork;
  let fleet: Map<string, Agent>;
  let remote: Runtime;
  let centre: Runtime;
  let publisher: BackbonePublisher;
  let consumer: BackboneConsumer;
  let collector: Collector | undefined;
  let hub: LiveHub;
  let sent: string[];
  let received: string[];
  let district: string;

  beforeAll(async () => {
    nats = await startNatsServer();
    net = await testNetwork(8, 90, { interval: '1s', ...SNMP_ONLY });
    fleet = await startFleet(net);
    const { bus } = Config.parse({
      bus: { nats: { servers: [nats.url], publish_timeout: '1s', stream: { name: 'DIEMCAU_TEST' } } },
    });
    const config = { ...net.runtime.config, bus };
    remote = { ...net.runtime, config };
    centre = { ...net.runtime, config, bus: new Bus(), registry: new Registry() };
    sent = tape(remote.bus);
    received = tape(centre.bus);
    hub = new LiveHub(centre, null, undefined, { heartbeatMs: 60_000 });
    hub.start();
    consumer = await startConsumer(centre);
    district = [...net.runtime.inventory.districts.keys()][0]!;
    publisher = await startPublisher(remote, { name: district });
  }, 30_000);
  afterAll(async () => {
    await collector?.stop();
    await publisher?.stop();
    await consumer?.stop();
    hub?.stop();
    await Promise.all([...(fleet?.values() ?? [])].map((a) => a.stop()));
    await nats?.stop();
    net?.cleanup();
  });

  it("a remote collector's samples reach the centre's bus and its live view", async () => {
    collector = await startCollector(remote, { shard: { district }, credentials: net.credentials });
    const devices = [...net.runtime.inventory.devices.values()].filter((d) => d.site?.district === district);
    // the shard: the district's devices, not the MCU (district "core")
    expect(devices.length).toBeGreaterThan(3);
    expect(devices.length).toBeLessThan(net.runtime.inventory.devices.size);
    const seen = () => {
      const ids = new Set<string>();
      for (const t of received)
        if (t[0] === 's') for (const s of JSON.parse(t.slice(1)) as Sample[]) ids.add(s.device);
      return ids;
    };
    await expect
      .poll(() => seen(), { timeout: 15_000, interval: 200 })
      .toEqual(new Set(devices.map((d) => d.id)));
    // the live view: every site of the shard updated from the remote samples
    const sites = [...new Set(devices.map((d) => d.site!.id))];
    await expect
      .poll(() => sites.filter((s) => (hub.get(s)?.updated ?? 0) > 0).length, { timeout: 5000 })
      .toBe(sites.length);
    // what reached the centre is what the collector's bus carried, so far, in order
    expect(received).toEqual(sent.slice(0, received.length));
    expect(consumer.status()).toMatchObject({ duplicates: 0, missing: 0, bad: 0 });
  }, 30_000);

  it(
    `the server stopped for ${OUTAGE_S} s: polling goes on, afterwards every batch arrives once, in order`,
    async () => {
      await expect.poll(() => publisher.drained(0), { timeout: 5000 }).toBe(true);
      await nats.kill();
      const atCut = sent.length;
      await expect.poll(() => publisher.status().connected, { timeout: 5000 }).toBe(false);
      await new Promise((r) => setTimeout(r, OUTAGE_S * 1000));
      // polled all along (1 s interval) and spooled
      expect(sent.length - atCut).toBeGreaterThan(OUTAGE_S / 2);
      expect(publisher.status().spooledBytes).toBeGreaterThan(0);
      const atReturn = sent.length;
      await nats.start();
      await expect.poll(() => received.length >= atReturn, { timeout: 20_000, interval: 200 }).toBe(true);
      await collector!.stop();
      collector = undefined;
      expect(await publisher.drained(10_000)).toBe(true);
      await expect.poll(() => received.length, { timeout: 10_000 }).toBe(sent.length);
      expect(received).toEqual(sent);
      // and in time order per device, as polled
      const last = new Map<string, number>();
      for (const t of received.filter((x) => x[0] === 's')) {
        for (const s of JSON.parse(t.slice(1)) as Sample[]) {
          const key = `${s.device}/${s.metric}/${s.tags.instance ?? ''}`;
          expect(s.time).toBeGreaterThanOrEqual(last.get(key) ?? 0);
          last.set(key, s.time);
        }
      }
      expect(publisher.status().dropped).toEqual({ samples: 0, events: 0 });
      expect(consumer.status()).toMatchObject({ missing: 0, bad: 0 });
    },
    30_000 + OUTAGE_S * 1000,
  );

  it('a re-published message is stored once; one stored twice is delivered once', async () => {
    const nc = await connect({ servers: nats.url });
    try {
      const js = jetstream(nc);
      const jsm = await jetstreamManager(nc);
      const site = [...net.runtime.inventory.sites.values()][0]!;
      const batch = (v: number): Sample[] => [
        {
          time: Date.now(),
          site: site.id,
          device: `${site.id}:rtp`,
          metric: 'rtt_ms',
          value: v,
          tags: { tier: site.tier, district: site.district, carrier: site.link.carrier, probe: 'rtp' },
        },
      ];
      const head = (n: number) => ({ c: 'lab-dedupe', boot: 'b1', n });
      const body = (n: number) => encodeBody(head(n), 'samples', [JSON.stringify(batch(n * 10))]);
      const subject = subjectOf('lab-dedupe', 'samples');
      const before = (await jsm.streams.info('DIEMCAU_TEST')).state.messages;
      const first = await js.publish(subject, body(1), { msgID: msgId(head(1)) });
      const again = await js.publish(subject, body(1), { msgID: msgId(head(1)) });
      expect(first.duplicate).toBe(false);
      expect(again.duplicate).toBe(true);
      expect(again.seq).toBe(first.seq);
      expect((await jsm.streams.info('DIEMCAU_TEST')).state.messages).toBe(before + 1);
      // past the duplicate window the stream stores a retry again (here: another id); the centre does not deliver it twice
      await js.publish(subject, body(1), { msgID: `${msgId(head(1))}-late` });
      await js.publish(subject, body(2), { msgID: msgId(head(2)) });
      const mine = () =>
        received
          .filter((t) => t[0] === 's')
          .flatMap((t) => JSON.parse(t.slice(1)) as Sample[])
          .filter((s) => s.device === `${site.id}:rtp`)
          .map((s) => s.value);
      await expect.poll(mine, { timeout: 5000 }).toEqual([10, 20]);
      expect(consumer.status().duplicates).toBe(1);
      expect((await jsm.streams.info('DIEMCAU_TEST')).state.messages).toBe(before + 3);
    } finally {
      await nc.close();
    }
  }, 20_000);
  it('a publish whose acknowledgement is held past its timeout is retried under its id and stored once', async () => {
    const port = Number(new URL(nats.url.replace('nats:', 'http:')).port);
    const proxy = await startTcpProxy({ host: '127.0.0.1', port });
    const { bus } = Config.parse({
      bus: {
        nats: {
          servers: [`nats://127.0.0.1:${proxy.port}`],
          publish_timeout: '500ms',
          stream: { name: 'DIEMCAU_TEST' },
        },
      },
    });
    const rt: Runtime = {
      ...remote,
      config: { ...remote.config, bus },
      bus: new Bus(),
      registry: new Registry(),
    };
    const lab = await startPublisher(rt, { name: 'lab-retry' });
    try {
      const site = [...net.runtime.inventory.sites.values()][1]!;
      const device = `${site.id}:icmp`;
      const send = (v: number) =>
        rt.bus.publish([
          {
            time: Date.now(),
            site: site.id,
            device,
            metric: 'rtt_ms',
            value: v,
            tags: { tier: site.tier, district: site.district, carrier: site.link.carrier, probe: 'icmp' },
          },
        ]);
      send(1);
      expect(await lab.drained(5000)).toBe(true);
      proxy.hold();
      send(2);
      // the message reaches the stream, its acknowledgement does not: timeouts, retries under the same id
      await expect
        .poll(() => rt.registry.getSingleMetricAsString('diemcau_backbone_publish_failures_total'), {
          timeout: 5000,
        })
        .toMatch(/ [2-9]\d*$/m);
      proxy.release();
      expect(await lab.drained(5000)).toBe(true);
      send(3);
      expect(await lab.drained(5000)).toBe(true);
      expect(lab.status().duplicates).toBeGreaterThanOrEqual(1);
      const values = () =>
        received
          .filter((t) => t[0] === 's')
          .flatMap((t) => JSON.parse(t.slice(1)) as Sample[])
          .filter((s) => s.device === device)
          .map((s) => s.value);
      await expect.poll(values, { timeout: 5000 }).toEqual([1, 2, 3]);
      const nc = await connect({ servers: nats.url });
      const jsm = await jetstreamManager(nc);
      const info = await jsm.streams.info('DIEMCAU_TEST', {
        subjects_filter: subjectOf('lab-retry', 'samples'),
      });
      await nc.close();
      expect(info.state.subjects).toEqual({ [subjectOf('lab-retry', 'samples')]: 3 });
    } finally {
      await lab.stop();
      await proxy.stop();
    }
  }, 30_000);
  it('a collector stopped with a message in flight and a backlog: the next start publishes them, each once', async () => {
    const port = Number(new URL(nats.url.replace('nats:', 'http:')).port);
    const proxy = await startTcpProxy({ host: '127.0.0.1', port });
    const spoolFile = join(net.dir, 'spool', 'backbone.db');
    const cfg = (server: string) =>
      Config.parse({
        bus: { nats: { servers: [server], publish_timeout: '500ms', stream: { name: 'DIEMCAU_TEST' } } },
      }).bus;
    const runtime = (server: string): Runtime => ({
      ...remote,
      config: { ...remote.config, bus: cfg(server) },
      bus: new Bus(),
      registry: new Registry(),
    });
    const site = [...net.runtime.inventory.sites.values()][2]!;
    const device = `${site.id}:icmp`;
    const send = (rt: Runtime, v: number) =>
      rt.bus.publish([
        {
          time: Date.now(),
          site: site.id,
          device,
          metric: 'rtt_ms',
          value: v,
          tags: { tier: site.tier, district: site.district, carrier: site.link.carrier, probe: 'icmp' },
        },
      ]);
    const first = runtime(`nats://127.0.0.1:${proxy.port}`);
    const a = await startPublisher(first, { name: 'lab-restart', spoolFile, stopDrainMs: 300 });
    send(first, 0);
    expect(await a.drained(5000)).toBe(true);
    // 1 reaches the stream but its acknowledgement is held; 2 waits behind it; then the collector stops
    proxy.hold();
    send(first, 1);
    await new Promise((r) => setTimeout(r, 100));
    send(first, 2);
    await a.stop();
    await proxy.stop();
    // the spool keeps the message in flight under its run and number, and the one waiting
    const db = new Database(spoolFile, { readonly: true });
    expect(db.prepare('SELECT boot, n FROM inflight').get()).toEqual({ boot: a.boot, n: 2 });
    expect(db.prepare('SELECT count(*) AS n FROM entries').get()).toEqual({ n: 2 });
    db.close();

    const second = runtime(nats.url);
    const b = await startPublisher(second, { name: 'lab-restart', spoolFile });
    try {
      send(second, 3);
      expect(await b.drained(5000)).toBe(true);
      // the message in flight went again under its own id: the stream had it
      expect(b.status().duplicates).toBe(1);
      const values = () =>
        received
          .filter((t) => t[0] === 's')
          .flatMap((t) => JSON.parse(t.slice(1)) as Sample[])
          .filter((s) => s.device === device)
          .map((s) => s.value);
      await expect.poll(values, { timeout: 5000 }).toEqual([0, 1, 2, 3]);
    } finally {
      await b.stop();
    }
  }, 30_000);
  it("the earlier version's spool file (written at a clean stop) is read into the spool: its message in flight under its own id", async () => {
    const legacy = join(net.dir, 'backbone-spool.json');
    const site = [...net.runtime.inventory.sites.values()][3]!;
    const device = `${site.id}:icmp`;
    const batch = (v: number) =>
      JSON.stringify([
        {
          time: Date.now(),
          site: site.id,
          device,
          metric: 'rtt_ms',
          value: v,
          tags: { tier: site.tier, district: site.district, carrier: site.link.carrier, probe: 'icmp' },
        },
      ]);
    const head = { c: 'lab-legacy', boot: 'oldrun', n: 7 };
    // the old run's message in flight had reached the stream
    const nc = await connect({ servers: nats.url });
    await jetstream(nc).publish(
      subjectOf('lab-legacy', 'samples'),
      encodeBody(head, 'samples', [batch(10)]),
      {
        msgID: msgId(head),
      },
    );
    await nc.close();
    writeFileSync(
      legacy,
      JSON.stringify({
        v: 1,
        collector: 'lab-legacy',
        inflight: { boot: 'oldrun', n: 7, kind: 'samples', parts: [batch(10)], items: 1 },
        queued: [{ kind: 'samples', json: batch(11), items: 1 }],
      }),
    );
    const rt: Runtime = { ...remote, bus: new Bus(), registry: new Registry() };
    const p = await startPublisher(rt, {
      name: 'lab-legacy',
      spoolFile: join(net.dir, 'spool-legacy', 'backbone.db'),
      legacySpoolFile: legacy,
    });
    try {
      expect(existsSync(legacy)).toBe(false);
      expect(await p.drained(5000)).toBe(true);
      expect(p.status()).toMatchObject({ published: 2, duplicates: 1 });
      const values = () =>
        received
          .filter((t) => t[0] === 's')
          .flatMap((t) => JSON.parse(t.slice(1)) as Sample[])
          .filter((s) => s.device === device)
          .map((s) => s.value);
      await expect.poll(values, { timeout: 5000 }).toEqual([10, 11]);
    } finally {
      await p.stop();
    }
  }, 20_000);
});
