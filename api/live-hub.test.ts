// The live hub without HTTP: bounded replay, slow clients dropped without holding up the others.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sample, startTestApi, type TestEnv } from '../test/helpers/api.ts';
import { LiveHub, type LiveSink } from './live.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestApi({ sites: 12, base: 54 });
});
afterAll(async () => {
  await env?.stop();
});

class FakeSink implements LiveSink {
  frames: string[] = [];
  pushes = 0;
  dropped: string | null = null;
  constructor(private readonly capacity = Number.POSITIVE_INFINITY) {}
  /** one push may carry several events (one write per client per flush) */
  push(chunk: Uint8Array): boolean {
    this.pushes++;
    const text = new TextDecoder().decode(chunk);
    this.frames.push(
      ...text
        .split('\n\n')
        .filter(Boolean)
        .map((f) => `${f}\n\n`),
    );
    return this.pushes <= this.capacity;
  }
  drop(reason: string): void {
    this.dropped = reason;
  }
  ids(): number[] {
    return this.frames.flatMap((f) => (/^id: (\d+)/.exec(f) ? [Number(/^id: (\d+)/.exec(f)![1])] : []));
  }
}

const tick = () => new Promise((r) => setImmediate(r));

describe('live hub', () => {
  it('drops a client whose queue is full; the others get every event', async () => {
    const hub = new LiveHub(env.rt, null, undefined, { heartbeatMs: 60_000, metricsWindowMs: 0 });
    hub.start();
    const site = [...env.rt.inventory.sites.keys()][3]!;
    const slow = new FakeSink(3);
    const fast = Array.from({ length: 5 }, () => new FakeSink());
    hub.connect({ sink: slow });
    for (const f of fast) hub.connect({ sink: f });
    const start = hub.lastEventId();
    for (let i = 0; i < 20; i++) {
      env.rt.bus.publish([sample(site, 'rtt_ms', i, Date.now())]);
      await tick();
    }
    const published = hub.lastEventId() - start;
    expect(published).toBeGreaterThanOrEqual(20);
    expect(slow.dropped).toMatch(/queue full/);
    expect(slow.pushes).toBe(4);
    for (const f of fast) {
      expect(f.dropped).toBeNull();
      expect(f.ids().filter((id) => id > start)).toHaveLength(published);
    }
    expect(hub.counters.dropped).toBe(1);
    expect(hub.clientCount()).toBe(5);
    hub.stop();
  });

  it('resumes from the replay buffer while it holds the id, otherwise sends a snapshot', async () => {
    const hub = new LiveHub(env.rt, null, undefined, { replay: 5, heartbeatMs: 60_000, metricsWindowMs: 0 });
    hub.start();
    const site = [...env.rt.inventory.sites.keys()][2]!;
    const from = hub.lastEventId();
    for (let i = 0; i < 3; i++) {
      env.rt.bus.publish([sample(site, 'loss_pct', i)]);
      await tick();
    }
    const recent = new FakeSink();
    hub.connect({ sink: recent, lastEventId: from });
    expect(recent.ids()).toEqual(Array.from({ length: hub.lastEventId() - from }, (_, i) => from + 1 + i));
    for (let i = 0; i < 10; i++) {
      env.rt.bus.publish([sample(site, 'loss_pct', i)]);
      await tick();
    }
    const old = new FakeSink();
    hub.connect({ sink: old, lastEventId: from });
    expect(old.frames).toHaveLength(1);
    expect(old.frames[0]).toMatch(/^id: \d+\nevent: snapshot\n/);
    const future = new FakeSink();
    hub.connect({ sink: future, lastEventId: hub.lastEventId() + 100 });
    expect(future.frames[0]).toMatch(/event: snapshot/);
    hub.stop();
  });

  it('a resume bigger than maxReplayBytes gets a snapshot, so it cannot overflow the queue at every reconnect', async () => {
    const hub = new LiveHub(env.rt, null, undefined, {
      maxReplayBytes: 1200,
      heartbeatMs: 60_000,
      metricsWindowMs: 0,
    });
    hub.start();
    const site = [...env.rt.inventory.sites.keys()][7]!;
    const from = hub.lastEventId();
    env.rt.bus.publish([sample(site, 'rtt_ms', 1)]);
    await tick();
    const small = new FakeSink();
    hub.connect({ sink: small, lastEventId: from });
    expect(small.frames.every((f) => !f.includes('event: snapshot'))).toBe(true);
    expect(small.pushes).toBe(1); // the missed events in one write
    for (let i = 0; i < 10; i++) {
      env.rt.bus.publish([sample(site, 'rtt_ms', i)]);
      await tick();
    }
    const big = new FakeSink();
    hub.connect({ sink: big, lastEventId: from });
    expect(big.frames).toHaveLength(1);
    expect(big.frames[0]).toMatch(/event: snapshot/);
    hub.stop();
  });

  it('ids keep growing across a restart, so an old Last-Event-ID never replays the wrong events', () => {
    const a = new LiveHub(env.rt, null, undefined);
    const b = new LiveHub(env.rt, null, undefined, { now: () => Date.now() + 1 });
    expect(b.lastEventId()).toBeGreaterThan(a.lastEventId());
  });

  it('a site is unknown until measured, ok while fresh, unknown again when stale', () => {
    let now = Date.now();
    const hub = new LiveHub(env.rt, null, undefined, { staleMs: 30_000, now: () => now });
    hub.start();
    const site = [...env.rt.inventory.sites.keys()][1]!;
    expect(hub.get(site)!.state).toBe('unknown');
    env.rt.bus.publish([sample(site, 'reachable', 1, now)]);
    return tick().then(() => {
      expect(hub.get(site)).toMatchObject({ state: 'ok', updated: now, metrics: { reachable: 1 } });
      now += 31_000;
      hub.refreshAll();
      expect(hub.get(site)!.state).toBe('unknown');
      expect(hub.get(site)!.summary).toMatch(/Không có số liệu đo mới/);
      hub.stop();
    });
  });
});
