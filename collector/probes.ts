// Active probes per site: an ICMP round (fping) and RTP/UDP jitter streams to each site's
// reflector, every interval. The site's `reachable` comes from its RTP probe where configured,
// else from ICMP; a probe that cannot run is announced once and never reports a site down, and a
// far end that answers with something else than our packets is "misconfigured", not down: its site's
// reachability then comes from ICMP (or is not reported).
import { parseDuration } from '../config/config.ts';
import type { Sample, SampleTags } from '../core/bus.ts';
import type { Runtime } from '../core/runtime.ts';
import { parseAddress } from '../inventory/load.ts';
import type { Site } from '../inventory/schema.ts';
import { detectIcmp, type IcmpTool, icmpRound } from './icmp.ts';
import type { SelfMetrics } from './metrics.ts';
import { RtpThread } from './rtp-thread.ts';

const RTP_CONCURRENCY = 32;

export class ProbeRunner {
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;
  private icmpTool: IcmpTool | null = null;
  private rtpUnavailable = new Set<string>();
  /** sites whose RTP far end answers, but not as a reflector */
  private rtpMisconfigured = new Set<string>();
  private inflight = new Set<Promise<unknown>>();
  private rtpActive = 0;
  private rtpQueue: (() => void)[] = [];
  /** RTP probes run on their own thread: the collector's work does not delay their timestamps */
  private readonly rtpThread = new RtpThread((problem) =>
    this.rt.log.warn({ problem }, 'RTP probes run on the collector thread: its load can read as jitter'),
  );

  constructor(
    private readonly rt: Runtime,
    private readonly sites: Site[],
    private readonly intervalMs: number,
    private readonly m: SelfMetrics,
  ) {}

  private tags(s: Site, probe: string): SampleTags {
    return { tier: s.tier, district: s.district, carrier: s.link.carrier, probe };
  }

  private unavailable(s: Site, probe: 'icmp' | 'rtp', reason: string): void {
    this.rt.bus.publishEvent({
      time: Date.now(),
      kind: 'probe_unavailable',
      site: s.id,
      device: `${s.id}:${probe}`,
      name: `${probe}_unavailable`,
      detail: `Không chạy được phép đo ${probe.toUpperCase()}: ${reason} — trạng thái kết nối của điểm cầu không được báo là mất / ${probe.toUpperCase()} probe cannot run; the site is not reported down`,
    });
  }

  async start(): Promise<void> {
    const cfg = this.rt.config.collector;
    const icmpSites = cfg.icmp.enabled ? this.sites.filter((s) => s.probes.icmp) : [];
    const rtpSites = cfg.rtp.enabled ? this.sites.filter((s) => s.probes.rtp) : [];
    if (icmpSites.length > 0) {
      const { tool, reasons } = await detectIcmp();
      this.icmpTool = tool;
      if (!tool) {
        this.rt.log.error(
          { reasons, sites: icmpSites.length },
          'ICMP PROBE UNAVAILABLE: neither fping nor ping can send echoes here (install fping, or give it cap_net_raw: setcap cap_net_raw+ep /usr/bin/fping). Sites are NOT reported down because of this.',
        );
        for (const s of icmpSites) this.unavailable(s, 'icmp', reasons.join('; '));
      } else if (tool === 'ping') {
        this.rt.log.warn(
          { reasons },
          'fping unavailable; using the ping package (one process per target, far more CPU)',
        );
      }
    }
    if (this.icmpTool && icmpSites.length > 0) {
      const round = () => {
        if (this.stopped) return;
        this.track(this.icmpRound(icmpSites, this.icmpTool!));
      };
      round();
      this.timers.push(setInterval(round, this.intervalMs));
    }
    rtpSites.forEach((s, i) => {
      const offset = Math.floor((i * this.intervalMs) / rtpSites.length);
      const start = setTimeout(() => {
        const go = () => {
          if (!this.stopped && !this.rtpUnavailable.has(s.id)) this.track(this.rtpOne(s));
        };
        go();
        this.timers.push(setInterval(go, this.intervalMs));
      }, offset);
      this.timers.push(start);
    });
  }

  private track(p: Promise<unknown>): void {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  private async icmpRound(sites: Site[], tool: IcmpTool): Promise<void> {
    const t0 = performance.now();
    const hostOf = new Map<string, Site[]>();
    for (const s of sites) {
      const h = parseAddress(s.probes.icmp!, 0).host;
      hostOf.set(h, [...(hostOf.get(h) ?? []), s]);
    }
    const count = this.rt.config.collector.icmp.count;
    let res: Awaited<ReturnType<typeof icmpRound>>;
    try {
      res = await icmpRound(tool, [...hostOf.keys()], count);
    } catch (err) {
      this.rt.log.error({ err }, 'ICMP round failed');
      return;
    }
    this.m.probeDuration.observe({ probe: 'icmp' }, (performance.now() - t0) / 1000);
    if (this.stopped) return;
    const time = Date.now();
    const samples: Sample[] = [];
    for (const [host, list] of hostOf) {
      const r = res.get(host);
      if (!r) continue;
      for (const s of list) {
        const base = { time, site: s.id, device: `${s.id}:icmp`, tags: this.tags(s, 'icmp') };
        // RTP decides reachability where a reflector is configured
        if (
          !s.probes.rtp ||
          !this.rt.config.collector.rtp.enabled ||
          this.rtpUnavailable.has(s.id) ||
          this.rtpMisconfigured.has(s.id)
        )
          samples.push({ ...base, metric: 'reachable', value: r.received > 0 ? 1 : 0 });
        samples.push({ ...base, metric: 'loss_pct', value: r.lossPct });
        if (r.rttMs !== null) samples.push({ ...base, metric: 'rtt_ms', value: r.rttMs });
      }
    }
    this.m.samples.inc(samples.length);
    this.rt.bus.publish(samples);
  }

  private async slot(): Promise<() => void> {
    if (this.rtpActive >= RTP_CONCURRENCY) await new Promise<void>((r) => this.rtpQueue.push(r));
    this.rtpActive++;
    return () => {
      this.rtpActive--;
      this.rtpQueue.shift()?.();
    };
  }

  private async rtpOne(s: Site): Promise<void> {
    const release = await this.slot();
    if (this.stopped) return release();
    const cfg = this.rt.config.collector.rtp;
    const { host, port } = parseAddress(s.probes.rtp!, 5004);
    const t0 = performance.now();
    try {
      const r = await this.rtpThread.probe(host, port, {
        packets: cfg.packets,
        intervalMs: parseDuration(cfg.interval),
        timeoutMs: 1000,
      });
      this.m.probeDuration.observe({ probe: 'rtp' }, (performance.now() - t0) / 1000);
      for (const lag of r.sendLagMs) this.m.rtpSendLag.observe(lag / 1000);
      if (r.invalid > 0) this.m.probeInvalid.inc({ site: s.id }, r.invalid);
      if (this.stopped) return;
      const time = Date.now();
      const base = { time, site: s.id, device: `${s.id}:rtp`, tags: this.tags(s, 'rtp') };
      this.noteMisconfigured(s, `${host}:${port}`, r.misconfigured, r.invalid, r.received);
      const samples: Sample[] = [{ ...base, metric: 'probe_ok', value: r.misconfigured ? 0 : 1 }];
      // what came back is not ours: its "loss" would blame a link that answered every packet
      if (!r.misconfigured) {
        samples.push(
          { ...base, metric: 'reachable', value: r.received > 0 ? 1 : 0 },
          { ...base, metric: 'loss_pct', value: r.lossPct },
          { ...base, metric: 'rtp_duplicates', value: r.duplicates },
          { ...base, metric: 'rtp_reordered', value: r.reordered },
        );
        if (r.rttMs !== null) samples.push({ ...base, metric: 'rtt_ms', value: r.rttMs });
        if (r.jitterMs !== null) samples.push({ ...base, metric: 'jitter_ms', value: r.jitterMs });
        if (r.mos !== null) samples.push({ ...base, metric: 'mos', value: r.mos });
      }
      this.m.samples.inc(samples.length);
      this.rt.bus.publish(samples);
    } catch (err) {
      // the probe itself cannot run here (socket refused by the OS …): say so once, never "down"
      const reason = err instanceof Error ? err.message : String(err);
      this.rt.log.error({ site: s.id, err: reason }, 'RTP PROBE UNAVAILABLE for this site');
      this.rtpUnavailable.add(s.id);
      this.unavailable(s, 'rtp', reason);
    } finally {
      release();
    }
  }

  /** logs and announces a change of a site's RTP far end between "a reflector" and "not one" */
  private noteMisconfigured(s: Site, address: string, bad: boolean, invalid: number, valid: number): void {
    if (bad === this.rtpMisconfigured.has(s.id)) return;
    if (bad) {
      this.rtpMisconfigured.add(s.id);
      this.rt.log.warn(
        { site: s.id, address, invalid, valid },
        'RTP probe misconfigured: the far end answers, but not with our packets (not a reflector); the site is NOT reported down, its reachability comes from ICMP',
      );
    } else {
      this.rtpMisconfigured.delete(s.id);
      this.rt.log.info({ site: s.id, address }, 'RTP probe: the far end reflects our packets again');
    }
    this.rt.bus.publishEvent({
      time: Date.now(),
      kind: bad ? 'probe_misconfigured' : 'probe_ok',
      site: s.id,
      device: `${s.id}:rtp`,
      name: bad ? 'rtp_misconfigured' : 'rtp_ok',
      detail: bad
        ? `Phép đo RTP cấu hình sai: ${address} trả lời nhưng không phải bộ phản hồi (${invalid} gói lạ, ${valid} gói đúng) — điểm cầu không bị báo mất kết nối / RTP probe misconfigured: ${address} answers but is not a reflector; the site is not reported down`
        : `Phép đo RTP hoạt động lại: ${address} phản hồi đúng / RTP probe working again: ${address} reflects our packets`,
      data: { address, invalid, valid },
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) {
      clearTimeout(t);
      clearInterval(t);
    }
    for (const wake of this.rtpQueue.splice(0)) wake();
    await Promise.allSettled([...this.inflight]);
    await this.rtpThread.stop();
  }
}
