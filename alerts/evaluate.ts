// Rule evaluation: turns samples and device events into conditions, one per (rule, site, device,
// instance). Thresholds with `for` and a separate clear threshold (hysteresis), Pexip-style
// windowed judgement (majority of the last N windows, improvement shown only once stable),
// absence, and flap damping. Pure logic with an injected clock; no I/O.

import type { DeviceEvent, Sample } from '../core/bus.ts';
import { SEVERITY_RANK, type Severity } from '../core/vocabulary.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import type { Rule } from './rules.ts';

export { SEVERITY_RANK };

const RANK_SEVERITY: Severity[] = ['info', 'info', 'minor', 'major', 'critical'];

export interface FlapPolicy {
  /**
   * this many onsets (raw transitions into the bad state, outages shorter than `for` included, or
   * firings of a windowed rule) within `windowMs` make a condition flapping: it is active, paged
   * once, and held until it has been stable for `holdMs`
   */
  count: number;
  windowMs: number;
  /** a flapping condition must stay clear this long before it resolves */
  holdMs: number;
}

export interface EvalContext {
  inventory: LoadedInventory;
  /** minutes the UPS must last at `at`: left in the live meeting or length of the next one; null if none */
  meetingMinutes(site: string, at: number): number | null;
  /** a meeting the site belongs to is live at `at` */
  liveMeeting(site: string, at: number): boolean;
  flap: FlapPolicy;
}

export interface Condition {
  key: string;
  rule: Rule;
  site: string;
  device: string;
  instance: string;
  /** the rule's condition holds and its `for` has elapsed */
  active: boolean;
  /** the condition holds (its `for` may not have elapsed yet) */
  holding: boolean;
  /** when the condition started holding (for an active one: when it began) */
  since: number;
  severity: Severity;
  value: number | null;
  lastTime: number;
  flapping: boolean;
  evidence: Record<string, number | string>;
  // private state
  /** raw onsets (the condition started to hold) within the flap window */
  onsets: number[];
  pendingSince: number | null;
  clearSince: number | null;
  fires: number[];
  win?: {
    index: number | null;
    sum: number;
    count: number;
    levels: number[];
    means: number[];
    level: number;
    improvingSince: number | null;
  };
}

export class Evaluator {
  private readonly byMetric = new Map<string, Rule[]>();
  private readonly trapRules = new Map<string, Rule[]>();
  readonly conditions = new Map<string, Condition>();
  /** set whenever a condition changes in a way the engine must look at */
  dirty = false;

  constructor(
    readonly rules: Rule[],
    private readonly ctx: EvalContext,
  ) {
    for (const r of rules) {
      const list = this.byMetric.get(r.metric) ?? [];
      list.push(r);
      this.byMetric.set(r.metric, list);
      for (const name of Object.keys(r.traps)) {
        const l = this.trapRules.get(name) ?? [];
        l.push(r);
        this.trapRules.set(name, l);
      }
    }
  }

  /** Which site and device kind a sample belongs to; null when it is for nothing we know. */
  private locate(s: {
    site: string;
    device: string;
    metric: string;
    instance?: string | undefined;
    probe?: string | undefined;
  }) {
    const inv = this.ctx.inventory;
    let site = s.site;
    let kind: string;
    const dev = inv.devices.get(s.device);
    if (dev) kind = dev.kind;
    else if (s.probe || s.device.includes(':')) kind = 'probe';
    else kind = 'any';
    if (!inv.sites.has(site)) {
      // MCU-wide samples name the MCU; its per-port samples carry the port as instance.
      const port = Number(s.instance ?? Number.NaN);
      const mapped = Number.isInteger(port) ? inv.mcuPorts.get(port) : undefined;
      if (!mapped) return null;
      site = mapped;
      kind = 'mcu';
    }
    if (kind === 'mcu' && dev?.kind === 'mcu' && s.metric === 'mcu_port_up' && inv.sites.has(s.site))
      kind = 'mcu';
    return { site, kind };
  }

  /** per site: the probe's latest reachable value (media quality is judged only while reachable) */
  private readonly reachable = new Map<string, number>();

  ingest(samples: readonly Sample[]): void {
    for (const s of samples) {
      if (s.metric !== 'reachable' || !this.ctx.inventory.sites.has(s.site)) continue;
      const was = this.reachable.get(s.site);
      this.reachable.set(s.site, s.value);
      // the site went dark: its media windows start afresh when it is back
      if (s.value < 1 && was !== undefined && was >= 1) this.resetWindows(s.site, s.time);
    }
    for (const s of samples) {
      const rules = this.byMetric.get(s.metric);
      if (!rules) continue;
      const where = this.locate({ ...s, instance: s.tags.instance, probe: s.tags.probe });
      if (!where) continue;
      for (const r of rules) {
        if (r.device !== 'any' && r.device !== where.kind) continue;
        // one MCU port per site: the port number is not part of the key
        const instance = r.device === 'mcu' || r.device === 'probe' ? '' : (s.tags.instance ?? '');
        const device = r.device === 'probe' ? `${where.site}:probe` : s.device;
        if (r.window && r.device === 'probe' && (this.reachable.get(where.site) ?? 1) < 1) continue;
        this.observe(r, where.site, device, instance, s.value, s.time);
      }
    }
  }

  private resetWindows(site: string, t: number) {
    for (const c of this.conditions.values()) {
      if (c.site !== site || !c.win) continue;
      if (c.active) this.dirty = true;
      c.win = { index: null, sum: 0, count: 0, levels: [], means: [], level: 0, improvingSince: null };
      c.active = false;
      c.holding = false;
      c.lastTime = t;
    }
  }

  ingestEvent(e: DeviceEvent): void {
    if (e.kind === 'trap') {
      for (const r of this.trapRules.get(e.name) ?? []) {
        const where = this.locate({ site: e.site, device: e.device, metric: r.metric });
        if (!where) continue;
        this.observe(r, where.site, e.device, '', r.traps[e.name]!, e.time, `trap ${e.name}`);
      }
      return;
    }
    if (e.kind === 'unreachable' || e.kind === 'reachable') {
      const value = e.kind === 'reachable' ? 1 : 0;
      const where = this.locate({ site: e.site, device: e.device, metric: 'snmp_up' });
      if (!where) return;
      const metric = where.kind === 'probe' ? 'reachable' : 'snmp_up';
      this.ingest([
        {
          time: e.time,
          site: e.site,
          device: e.device,
          metric,
          value,
          tags: { tier: 'core', district: '', carrier: '' },
        },
      ]);
    }
  }

  private condition(r: Rule, site: string, device: string, instance: string, t: number): Condition {
    const key = `${r.id}|${site}|${device}|${instance}`;
    let c = this.conditions.get(key);
    if (!c) {
      c = {
        key,
        rule: r,
        site,
        device,
        instance,
        active: false,
        holding: false,
        since: t,
        severity: r.severity,
        value: null,
        lastTime: t,
        flapping: false,
        evidence: {},
        onsets: [],
        pendingSince: null,
        clearSince: null,
        fires: [],
      };
      if (r.window)
        c.win = { index: null, sum: 0, count: 0, levels: [], means: [], level: 0, improvingSince: null };
      this.conditions.set(key, c);
    }
    return c;
  }

  private observe(
    r: Rule,
    site: string,
    device: string,
    instance: string,
    v: number,
    t: number,
    via?: string,
  ) {
    const c = this.condition(r, site, device, instance, t);
    c.value = v;
    c.lastTime = Math.max(c.lastTime, t);
    c.evidence[r.metric] = round(v);
    if (via) c.evidence.signal = via;
    if (r.absent !== undefined) {
      // a sample ends absence
      if (c.active || c.holding) this.setClear(c, true, t);
      c.holding = false;
      c.pendingSince = null;
      this.step(c, t);
      return;
    }
    if (r.window) {
      this.windowSample(c, v, t);
      return;
    }
    const trig = this.triggered(r, site, v, t);
    if (!c.active) {
      if (trig && !c.holding) this.onset(c, t);
      if (trig) c.pendingSince ??= t;
      else c.pendingSince = null;
      if (c.holding !== trig) this.dirty = true;
      c.holding = trig;
    } else {
      if (!c.holding && !this.cleared(r, v)) this.onset(c, t);
      this.setClear(c, this.cleared(r, v), t);
      c.holding = !this.cleared(r, v);
    }
    this.step(c, t);
  }

  /** A raw transition into the bad state; enough of them within the flap window make it flapping. */
  private onset(c: Condition, t: number) {
    const f = this.ctx.flap;
    c.onsets = c.onsets.filter((x) => t - x < f.windowMs);
    c.onsets.push(t);
    if (c.onsets.length >= f.count && !c.flapping) {
      c.flapping = true;
      this.dirty = true;
      if (!c.active) {
        // short outages that never lasted `for`: one flapping condition from its first onset
        c.active = true;
        c.since = c.onsets[0]!;
        c.severity = c.rule.severity;
        c.clearSince = null;
      }
    }
  }

  /** When the condition began to hold (its `for` may not have elapsed). */
  onsetOf(c: Condition): number {
    return c.active ? c.since : (c.pendingSince ?? c.since);
  }

  private setClear(c: Condition, ok: boolean, t: number) {
    if (ok) c.clearSince ??= t;
    else c.clearSince = null;
  }

  private threshold(r: Rule, site: string, t: number): number | null {
    if (!r.below_meeting) return null;
    const need = this.ctx.meetingMinutes(site, t);
    return Math.max(r.below_meeting.min, need === null ? 0 : need + r.below_meeting.margin);
  }

  private triggered(r: Rule, site: string, v: number, t: number): boolean {
    if (r.only_in_meeting && !this.ctx.liveMeeting(site, t)) return false;
    if (r.only_near_meeting && this.ctx.meetingMinutes(site, t) === null) return false;
    if (r.above !== undefined) return v > r.above;
    if (r.below !== undefined) return v < r.below;
    if (r.outside) return v < r.outside[0] || v > r.outside[1];
    if (r.below_meeting) return v < this.threshold(r, site, t)!;
    return false;
  }

  private cleared(r: Rule, v: number): boolean {
    if (r.clear_above !== undefined) return v > r.clear_above;
    if (r.clear_below !== undefined) return v < r.clear_below;
    if (r.clear_inside) return v >= r.clear_inside[0] && v <= r.clear_inside[1];
    if (r.above !== undefined) return v <= r.above;
    if (r.below !== undefined) return v >= r.below;
    if (r.outside) return v >= r.outside[0] && v <= r.outside[1];
    return true;
  }

  private levelOf(r: Rule, mean: number): number {
    let level = 0;
    for (const b of r.bands!) {
      const hit = b.above !== undefined ? mean > b.above : mean < b.below!;
      if (hit) level = Math.max(level, SEVERITY_RANK[b.severity]);
    }
    return level;
  }

  private windowSample(c: Condition, v: number, t: number) {
    const w = c.win!;
    const size = c.rule.window!.size;
    const idx = Math.floor(t / size);
    if (w.index !== null && idx !== w.index) this.closeWindow(c, t);
    if (w.index === null || idx > w.index) {
      w.index = idx;
      w.sum = 0;
      w.count = 0;
    }
    w.sum += v;
    w.count++;
  }

  private closeWindow(c: Condition, now: number) {
    const w = c.win!;
    const r = c.rule;
    if (w.index === null || w.count === 0) return;
    const mean = w.sum / w.count;
    w.levels.push(this.levelOf(r, mean));
    w.means.push(round(mean));
    const of = r.window!.of;
    while (w.levels.length > of) {
      w.levels.shift();
      w.means.shift();
    }
    w.index = null;
    w.count = 0;
    w.sum = 0;
    const need = Math.ceil(of / 2);
    const sorted = [...w.levels].sort((a, b) => b - a);
    const majority = w.levels.length >= need ? sorted[need - 1]! : 0;
    c.evidence[`${r.metric}_windows`] = w.means.join(' / ');
    c.evidence.window_s = r.window!.size / 1000;
    const was = c.active;
    const before = w.level;
    if (majority > w.level) {
      if (w.level === 0) c.since = now;
      w.level = majority;
      w.improvingSince = null;
    } else if (majority < w.level) {
      w.improvingSince ??= now;
      if (now - w.improvingSince >= this.clearFor(c, r.window!.recover)) {
        w.level = majority;
        w.improvingSince = null;
      }
    } else w.improvingSince = null;
    c.holding = majority > 0;
    c.active = w.level > 0;
    if (c.active) c.severity = RANK_SEVERITY[w.level]!;
    if (c.active && !was) this.recordFire(c, now);
    if (before !== w.level || was !== c.active) this.dirty = true;
  }

  private clearFor(c: Condition, base: number): number {
    return c.flapping ? Math.max(base, this.ctx.flap.holdMs) : base;
  }

  private recordFire(c: Condition, t: number) {
    const f = this.ctx.flap;
    c.fires = c.fires.filter((x) => t - x < f.windowMs);
    c.fires.push(t);
    if (c.fires.length >= f.count) {
      if (!c.flapping) this.dirty = true;
      c.flapping = true;
    }
  }

  private step(c: Condition, now: number) {
    const r = c.rule;
    if (!c.active && c.pendingSince !== null && now - c.pendingSince >= r.for) {
      c.active = true;
      c.since = c.pendingSince;
      c.severity = r.severity;
      c.clearSince = null;
      this.recordFire(c, now);
      this.dirty = true;
    } else if (c.active && c.clearSince !== null && now - c.clearSince >= this.clearFor(c, r.clear_for)) {
      c.active = false;
      c.holding = false;
      c.pendingSince = null;
      c.clearSince = null;
      this.dirty = true;
    }
    if (
      c.flapping &&
      !c.active &&
      c.fires.every((x) => now - x >= this.ctx.flap.windowMs) &&
      c.onsets.every((x) => now - x >= this.ctx.flap.windowMs)
    ) {
      c.flapping = false;
      this.dirty = true;
    }
  }

  /** Advances time: `for` durations, window closes, absence, meeting-dependent thresholds. */
  tick(now: number): void {
    for (const c of this.conditions.values()) {
      const r = c.rule;
      if (r.absent !== undefined) {
        if (!c.active && now - c.lastTime >= r.absent) {
          c.active = true;
          c.holding = true;
          c.since = c.lastTime + r.absent;
          c.severity = r.severity;
          c.evidence.last_sample_s_ago = Math.round((now - c.lastTime) / 1000);
          this.recordFire(c, now);
          this.dirty = true;
        }
        this.step(c, now);
        continue;
      }
      if (r.window) {
        const w = c.win!;
        if (w.index !== null && now >= (w.index + 1) * r.window.size + r.window.size / 2)
          this.closeWindow(c, now);
        else if (
          w.level > 0 &&
          w.improvingSince !== null &&
          now - w.improvingSince >= this.clearFor(c, r.window.recover)
        ) {
          // an improvement that has held long enough, even without a new window
          const sorted = [...w.levels].sort((a, b) => b - a);
          w.level =
            w.levels.length >= Math.ceil(r.window.of / 2) ? sorted[Math.ceil(r.window.of / 2) - 1]! : 0;
          w.improvingSince = null;
          c.active = w.level > 0;
          if (c.active) c.severity = RANK_SEVERITY[w.level]!;
          this.dirty = true;
        }
        continue;
      }
      // conditions that depend on time (meetings) are re-judged with the last value
      if ((r.only_in_meeting || r.only_near_meeting || r.below_meeting) && c.value !== null) {
        const trig = this.triggered(r, c.site, c.value, now);
        if (!c.active) {
          if (trig) c.pendingSince ??= now;
          else c.pendingSince = null;
          c.holding = trig;
        } else if (!trig && (r.only_in_meeting || r.only_near_meeting)) {
          this.setClear(c, true, now);
          c.holding = false;
        } else if (r.below_meeting) this.setClear(c, !trig, now);
      }
      this.step(c, now);
    }
  }

  /** The threshold a below_meeting rule used at `at` (for evidence). */
  thresholdFor(r: Rule, site: string, at: number): number | null {
    return this.threshold(r, site, at);
  }
}

export function round(v: number): number {
  return Math.round(v * 100) / 100;
}
