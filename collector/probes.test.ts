// ICMP and RTP probes: the formulas, the reflector (in-process and as `diemcau reflector`),
// fping and the ping fallback on loopback, and a probe that cannot run never reporting sites down.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceEvent, Sample } from '../core/bus.ts';
import { freeUdpPort, type TestNetwork, testNetwork } from '../test/helpers/agents.ts';
import { detectIcmp, icmpRound, parseFping } from './icmp.ts';
import { startCollector } from './index.ts';
import { JitterEstimator, mosFrom, rtpProbe, startReflector } from './rtp.ts';

describe('quality formulas', () => {
  it('computes MOS by the simplified E-model', () => {
    // R = 93.2 − (0 + 0 + 10)/40 = 92.95 → MOS ≈ 4.40
    expect(mosFrom(0, 0, 0)).toBeCloseTo(4.4, 2);
    // effective latency 200 + 2·10 + 10 = 230 ≥ 160: R = 93.2 − 11 − 2.5·2 = 77.2 → MOS ≈ 3.9
    expect(mosFrom(200, 10, 2)).toBeCloseTo(3.9, 1);
    expect(mosFrom(400, 50, 40)).toBe(1);
    expect(mosFrom(10, 1, 0)).toBeGreaterThan(mosFrom(10, 1, 5));
  });

  it('estimates RFC 3550 interarrival jitter', () => {
    const steady = new JitterEstimator();
    for (let i = 0; i < 50; i++) steady.add(1000 + i * 160, i * 160);
    expect(steady.j).toBe(0);
    const alternating = new JitterEstimator();
    // transit alternates by 80 timestamp units: |D| = 80 every packet, J → 80
    for (let i = 0; i < 400; i++) alternating.add(i * 160 + (i % 2) * 80, i * 160);
    expect(alternating.j).toBeCloseTo(80, 0);
  });

  it('parses fping -C output', () => {
    const r = parseFping('127.0.0.1 : 0.04 0.05 - 0.06 0.05\n10.9.9.9  : - - - - -\ngarbage line\n', 5);
    expect(r.get('127.0.0.1')).toEqual({ sent: 5, received: 4, lossPct: 20, rttMs: 0.05 });
    expect(r.get('10.9.9.9')).toEqual({ sent: 5, received: 0, lossPct: 100, rttMs: null });
    expect(r.size).toBe(2);
  });
});

describe('RTP probe and reflector', () => {
  it('measures a clean loopback path through the in-process reflector', async () => {
    const port = await freeUdpPort('127.43.0.4');
    const refl = await startReflector('127.43.0.4', port);
    try {
      const r = await rtpProbe('127.43.0.4', port, { packets: 20, intervalMs: 10 });
      expect(r).toMatchObject({ sent: 20, received: 20, lossPct: 0, duplicates: 0 });
      expect(r.rttMs!).toBeLessThan(20);
      expect(r.jitterMs!).toBeLessThan(10);
      expect(r.mos!).toBeGreaterThan(4.3);
      expect(refl.packets()).toBe(20);
    } finally {
      await refl.close();
    }
  });

  it('counts everything lost (not an error) when nothing answers', async () => {
    const port = await freeUdpPort('127.43.0.5');
    const r = await rtpProbe('127.43.0.5', port, { packets: 5, intervalMs: 10, timeoutMs: 200 });
    expect(r).toMatchObject({ sent: 5, received: 0, lossPct: 100, rttMs: null, mos: null });
  });

  it('interoperates with `diemcau reflector`', async () => {
    const port = await freeUdpPort('127.43.0.6');
    const child = spawn(process.execPath, ['bin/diemcau.js', 'reflector', '--listen', `127.43.0.6:${port}`], {
      cwd: join(import.meta.dirname, '..'),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        let err = '';
        child.stderr!.on('data', (d) => {
          err += d;
          if (err.includes('echoing on')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`reflector exited ${code}: ${err}`)));
      });
      const r = await rtpProbe('127.43.0.6', port, { packets: 10, intervalMs: 10 });
      expect(r.received).toBe(10);
    } finally {
      const exited = new Promise<number | null>((r) => child.once('exit', r));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});

describe('ICMP', () => {
  it('runs one fping round over several loopback targets', async () => {
    const { tool } = await detectIcmp(['fping']);
    expect(tool).toBe('fping');
    const r = await icmpRound('fping', ['127.43.1.1', '127.43.1.2', '127.43.1.3'], 3, 500);
    for (const h of ['127.43.1.1', '127.43.1.2', '127.43.1.3']) {
      expect(r.get(h)).toMatchObject({ sent: 3, received: 3, lossPct: 0 });
      expect(r.get(h)!.rttMs).not.toBeNull();
    }
  });

  it('falls back to the ping package where fping is absent', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'diemcau-path-'));
    symlinkSync('/usr/bin/ping', join(bin, 'ping'));
    const path = process.env.PATH;
    process.env.PATH = bin;
    try {
      const { tool } = await detectIcmp();
      expect(tool).toBe('ping');
      const r = await icmpRound('ping', ['127.43.1.4'], 2, 1000);
      expect(r.get('127.43.1.4')).toMatchObject({ received: 2, lossPct: 0 });
    } finally {
      process.env.PATH = path;
      rmSync(bin, { recursive: true, force: true });
    }
  });
});

describe('probes inside the collector', () => {
  let net: TestNetwork | undefined;
  afterEach(() => net?.cleanup());

  async function run(path?: string) {
    net = await testNetwork(5, 43, {
      interval: '1s',
      trap_listen: 'off',
      icmp: { enabled: true, count: 2 },
      rtp: { enabled: true, packets: 5, interval: '10ms' },
    });
    const inv = net.runtime.inventory;
    inv.devices.clear(); // probes only
    const sites = [...inv.sites.values()];
    // site 0: ICMP only; site 1: RTP (to a live reflector) and ICMP; the others: RTP only
    sites[0]!.probes = { icmp: '127.43.0.1' };
    const port = await freeUdpPort('127.43.1.4');
    sites[1]!.probes = { icmp: '127.43.1.1', rtp: `127.43.1.4:${port}` };
    const refl = await startReflector('127.43.1.4', port);
    const samples: Sample[] = [];
    const events: DeviceEvent[] = [];
    net.runtime.bus.onSamples((b) => samples.push(...b));
    net.runtime.bus.onEvent((e) => events.push(e));
    const saved = process.env.PATH;
    if (path !== undefined) process.env.PATH = path;
    try {
      const c = await startCollector(net.runtime, { credentials: net.credentials });
      await new Promise((r) => setTimeout(r, 1800));
      await c.stop();
    } finally {
      process.env.PATH = saved;
      await refl.close();
    }
    return { samples, events, sites };
  }

  it('publishes reachability from RTP where configured, else from ICMP, with probe tags', async () => {
    const { samples, events, sites } = await run();
    const a = sites[0]!.id;
    const b = sites[1]!.id;
    expect(samples.find((s) => s.device === `${a}:icmp` && s.metric === 'reachable')).toMatchObject({
      value: 1,
      tags: { probe: 'icmp', tier: sites[0]!.tier },
    });
    // site b has both: RTP decides reachability, ICMP still reports RTT and loss
    expect(samples.find((s) => s.device === `${b}:icmp` && s.metric === 'reachable')).toBeUndefined();
    expect(samples.find((s) => s.device === `${b}:icmp` && s.metric === 'rtt_ms')).toBeDefined();
    expect(samples.find((s) => s.device === `${b}:rtp` && s.metric === 'reachable')?.value).toBe(1);
    expect(samples.find((s) => s.device === `${b}:rtp` && s.metric === 'mos')!.value).toBeGreaterThan(4);
    // RTP sites without a reflector are down (nothing answers), and say so
    expect(samples.find((s) => s.device === `${sites[2]!.id}:rtp` && s.metric === 'reachable')?.value).toBe(
      0,
    );
    expect(events.filter((e) => e.kind === 'probe_unavailable')).toEqual([]);
  });

  it('says once, loudly, that ICMP cannot run, and never reports those sites down', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'diemcau-nopath-'));
    try {
      const { samples, events, sites } = await run(empty);
      const a = sites[0]!.id;
      const unavailable = events.filter((e) => e.kind === 'probe_unavailable');
      expect(unavailable.map((e) => e.device).sort()).toEqual([`${a}:icmp`, `${sites[1]!.id}:icmp`].sort());
      expect(unavailable[0]!.detail).toMatch(/không được báo là mất/);
      expect(samples.filter((s) => s.device === `${a}:icmp`)).toEqual([]);
      // RTP keeps working for the site that has it
      expect(samples.find((s) => s.device === `${sites[1]!.id}:rtp` && s.metric === 'reachable')?.value).toBe(
        1,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
