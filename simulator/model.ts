// The simulated state of one site: its link quality, its power (mains, UPS battery), its meeting
// membership and the faults that touch it. Device MIBs and the reflector read from here.
import type { DisconnectCause } from '../core/vocabulary.ts';
import type { Site } from '../inventory/schema.ts';
import { hashId, pick, wobble } from './rand.ts';

export interface LinkQuality {
  /** packet loss, percent */
  lossPct: number;
  /** jitter, ms */
  jitterMs: number;
  /** round-trip time NOC ↔ site, ms */
  rttMs: number;
}

export interface Impairment {
  loss: number;
  delay: number;
  jitter: number;
}

/** RFC 1628 well-known alarms used here (suffix under upsWellKnownAlarms 1.3.6.1.2.1.33.1.6.3). */
export const ALARM = { onBattery: 2, lowBattery: 3, depletedBattery: 4, inputBad: 6 } as const;

export interface UpsAlarm {
  id: number;
  descr: number;
  /** sysUpTime ticks when raised */
  time: number;
}

export type PowerEvent =
  | { kind: 'on_battery' }
  | { kind: 'on_battery_repeat' }
  | { kind: 'low_battery'; alarm: UpsAlarm }
  | { kind: 'alarm_added'; alarm: UpsAlarm }
  | { kind: 'alarm_removed'; alarm: UpsAlarm }
  | { kind: 'power_restored' }
  | { kind: 'depleted' }
  | { kind: 'cold_start' };

export const LOW_BATT_MIN = 5;
const RECHARGE_HOURS = 4;

export class SiteSim {
  readonly seed: number;
  readonly baseRtt: number;
  readonly baseJitter: number;
  readonly callRateKbps: number;

  // faults, recomputed whenever the fault list changes
  linkDown = false;
  districtOut = false;
  hung = false;
  portDown = false;
  /** the MCU shows the port down although the codec is still in its call */
  portFault = false;
  /** a participant_drop fault: the MCU ended the call with this cause and keeps the site out */
  dropCause: DisconnectCause | null = null;
  impair: Impairment = { loss: 0, delay: 0, jitter: 0 };
  inMeeting = false;
  /** is the codec in a call with the MCU right now (derived, updated by refresh) */
  inCall = false;

  // power
  mains = true;
  readonly runtimeFullSec: number;
  runtimeSec: number;
  /** simulated seconds on battery (battery clock) */
  batterySec = 0;
  lastTrapBatterySec = 0;
  lastTrapAt = 0;
  /** site devices powered off (battery depleted) */
  off = false;
  /** ms epoch of the devices' last boot */
  bootedAt: number;
  boots = 1;
  alarms: UpsAlarm[] = [];
  private nextAlarmId = 1;
  inputLineBads = 0;
  lastTransferCause = 1;

  // calls with the MCU, newest last (Cisco CTS keeps a call history table)
  calls: { index: number; start: number; end: number | null }[] = [];
  /** the MCU's record of this site's ended calls, newest last (its history / CDR log reads them) */
  ended: { index: number; start: number; end: number; cause: DisconnectCause }[] = [];
  callCount: number;

  constructor(
    readonly site: Site,
    seed: number,
    now: number,
  ) {
    this.seed = hashId(site.id, seed);
    const tier = site.tier;
    const [lo, hi] = tier === 'province' ? [2, 5] : tier === 'district' ? [8, 16] : [18, 45];
    this.baseRtt = pick(this.seed, 'rtt', lo, hi);
    this.baseJitter = pick(this.seed, 'jitter', 0.4, tier === 'commune' ? 3 : 1.5);
    this.callRateKbps = tier === 'province' ? 4096 : tier === 'district' ? 2048 : 1024;
    this.runtimeFullSec = 60 * Math.round(pick(this.seed, 'runtime', tier === 'commune' ? 20 : 40, 90));
    this.runtimeSec = this.runtimeFullSec;
    // devices have been up for a while when the simulator starts (1 to 60 days)
    this.bootedAt = now - Math.round(pick(this.seed, 'uptime', 86_400, 60 * 86_400)) * 1000;
    this.callCount = Math.round(pick(this.seed, 'calls', 40, 400));
  }

  /** Marks the start or end of a call with the MCU; returns true when the state changed. */
  setInCall(inCall: boolean, now: number, cause: DisconnectCause = 'unknown'): boolean {
    if (inCall === this.inCall) return false;
    this.inCall = inCall;
    if (inCall) {
      this.callCount++;
      this.calls.push({ index: this.callCount, start: now, end: null });
      if (this.calls.length > 5) this.calls.shift();
    } else {
      const c = this.calls.at(-1);
      if (c && c.end === null) {
        c.end = now;
        this.ended.push({ index: c.index, start: c.start, end: now, cause });
        if (this.ended.length > 50) this.ended.shift();
      }
    }
    return true;
  }

  /** Why the site is not in the call now (when it should be or was): the MCU's disconnect cause. */
  outCause(): DisconnectCause {
    if (this.dropCause) return this.dropCause;
    if (!this.inMeeting) return 'hangup';
    if (this.portDown) return 'operator';
    return 'network';
  }

  currentCall(): { index: number; start: number } | null {
    const c = this.calls.at(-1);
    return this.inCall && c && c.end === null ? c : null;
  }

  get id(): string {
    return this.site.id;
  }

  /** Can the NOC reach the site's devices and reflector? */
  reachable(): boolean {
    return !this.off && !this.linkDown && !this.districtOut;
  }

  /** Link quality at time t (seconds since simulator start), faults included. */
  quality(t: number): LinkQuality {
    const w = wobble(this.seed, t);
    const baseLoss = this.site.tier === 'commune' ? Math.max(0, 0.05 + 0.1 * w) : 0;
    return {
      lossPct: Math.min(100, baseLoss + this.impair.loss),
      jitterMs: Math.max(0.1, this.baseJitter * (1 + 0.4 * w) + this.impair.jitter),
      rttMs: Math.max(0.5, this.baseRtt * (1 + 0.15 * w) + this.impair.delay),
    };
  }

  chargePct(): number {
    return Math.max(0, Math.min(100, (100 * this.runtimeSec) / this.runtimeFullSec));
  }

  uptimeTicks(now: number): number {
    return Math.floor((now - this.bootedAt) / 10) % 4294967296;
  }

  private addAlarm(descr: number, now: number): UpsAlarm {
    const a = { id: this.nextAlarmId++, descr, time: this.uptimeTicks(now) };
    this.alarms.push(a);
    return a;
  }

  /** Power fails at the site (a power_cut fault starts). */
  cut(now: number, runtimeMin: number | undefined, events: PowerEvent[]): void {
    if (!this.mains) return;
    this.mains = false;
    this.batterySec = 0;
    this.lastTrapBatterySec = 0;
    this.lastTrapAt = now;
    this.inputLineBads++;
    this.lastTransferCause = 4; // blackout
    if (runtimeMin !== undefined) this.runtimeSec = Math.min(this.runtimeFullSec, runtimeMin * 60);
    if (this.off) return;
    this.addAlarm(ALARM.onBattery, now);
    events.push({ kind: 'on_battery' });
    events.push({ kind: 'alarm_added', alarm: this.addAlarm(ALARM.inputBad, now) });
    if (this.runtimeSec <= LOW_BATT_MIN * 60)
      events.push({ kind: 'low_battery', alarm: this.addAlarm(ALARM.lowBattery, now) });
  }

  /** Power returns (the power_cut fault is cleared). */
  restore(now: number, events: PowerEvent[]): void {
    if (this.mains) return;
    this.mains = true;
    this.batterySec = 0;
    if (this.off) {
      // the UPS and everything behind it boot again with an empty alarm table
      this.off = false;
      this.bootedAt = now;
      this.boots++;
      this.alarms = [];
      events.push({ kind: 'cold_start' });
      return;
    }
    for (const a of this.alarms) events.push({ kind: 'alarm_removed', alarm: a });
    this.alarms = [];
    events.push({ kind: 'power_restored' });
  }

  /**
   * Advances the battery by `dtReal` ms of real time at `scale` battery-seconds per second.
   * Returns true when the alarm table changed (the MIB view must be rebuilt).
   */
  advancePower(now: number, dtReal: number, scale: number, events: PowerEvent[]): boolean {
    const dt = (dtReal / 1000) * scale;
    if (this.mains) {
      if (this.runtimeSec < this.runtimeFullSec)
        this.runtimeSec = Math.min(
          this.runtimeFullSec,
          this.runtimeSec + (dt * this.runtimeFullSec) / (RECHARGE_HOURS * 3600),
        );
      return false;
    }
    if (this.off) return false;
    this.batterySec += dt;
    const before = this.runtimeSec;
    this.runtimeSec = Math.max(0, this.runtimeSec - dt);
    let changed = false;
    if (before > LOW_BATT_MIN * 60 && this.runtimeSec <= LOW_BATT_MIN * 60) {
      events.push({ kind: 'low_battery', alarm: this.addAlarm(ALARM.lowBattery, now) });
      changed = true;
    }
    if (this.runtimeSec <= 0) {
      this.off = true;
      this.alarms = [];
      events.push({ kind: 'depleted' });
      return true;
    }
    // upsTrapOnBattery is resent every minute on battery (battery clock), at most every 5 s of real time
    if (this.batterySec - this.lastTrapBatterySec >= 60 && now - this.lastTrapAt >= 5000) {
      this.lastTrapBatterySec = this.batterySec;
      this.lastTrapAt = now;
      events.push({ kind: 'on_battery_repeat' });
    }
    return changed;
  }

  batteryStatus(): number {
    if (this.off) return 4; // depleted
    if (!this.mains && this.runtimeSec <= LOW_BATT_MIN * 60) return 3; // low
    return 2; // normal
  }
}
