// The live picture of the network, fed by the SSE stream (`GET /api/v1/live`).
// Reactivity is per site: each site sits in its own cell (`$state.raw`), so a status change re-renders one
// endpoint on the map, not 1,000. Sparkline data lives in plain ring buffers; a tick (at most once a second)
// tells the charts to redraw. What one read of the stream brings is applied at once: a `metrics` event is a
// whole batch (every site of a collector round), and the `site` events of one read wait for the end of that
// task, so that a district turning red is one Svelte update and one label placement, not one per site.
import type {
  Alert,
  Episode,
  LiveEvents,
  SiteMetrics,
  SiteMetricsUpdate,
  SiteQuality,
  SiteStatus,
} from '../../../api/contract.ts';
import { QUALITY_METRICS } from '../../../core/metrics.ts';
import { BASE, get, pickList } from './api.ts';
import { mergeSnapshot } from './siteview.ts';

export class SiteCell {
  /** the site's status as the last `site` event (or snapshot) had it: what the map's node draws */
  s: SiteStatus = $state.raw() as unknown as SiteStatus;
  /**
   * the same with the numbers of the `metrics` events since (null: none since): what a page about
   * this site reads (live.site), so a site leaving the call or a UPS draining shows at once, while
   * the map's 1,000 nodes are not redrawn for every round of numbers
   */
  fresh: SiteStatus | null = $state.raw(null);
  constructor(s: SiteStatus) {
    this.s = s;
  }

  /** A `metrics` update: its numbers over the newest known; a new headline replaces the old one whole. */
  merge(u: SiteMetricsUpdate): void {
    const cur = this.fresh ?? this.s;
    if (cur.updated !== null && u.time < cur.updated) return;
    const metrics: SiteMetrics = { ...cur.metrics };
    const headline =
      QUALITY_METRICS.some((k) => u.values[k] !== undefined) ||
      JSON.stringify(u.sources) !== JSON.stringify(cur.sources);
    // the headline's figures come from one source each (api/live.ts headline): none of the old stays
    if (headline) for (const k of QUALITY_METRICS) delete metrics[k];
    Object.assign(metrics, u.values);
    const quality: SiteQuality = { ...cur.quality };
    // a figure of another probe (the path: ICMP after RTP) replaces the old one, as on the server
    for (const [src, q] of Object.entries(u.quality) as [keyof SiteQuality, SiteQuality[keyof SiteQuality]][])
      quality[src] = (
        quality[src]?.probe === q?.probe ? { ...quality[src], ...q } : q
      ) as SiteQuality[keyof SiteQuality];
    this.fresh = { ...cur, metrics, sources: u.sources, quality, updated: u.time };
  }
}

export const SPARK_METRICS = ['mos', 'loss_pct', 'jitter_ms', 'rtt_ms'] as const;
export type SparkMetric = (typeof SPARK_METRICS)[number];
const RING = 240;

/** The recent values of a site's four link-quality numbers, each with its own times: a `metrics` event
 * may carry only some of them (the UPS and the probe report separately). */
export class Ring {
  series: Record<SparkMetric, { time: number[]; value: number[] }> = {
    mos: { time: [], value: [] },
    loss_pct: { time: [], value: [] },
    jitter_ms: { time: [], value: [] },
    rtt_ms: { time: [], value: [] },
  };
  push(time: number, v: SiteMetrics): void {
    for (const m of SPARK_METRICS) {
      const x = v[m];
      if (x === undefined || x === null) continue;
      const s = this.series[m];
      const last = s.time[s.time.length - 1];
      if (last !== undefined && time <= last) continue;
      s.time.push(time);
      s.value.push(x);
      if (s.time.length > RING) {
        s.time.shift();
        s.value.shift();
      }
    }
  }
}

/** what a snapshot brought, then each `episode` event of the stream */
export interface EpisodeWatcher {
  snapshot(episodes: Iterable<Episode>): void;
  event(e: Episode): void;
}

export type LinkState = 'connecting' | 'live' | 'reconnecting';

/** No event (heartbeats included) for this long and the screen says its data is stale. */
export const STALE_MS = 25_000;

/** resolved episodes the store keeps for the alerts page's second tab */
const RESOLVED_KEPT = 300;

class Live {
  cells = new Map<string, SiteCell>();
  /** the set of sites (changes only when the inventory does) */
  ids: string[] = $state.raw([]);
  alerts: Alert[] = $state.raw([]);
  /** fault episodes: the open ones from the snapshot, then every `episode` event (resolved ones too) */
  episodes: Episode[] = $state.raw([]);
  link: LinkState = $state('connecting');
  lastEventAt = $state(0);
  now = $state(Date.now());
  /** bumps when sparkline data changed, at most once a second */
  tick = $state(0);
  /** bumps when any site's status changed (for counts) */
  version = $state(0);
  rings = new Map<string, Ring>();
  private alertMap = new Map<string, Alert>();
  private episodeMap = new Map<string, Episode>();
  private es: EventSource | null = null;
  private lastId: string | null = null;
  private retry = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private dirtyTick = false;
  private dirtyAlerts = false;
  private dirtyEpisodes = false;
  private dirtyVersion = false;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  /** `site` events of the current read of the stream, newest per site, applied together */
  private pendingSites = new Map<string, SiteStatus>();
  private sitesTimer: ReturnType<typeof setTimeout> | null = null;
  /** who hears of episodes as the stream brings them (the alarm): each snapshot's, then one by one */
  private episodeWatchers = new Set<EpisodeWatcher>();
  private tickTimer: ReturnType<typeof setInterval> | null = null;

  get stale(): boolean {
    return this.link !== 'live' || (this.lastEventAt > 0 && this.now - this.lastEventAt > STALE_MS);
  }

  start(): void {
    if (this.es || this.retryTimer) return;
    this.connect();
    this.watchdog ??= setInterval(() => {
      this.now = Date.now();
      // an open stream that has gone quiet is dead: reopen it
      if (this.es && this.link === 'live' && this.now - this.lastEventAt > STALE_MS * 1.5) this.reopen();
    }, 1000);
    this.tickTimer ??= setInterval(() => {
      if (this.dirtyTick) {
        this.dirtyTick = false;
        this.tick++;
      }
    }, 1000);
    // a first picture even before the stream answers
    void this.loadOnce();
  }

  /** On logout: close the stream and forget what the last user could see. */
  stop(): void {
    this.lastId = null;
    this.dropPendingSites();
    this.cells.clear();
    this.rings.clear();
    this.alertMap.clear();
    this.episodeMap.clear();
    this.ids = [];
    this.alerts = [];
    this.episodes = [];
    this.lastEventAt = 0;
    this.es?.close();
    this.es = null;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.tickTimer = null;
    this.link = 'connecting';
  }

  private async loadOnce(): Promise<void> {
    try {
      const [sites, alerts, episodes] = await Promise.all([
        get<unknown>('/sites'),
        get<unknown>('/alerts'),
        get<unknown>('/episodes').catch(() => null),
      ]);
      if (this.ids.length === 0) {
        this.applySnapshot(
          pickList<SiteStatus>(sites, 'sites'),
          pickList<Alert>(alerts, 'alerts'),
          pickList<Episode>(episodes, 'episodes'),
        );
      }
    } catch {
      /* the stream will bring it */
    }
  }

  private connect(): void {
    this.retryTimer = null;
    // EventSource resends Last-Event-ID on its own reconnects; when we reopen it ourselves, the query says it
    const resume = this.lastId ? `?last_event_id=${encodeURIComponent(this.lastId)}` : '';
    const es = new EventSource(`${BASE}/live${resume}`, { withCredentials: true });
    this.es = es;
    es.onopen = () => {
      this.retry = 0;
      this.link = 'live';
      this.seen();
    };
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) this.reopen();
      else this.link = 'reconnecting';
    };
    const on = <K extends keyof LiveEvents>(name: K, fn: (d: LiveEvents[K]) => void) =>
      es.addEventListener(name, (ev) => {
        const me = ev as MessageEvent<string>;
        if (me.lastEventId) this.lastId = me.lastEventId;
        this.seen();
        try {
          fn(JSON.parse((ev as MessageEvent<string>).data) as LiveEvents[K]);
        } catch (err) {
          console.warn('live event', name, err);
        }
      });
    on('snapshot', (d) => {
      // newer than every `site` event before it
      this.dropPendingSites();
      this.applySnapshot(d.sites, d.alerts, d.episodes ?? []);
    });
    on('site', (s) => this.queueSite(s));
    on('metrics', (m) => {
      for (const u of m.updates) {
        this.ring(u.site).push(u.time, u.values);
        this.cells.get(u.site)?.merge(u);
      }
      this.dirtyTick = true;
    });
    on('alert', (a) => {
      this.alertMap.set(a.id, a);
      this.dirtyAlerts = true;
      this.schedule();
    });
    on('episode', (e) => {
      this.putEpisode(e);
      for (const w of this.episodeWatchers) w.event(e);
    });
    on('heartbeat', () => {});
  }

  private seen(): void {
    // a flood of events must not mean a flood of reactive writes: the clock moves at most 4 times a second
    const t = Date.now();
    if (t - this.lastEventAt > 250) {
      this.lastEventAt = t;
      this.now = t;
    }
    if (this.link !== 'live' && this.es?.readyState === EventSource.OPEN) this.link = 'live';
  }

  private reopen(): void {
    this.es?.close();
    this.es = null;
    this.link = 'reconnecting';
    if (this.retryTimer) return;
    // a stream refused for good may mean the session ended: a plain request finds out (401 → login page)
    void get('/sites?limit=1').catch(() => {});
    const delay = Math.min(15_000, 1000 * 2 ** this.retry++);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  /** Hear of episodes from the stream (snapshots, then events); returns the unsubscribe. */
  watchEpisodes(w: EpisodeWatcher): () => void {
    this.episodeWatchers.add(w);
    w.snapshot(this.episodeMap.values());
    return () => this.episodeWatchers.delete(w);
  }

  /**
   * A site as a page about it shows it, reactively (also when the site arrives later than the page
   * that asks): its status with the newest numbers of the stream.
   */
  site(id: string): SiteStatus | undefined {
    void this.ids;
    const c = this.cells.get(id);
    return c ? (c.fresh ?? c.s) : undefined;
  }

  ring(site: string): Ring {
    let r = this.rings.get(site);
    if (!r) {
      r = new Ring();
      this.rings.set(site, r);
    }
    return r;
  }

  applySnapshot(sites: SiteStatus[], alerts: Alert[], episodes: Episode[] = []): void {
    const seen = new Set<string>();
    for (const s of sites) {
      seen.add(s.id);
      const c = this.cells.get(s.id);
      if (c) c.s = s;
      else this.cells.set(s.id, new SiteCell(s));
      if (s.updated) this.ring(s.id).push(s.updated, s.metrics);
    }
    for (const id of [...this.cells.keys()]) if (!seen.has(id)) this.cells.delete(id);
    const ids = sites.map((s) => s.id);
    if (ids.join('\n') !== this.ids.join('\n')) this.ids = ids;
    // the snapshot holds every open alert and episode; resolved ones already known stay (the resolved tab)
    const merged = mergeSnapshot({ alerts: this.alertMap, episodes: this.episodeMap }, { alerts, episodes });
    this.alertMap = merged.alerts;
    this.alerts = [...this.alertMap.values()];
    this.episodeMap = merged.episodes;
    this.episodes = [...this.episodeMap.values()];
    for (const w of this.episodeWatchers) w.snapshot(episodes);
    this.version++;
    this.dirtyTick = true;
  }

  applySite(s: SiteStatus): void {
    this.applySites([s]);
  }

  /** Several sites' new status in one go (one Svelte update, the list of sites grown once). */
  applySites(list: Iterable<SiteStatus>): void {
    const added: string[] = [];
    for (const s of list) {
      const c = this.cells.get(s.id);
      if (c) {
        c.s = s;
        c.fresh = null;
      } else {
        this.cells.set(s.id, new SiteCell(s));
        added.push(s.id);
      }
      if (s.updated) {
        this.ring(s.id).push(s.updated, s.metrics);
        this.dirtyTick = true;
      }
    }
    if (added.length) this.ids = [...this.ids, ...added];
    this.dirtyVersion = true;
    this.schedule();
  }

  /**
   * A `site` event: applied with the others of the same read of the stream once its task ends (the events
   * of one network read are dispatched one after another, each followed by Svelte's flush).
   */
  private queueSite(s: SiteStatus): void {
    this.pendingSites.set(s.id, s);
    this.sitesTimer ??= setTimeout(() => {
      this.sitesTimer = null;
      const list = [...this.pendingSites.values()];
      this.pendingSites.clear();
      this.applySites(list);
    }, 0);
  }

  private dropPendingSites(): void {
    this.pendingSites.clear();
    if (this.sitesTimer) clearTimeout(this.sitesTimer);
    this.sitesTimer = null;
  }

  /** Replace an alert we changed ourselves (acknowledge) without waiting for the stream. */
  putAlert(a: Alert): void {
    this.alertMap.set(a.id, a);
    this.dirtyAlerts = true;
    this.schedule();
  }

  /** An episode changed (stream, acknowledge, a fetch of resolved ones). */
  putEpisode(e: Episode): void {
    this.episodeMap.set(e.id, e);
    this.dirtyEpisodes = true;
    this.schedule();
  }

  /** A wall screen runs for weeks: keep the newest RESOLVED_KEPT resolved episodes, never an open one. */
  private trimResolved(): void {
    const resolved = [...this.episodeMap.values()].filter((e) => e.state === 'resolved');
    if (resolved.length <= RESOLVED_KEPT) return;
    resolved.sort((a, b) => (b.resolved_at ?? 0) - (a.resolved_at ?? 0));
    for (const e of resolved.slice(RESOLVED_KEPT)) this.episodeMap.delete(e.id);
  }

  private schedule(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      if (this.dirtyAlerts) {
        this.dirtyAlerts = false;
        this.alerts = [...this.alertMap.values()];
      }
      if (this.dirtyEpisodes) {
        this.dirtyEpisodes = false;
        this.trimResolved();
        this.episodes = [...this.episodeMap.values()];
      }
      if (this.dirtyVersion) {
        this.dirtyVersion = false;
        this.version++;
      }
    }, 200);
  }
}

export const live = new Live();

/** "Connected to the MCU now": its MCU port is up or its codec is in a call. */
export function connectedToMcu(s: SiteStatus): boolean {
  return s.metrics.mcu_port_up === 1 || s.metrics.in_call === 1 || s.in_meeting;
}
