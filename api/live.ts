// The live state of the network and its stream of changes (Server-Sent Events).
//
// Keeps one SiteStatus per site from the bus samples (latest link and power numbers) and the alert
// engine's verdict (state, cause, summary). Every change becomes an event with a numeric id that only
// grows, also across restarts (ids start at boot time × 1000). A bounded replay buffer lets a client
// that reconnects with Last-Event-ID receive exactly what it missed; when that is older than the buffer,
// it gets a fresh snapshot. Each client has a bounded queue: one that cannot keep up is dropped (its
// connection ends, its browser reconnects and resumes), so a slow client never slows the others.
// New numbers travel batched: one `metrics` event carries every site that reported in a collector
// round (what one bus delivery brought) or in a short window after the previous `metrics` event
// (metricsWindowMs), so a browser parses and applies a round at once, not a thousand small events.
import { parseDuration } from '../config/config.ts';
import type { Sample } from '../core/bus.ts';
import {
  isLiveMetric,
  QUALITY_METRICS,
  QUALITY_PRECEDENCE,
  type QualityMetric,
  qualitySource,
} from '../core/metrics.ts';
import type { AlertEngine, MeetingSource } from '../core/ports.ts';
import type { Runtime } from '../core/runtime.ts';
import type { Site } from '../inventory/schema.ts';
import type {
  Alert,
  LiveEventName,
  LiveEvents,
  QualitySources,
  SiteMetrics,
  SiteMetricsUpdate,
  SiteQuality,
  SiteState,
  SiteStatus,
} from './contract.ts';

const IS_QUALITY = new Set<string>(QUALITY_METRICS);

export interface LiveOptions {
  /** events kept for Last-Event-ID resume */
  replay?: number;
  heartbeatMs?: number;
  /** a site whose newest sample is older than this is `unknown` (default: 3 collector intervals, ≥ 30 s) */
  staleMs?: number;
  /** how often staleness, meetings and verdicts are re-checked without new samples */
  tickMs?: number;
  /** a resume that would replay more than this gets a snapshot instead (default 256 KiB) */
  maxReplayBytes?: number;
  /** bytes queued for all clients together; over it the clients with the most queued are dropped */
  maxQueuedBytes?: number;
  /**
   * numbers that arrive within this long after the previous `metrics` event wait for the window's end
   * and travel together with what else arrives by then (default 50 ms; 0: one event per bus delivery)
   */
  metricsWindowMs?: number;
  now?: () => number;
}

/** Where a connected client's frames go; `push` returns false when its queue is over its bound. */
export interface LiveSink {
  push(frame: Uint8Array): boolean;
  /** bytes waiting for this client (for the total budget); 0 when unknown */
  queued?(): number;
  /** the hub drops the client (queue overflow or hub stopping) */
  drop(reason: string): void;
}

export interface LiveClient {
  readonly id: number;
  close(): void;
}

interface Entry {
  id: number;
  /** sites the event is about; null = everyone may see it */
  sites: string[] | null;
  frame: Uint8Array;
  /** the event as a client that sees only some sites gets it (a batch of several sites' numbers) */
  part?: (sites: ReadonlySet<string>) => Uint8Array;
}

interface ClientState {
  id: number;
  sites: ReadonlySet<string> | null;
  sink: LiveSink;
  /** who is connected (per-user cap) */
  user: string | null;
}

const enc = new TextEncoder();

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function sseFrame(id: number | null, event: string, data: unknown): Uint8Array {
  return enc.encode(`${id !== null ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function summaryFor(state: SiteState, updated: number | null, staleMs: number): string {
  switch (state) {
    case 'ok':
      return 'Hoạt động bình thường / Operating normally';
    case 'unknown':
      return updated === null
        ? 'Chưa có số liệu đo / Not measured yet'
        : `Không có số liệu đo mới trong ${Math.round(staleMs / 1000)} giây / No fresh measurements`;
    case 'down':
      return 'Mất kết nối / Unreachable';
    case 'on_battery':
      return 'UPS đang chạy pin / UPS on battery';
    case 'degraded':
      return 'Chất lượng đường truyền kém / Link quality degraded';
    default:
      return 'Đang bảo trì / Maintenance';
  }
}

export class LiveHub {
  private readonly sites: Site[];
  private readonly status = new Map<string, SiteStatus>();
  private readonly metrics = new Map<string, SiteMetrics>();
  private readonly updated = new Map<string, number>();
  private readonly pendingMetrics = new Map<
    string,
    { time: number; values: SiteMetrics; quality: SiteQuality; headline: boolean }
  >();
  /** each source's own loss/jitter/RTT/MOS per site (MCU port, codec, path probe), kept apart */
  private readonly quality = new Map<string, SiteQuality>();
  /** the UPS alarms of each site's newest UPS poll */
  private readonly upsAlarms = new Map<string, { time: number; values: number[] }>();
  private readonly dirty = new Set<string>();
  private flushScheduled = false;
  /** numbers waiting for the next `metrics` event, in arrival order */
  private metricsOut: SiteMetricsUpdate[] = [];
  private metricsTimer: NodeJS.Timeout | null = null;
  /** performance.now() of the last `metrics` event */
  private lastMetricsAt = Number.NEGATIVE_INFINITY;
  private readonly metricsWindowMs: number;
  private readonly buffer: Entry[] = [];
  private readonly clients = new Map<number, ClientState>();
  private nextClient = 1;
  /** alert id → JSON of what the stream last carried for it (open alerts only) */
  private readonly knownAlerts = new Map<string, string>();
  private batch: Entry[] | null = null;
  /** open alerts as the stream carried them: whether firing, and the sites they are about */
  private readonly openAlerts = new Map<string, { firing: boolean; sites: string[] }>();
  /** grows whenever any site's status (metrics included) changes: lets readers cache */
  version = 0;
  private lastSample: number | null = null;
  private seq: number;
  private readonly unsubscribe: (() => void)[] = [];
  private timers: NodeJS.Timeout[] = [];
  private readonly replay: number;
  private readonly heartbeatMs: number;
  private readonly staleMs: number;
  private readonly tickMs: number;
  private readonly maxReplayBytes: number;
  private readonly maxQueuedBytes: number | undefined;
  private readonly now: () => number;
  /** counters for /metrics */
  readonly counters = { events: 0, dropped: 0, connected: 0 };

  constructor(
    private readonly rt: Runtime,
    private readonly alerts: AlertEngine | null,
    private readonly meetings: MeetingSource | undefined,
    opts: LiveOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.replay = opts.replay ?? 10_000;
    this.heartbeatMs = opts.heartbeatMs ?? 15_000;
    const interval = parseDuration(rt.config.collector.interval);
    this.staleMs = opts.staleMs ?? Math.max(3 * interval, 30_000);
    this.tickMs = opts.tickMs ?? Math.min(5_000, interval);
    this.maxReplayBytes = opts.maxReplayBytes ?? 256 * 1024;
    this.maxQueuedBytes = opts.maxQueuedBytes;
    this.metricsWindowMs = opts.metricsWindowMs ?? 50;
    this.seq = this.now() * 1000;
    this.sites = [...rt.inventory.sites.values()];
    const now = this.now();
    for (const s of this.sites) this.status.set(s.id, this.compute(s, now, new Map()));
  }

  start(): void {
    this.unsubscribe.push(this.rt.bus.onSamples((batch) => this.onSamples(batch)));
    if (this.alerts) this.unsubscribe.push(this.alerts.onChange((a) => this.onAlert(a)));
    if (this.alerts) this.unsubscribe.push(this.alerts.onEpisode((e) => this.onEpisode(e)));
    this.timers.push(setInterval(() => this.heartbeat(), this.heartbeatMs));
    this.timers.push(setInterval(() => this.refreshAll(), this.tickMs));
    for (const t of this.timers) t.unref();
    // alerts already open (a restart): known to the stream, counted on the sites; no clients yet
    this.syncAlerts();
    this.refreshAll();
  }

  stop(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (this.metricsTimer) clearTimeout(this.metricsTimer);
    this.metricsTimer = null;
    this.metricsOut = [];
    for (const c of [...this.clients.values()]) {
      this.clients.delete(c.id);
      c.sink.drop('server stopping');
    }
  }

  /** The id of the newest event (what a client that is up to date would send as Last-Event-ID). */
  lastEventId(): number {
    return this.seq;
  }

  /** time of the newest sample seen on the bus (for /readyz), or null */
  lastSampleTime(): number | null {
    return this.lastSample;
  }

  isStale(time: number | null): boolean {
    return time === null || this.now() - time > this.staleMs;
  }

  clientCount(): number {
    return this.clients.size;
  }

  list(): SiteStatus[] {
    return this.sites.map((s) => this.status.get(s.id)!);
  }

  get(site: string): SiteStatus | undefined {
    return this.status.get(site);
  }

  /** Connects a client: replays what it missed since `lastEventId`, or starts with a snapshot. */
  connect(opts: {
    sink: LiveSink;
    sites?: ReadonlySet<string> | null;
    lastEventId?: number | null;
    user?: string;
  }): LiveClient {
    const client: ClientState = {
      id: this.nextClient++,
      sites: opts.sites ?? null,
      sink: opts.sink,
      user: opts.user ?? null,
    };
    const last = opts.lastEventId;
    const oldest = this.buffer[0]?.id ?? this.seq + 1;
    let missed: Uint8Array[] | null = null;
    if (last !== undefined && last !== null && last <= this.seq && last >= oldest - 1) {
      missed = [];
      let bytes = 0;
      // ids are consecutive in the buffer: the first missed event is at last + 1 - oldest
      for (let i = Math.max(0, last + 1 - oldest); i < this.buffer.length; i++) {
        const e = this.buffer[i]!;
        if (!this.visible(client, e)) continue;
        const frame = this.frameFor(client, e);
        missed.push(frame);
        bytes += frame.length;
        // more than a snapshot's worth: a snapshot is cheaper, and a replay this big could overflow
        // the client's queue at every reconnect
        if (bytes > this.maxReplayBytes) {
          missed = null;
          break;
        }
      }
    }
    const ok = missed
      ? missed.length === 0 || client.sink.push(concat(missed))
      : client.sink.push(sseFrame(this.seq, 'snapshot', this.snapshot(client.sites)));
    this.clients.set(client.id, client);
    this.counters.connected++;
    if (!ok) this.dropClient(client, 'queue full at connect');
    return {
      id: client.id,
      close: () => {
        this.clients.delete(client.id);
      },
    };
  }

  snapshot(sites: ReadonlySet<string> | null = null): LiveEvents['snapshot'] {
    const all = this.list();
    const alerts = this.alerts ? this.alerts.list().filter((a) => a.state !== 'resolved') : [];
    // open episodes (resolved ones arrive as `episode` events, or from GET /episodes?all=true)
    const episodes = this.alerts ? this.alerts.episodes().filter((e) => e.state !== 'resolved') : [];
    if (!sites) return { sites: all, alerts, episodes };
    return {
      sites: all.filter((s) => sites.has(s.id)),
      alerts: alerts.filter(
        (a) => (a.site !== null && sites.has(a.site)) || a.sites.some((s) => sites.has(s)),
      ),
      episodes: episodes.filter((e) => e.sites.some((s) => sites.has(s))),
    };
  }

  /**
   * Publishes an event to every client allowed to see it and keeps it for resume. `part` gives the
   * event's data for a client that sees only some of `sites` (default: the whole event).
   */
  publish<E extends Exclude<LiveEventName, 'snapshot' | 'heartbeat'>>(
    event: E,
    data: LiveEvents[E],
    sites: string[] | null,
    part?: (sites: ReadonlySet<string>) => LiveEvents[E],
  ): number {
    const id = ++this.seq;
    const entry: Entry = { id, sites, frame: sseFrame(id, event, data) };
    if (part) entry.part = (visible) => sseFrame(id, event, part(visible));
    this.buffer.push(entry);
    // trimmed in steps, not at every event
    if (this.buffer.length > this.replay + Math.ceil(this.replay / 16))
      this.buffer.splice(0, this.buffer.length - this.replay);
    this.counters.events++;
    if (this.batch) this.batch.push(entry);
    else this.deliver([entry]);
    return id;
  }

  /** Runs `fn`, then sends what it published as one write per client (not one per event). */
  private batched(fn: () => void): void {
    if (this.batch) {
      fn();
      return;
    }
    this.batch = [];
    try {
      fn();
    } finally {
      const entries = this.batch;
      this.batch = null;
      if (entries.length) this.deliver(entries);
    }
  }

  private deliver(entries: Entry[]): void {
    let everything: Uint8Array | null = null;
    for (const c of this.clients.values()) {
      let chunk: Uint8Array | null;
      if (!c.sites) chunk = everything ??= concat(entries.map((e) => e.frame));
      else {
        const mine = entries.filter((e) => this.visible(c, e));
        chunk = mine.length ? concat(mine.map((e) => this.frameFor(c, e))) : null;
      }
      if (chunk && !c.sink.push(chunk)) this.dropClient(c, 'queue full');
    }
    this.enforceBudget();
  }

  /** Connected clients of one user (the route refuses more than http.live_max_per_user). */
  userClientCount(user: string): number {
    let n = 0;
    for (const c of this.clients.values()) if (c.user === user) n++;
    return n;
  }

  /** Over the total byte budget: drop the clients with the most queued until under it. */
  private enforceBudget(): void {
    if (this.maxQueuedBytes === undefined) return;
    let total = 0;
    const queued: [ClientState, number][] = [];
    for (const c of this.clients.values()) {
      const q = c.sink.queued?.() ?? 0;
      total += q;
      if (q > 0) queued.push([c, q]);
    }
    if (total <= this.maxQueuedBytes) return;
    queued.sort((a, b) => b[1] - a[1]);
    for (const [c, q] of queued) {
      if (total <= this.maxQueuedBytes) break;
      this.dropClient(c, 'total queue budget');
      total -= q;
    }
  }

  private visible(c: ClientState, e: Entry): boolean {
    if (!c.sites || !e.sites) return true;
    return e.sites.some((s) => c.sites!.has(s));
  }

  /** the frame of an event for a client: a batch is cut down to the client's sites */
  private frameFor(c: ClientState, e: Entry): Uint8Array {
    if (!c.sites || !e.part || !e.sites || e.sites.every((s) => c.sites!.has(s))) return e.frame;
    return e.part(c.sites);
  }

  private dropClient(c: ClientState, reason: string): void {
    if (!this.clients.delete(c.id)) return;
    this.counters.dropped++;
    this.rt.log.warn({ client: c.id, reason }, 'live client dropped');
    c.sink.drop(reason);
  }

  private heartbeat(): void {
    const frame = sseFrame(this.seq, 'heartbeat', { time: this.now() });
    for (const c of this.clients.values()) if (!c.sink.push(frame)) this.dropClient(c, 'queue full');
  }

  private siteOfSample(s: Sample): string | null {
    if (this.status.has(s.site)) return s.site;
    if (s.metric === 'mcu_port_up' && s.tags.instance) {
      const site = this.rt.inventory.mcuPorts.get(Number(s.tags.instance));
      if (site) return site;
    }
    return null;
  }

  private onSamples(batch: readonly Sample[]): void {
    for (const s of batch) {
      if (this.lastSample === null || s.time > this.lastSample) this.lastSample = s.time;
      const alarm = s.metric === 'ups_alarm';
      if (!alarm && !isLiveMetric(s.metric)) continue;
      const site = this.siteOfSample(s);
      if (!site) continue;
      const kind = this.rt.inventory.devices.get(s.device)?.kind;
      // a UPS that does not answer says nothing about whether the site is reachable
      if (s.metric === 'reachable' && kind === 'ups') continue;
      if (alarm || s.metric === 'ups_alarms') this.noteUpsAlarm(site, s);
      if ((this.updated.get(site) ?? 0) < s.time) this.updated.set(site, s.time);
      this.dirty.add(site);
      if (alarm) continue;
      const p = this.pendingMetrics.get(site) ?? { time: s.time, values: {}, quality: {}, headline: false };
      p.time = Math.max(p.time, s.time);
      this.pendingMetrics.set(site, p);
      if (IS_QUALITY.has(s.metric)) {
        // kept per source; the headline is chosen when the site's status is computed
        const src = qualitySource(s.tags.probe, kind) ?? 'path';
        const q = this.quality.get(site) ?? {};
        const cur = q[src];
        // the path: RTP where it measures, else ICMP (ICMP does not overwrite a fresh RTP figure)
        if (
          src === 'path' &&
          s.tags.probe === 'icmp' &&
          cur?.probe === 'rtp' &&
          s.time - cur.time <= this.staleMs
        )
          continue;
        const base =
          cur && cur.probe === s.tags.probe
            ? cur
            : { time: s.time, ...(s.tags.probe && { probe: s.tags.probe }) };
        q[src] = { ...base, [s.metric]: s.value, time: Math.max(base.time, s.time) };
        this.quality.set(site, q);
        const pq = p.quality[src] ?? { time: s.time, ...(s.tags.probe && { probe: s.tags.probe }) };
        p.quality[src] = { ...pq, [s.metric]: s.value, time: Math.max(pq.time, s.time) };
        p.headline = true;
      } else {
        const m = this.metrics.get(site) ?? {};
        m[s.metric as keyof SiteMetrics] = s.value;
        this.metrics.set(site, m);
        p.values[s.metric as keyof SiteMetrics] = s.value;
        // the headline depends on whether a call is up
        if (s.metric === 'in_call' || s.metric === 'mcu_port_up') p.headline = true;
      }
    }
    this.scheduleFlush();
  }

  /** the alarms of a UPS's newest poll: a newer poll replaces them (no alarm: ups_alarms alone) */
  private noteUpsAlarm(site: string, s: Sample): void {
    const cur = this.upsAlarms.get(site);
    if (!cur || s.time > cur.time)
      this.upsAlarms.set(site, { time: s.time, values: s.metric === 'ups_alarm' ? [s.value] : [] });
    else if (s.time === cur.time && s.metric === 'ups_alarm' && !cur.values.includes(s.value))
      cur.values.push(s.value);
  }

  /**
   * A site's headline loss/jitter/RTT/MOS and whose they are: the MCU port's media statistics while
   * the site is in a call, else the codec's (in a call), else the path probe's (docs/api.md).
   */
  headline(
    id: string,
    now = this.now(),
  ): { values: Partial<Record<QualityMetric, number>>; sources: QualitySources } {
    const q = this.quality.get(id) ?? {};
    const m = this.metrics.get(id) ?? {};
    const inCall = m.in_call === 1 || m.mcu_port_up === 1;
    const values: Partial<Record<QualityMetric, number>> = {};
    const sources: QualitySources = {};
    for (const metric of QUALITY_METRICS) {
      for (const src of QUALITY_PRECEDENCE) {
        const f = q[src];
        const v = f?.[metric];
        if (v === undefined) continue;
        if (src !== 'path' && (!inCall || now - f!.time > this.staleMs)) continue;
        values[metric] = v;
        sources[metric] = src;
        break;
      }
    }
    return { values, sources };
  }

  private onAlert(a: Alert, json = JSON.stringify(a)): void {
    if (this.knownAlerts.get(a.id) === json) return;
    const sites = [...new Set([...(a.site ? [a.site] : []), ...a.sites])];
    if (a.state === 'resolved') {
      this.knownAlerts.delete(a.id);
      this.openAlerts.delete(a.id);
    } else {
      this.knownAlerts.set(a.id, json);
      this.openAlerts.set(a.id, { firing: a.state === 'firing', sites });
    }
    this.publish('alert', a, sites.length ? sites : null);
    for (const s of sites) if (this.status.has(s)) this.dirty.add(s);
    this.scheduleFlush();
  }

  /** An episode opened, changed or resolved: to the clients who may see one of its sites. */
  private onEpisode(e: LiveEvents['episode']): void {
    this.publish('episode', e, e.sites.length ? [...e.sites] : null);
  }

  /**
   * Brings the stream up to the engine's open alerts: at start (alerts restored after a restart), and
   * when a site's verdict moved, so the alert is carried before the site's new status.
   */
  syncAlerts(): void {
    if (!this.alerts) return;
    this.batched(() => {
      for (const a of this.alerts!.list()) {
        if (a.state === 'resolved' && !this.knownAlerts.has(a.id)) continue;
        this.onAlert(a);
      }
    });
  }

  /** Runs after the current bus delivery, so the alert engine has seen the same samples. */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /** firing alerts per site, from what the stream carried (no call into the engine on the hot path) */
  private firingCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const a of this.openAlerts.values()) {
      if (!a.firing) continue;
      for (const s of a.sites) counts.set(s, (counts.get(s) ?? 0) + 1);
    }
    return counts;
  }

  /** whether the engine's verdict for a site differs from the status shown */
  private verdictMoved(id: string): boolean {
    const cur = this.status.get(id)?.state;
    const v = this.alerts?.verdict(id)?.state ?? null;
    return v !== null ? v !== cur : cur !== 'ok' && cur !== 'unknown';
  }

  private flush(): void {
    this.batched(() => {
      const now = this.now();
      if (this.pendingMetrics.size) {
        for (const [site, p] of this.pendingMetrics) {
          const h = this.headline(site, now);
          this.metricsOut.push({
            site,
            time: p.time,
            values: p.headline ? { ...p.values, ...h.values } : p.values,
            sources: h.sources,
            quality: p.quality,
          });
        }
        this.pendingMetrics.clear();
        this.scheduleMetrics();
      }
      if (this.dirty.size === 0) return;
      // a moved verdict usually comes with a new or changed alert: carry it first, and its count
      if (this.alerts && [...this.dirty].some((id) => this.verdictMoved(id))) this.syncAlerts();
      const counts = this.firingCounts();
      for (const id of this.dirty) this.refresh(id, now, counts);
      this.dirty.clear();
    });
  }

  /**
   * Sends the waiting numbers now when the last `metrics` event is older than the window, else at the
   * window's end (one event for all that arrived meanwhile).
   */
  private scheduleMetrics(): void {
    if (this.metricsTimer) return;
    const wait = this.lastMetricsAt + this.metricsWindowMs - performance.now();
    if (wait <= 0) {
      this.publishMetrics();
      return;
    }
    this.metricsTimer = setTimeout(() => {
      this.metricsTimer = null;
      this.batched(() => this.publishMetrics());
    }, Math.ceil(wait));
    this.metricsTimer.unref();
  }

  /** One `metrics` event with every waiting site's numbers; a technician's copy holds only theirs. */
  private publishMetrics(): void {
    const updates = this.metricsOut;
    if (updates.length === 0) return;
    this.metricsOut = [];
    this.lastMetricsAt = performance.now();
    const sites = [...new Set(updates.map((u) => u.site))];
    this.publish('metrics', { updates }, sites, (visible) => ({
      updates: updates.filter((u) => visible.has(u.site)),
    }));
  }

  /** Re-checks every site: staleness, meetings, verdicts that changed without a new sample. */
  refreshAll(): void {
    this.batched(() => {
      const now = this.now();
      const counts = this.firingCounts();
      for (const s of this.sites) this.refresh(s.id, now, counts);
    });
  }

  private refresh(id: string, now: number, counts: Map<string, number>): void {
    const site = this.rt.inventory.sites.get(id);
    if (!site) return;
    const prev = this.status.get(id)!;
    const next = this.compute(site, now, counts, prev);
    this.status.set(id, next);
    this.version++;
    if (
      next.state !== prev.state ||
      next.cause !== prev.cause ||
      next.summary !== prev.summary ||
      next.firing_alerts !== prev.firing_alerts ||
      next.in_meeting !== prev.in_meeting ||
      (next.episode ?? null) !== (prev.episode ?? null)
    ) {
      this.publish('site', next, [id]);
    }
  }

  private compute(site: Site, now: number, counts: Map<string, number>, prev?: SiteStatus): SiteStatus {
    const headline = this.headline(site.id, now);
    const metrics: SiteMetrics = { ...(this.metrics.get(site.id) ?? {}), ...headline.values };
    const updated = this.updated.get(site.id) ?? null;
    const fresh = updated !== null && now - updated <= this.staleMs;
    let state: SiteState;
    let cause: SiteStatus['cause'] = null;
    let summary: string;
    let episode: string | null = null;
    let since: number | null = null;
    const verdict = this.alerts?.verdict(site.id) ?? null;
    if (verdict) {
      ({ state, cause, summary, since } = verdict);
      episode = verdict.episode ?? null;
    } else if (!fresh) {
      state = 'unknown';
      summary = summaryFor(state, updated, this.staleMs);
    } else if (!this.alerts && metrics.reachable === 0) {
      // no alert engine running: a plain reading of the numbers, without root cause
      state = 'down';
      summary = summaryFor(state, updated, this.staleMs);
    } else if (!this.alerts && metrics.ups_on_battery === 1) {
      state = 'on_battery';
      summary = summaryFor(state, updated, this.staleMs);
    } else {
      state = 'ok';
      summary = summaryFor(state, updated, this.staleMs);
    }
    if (since === null) since = prev && prev.state === state ? prev.since : now;
    return {
      id: site.id,
      name: site.name,
      gso: site.gso,
      tier: site.tier,
      district: site.district,
      carrier: site.link.carrier,
      lat: site.lat ?? null,
      lon: site.lon ?? null,
      state,
      cause,
      since,
      summary,
      metrics,
      sources: headline.sources,
      quality: { ...(this.quality.get(site.id) ?? {}) },
      active_ups_alarms: [...(this.upsAlarms.get(site.id)?.values ?? [])],
      updated,
      firing_alerts: counts.get(site.id) ?? 0,
      in_meeting: (this.meetings?.forSite(site.id, now, 0).length ?? 0) > 0,
      episode,
    };
  }
}
