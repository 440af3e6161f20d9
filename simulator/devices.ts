// Simulated devices: what each profile answers over SNMP (docs/simulator.md lists every object).
// Values are computed when read, from the site's state and seeded noise over time.
import { createHash } from 'node:crypto';
import type { DeviceRef } from '../inventory/load.ts';
import type { AgentSecurity, AgentTarget, Engine } from './agent.ts';
import { MibView } from './agent.ts';
import { Tag, type Value } from './ber.ts';
import { LOW_BATT_MIN, type SiteSim } from './model.ts';
import { hashId, pick, wobble } from './rand.ts';

/** What every device can see of the whole simulation. */
export interface SimContext {
  /** ms epoch the simulator started (noise time zero) */
  start: number;
  /** bumped whenever table rows change somewhere (meetings, faults, alarms) */
  gen: number;
  sites: Map<string, SiteSim>;
  /** MCU port → site id */
  mcuPorts: Map<number, string>;
  mcuName: string;
  meetingActive: () => boolean;
  /** connects/disconnects seen by the MCU, for the last-minute call counters */
  callEvents: { time: number; ok: boolean; ended: boolean }[];
}

type Entry = [string, () => Value];

const I = (v: number): Value => ({ t: Tag.Integer, v: Math.round(v) });
const G = (v: number): Value => ({ t: Tag.Gauge32, v: Math.max(0, Math.round(v)) });
const C32 = (v: number): Value => ({ t: Tag.Counter32, v: Math.floor(v) % 4294967296 });
const C64 = (v: number): Value => ({ t: Tag.Counter64, v: BigInt(Math.floor(v)) });
const TT = (v: number): Value => ({ t: Tag.TimeTicks, v: Math.max(0, Math.floor(v)) % 4294967296 });
const S = (v: string): Value => ({ t: Tag.OctetString, v });
const O = (v: string): Value => ({ t: Tag.Oid, v });

const SYS = '1.3.6.1.2.1.1';
const IF = '1.3.6.1.2.1.2';
const IFX = '1.3.6.1.2.1.31.1.1.1';
export const UPS = '1.3.6.1.2.1.33.1';
export const APC = '1.3.6.1.4.1.318.1.1.1';
const PE = '1.3.6.1.4.1.13885.101.1';
const HDX = '1.3.6.1.4.1.2684.1.1';
const CTS = '1.3.6.1.4.1.9.9.644.1';
const MCU = '1.3.6.1.4.1.13885.110.1';
/** diemcau's own per-port MCU table, under the documentation enterprise 32473 (RFC 5612) */
export const PORT_TABLE = '1.3.6.1.4.1.32473.1.1.1';

interface ProfileInfo {
  descr: string;
  objectId: string;
  /** identity: manufacturer, model, firmware/software version, hardware revision, serial prefix */
  mfg: string;
  model: string;
  version: string;
  hw: string;
  serial: string;
}

const PROFILES: Record<string, ProfileInfo> = {
  'polycom-group': {
    descr: 'Polycom RealPresence Group 500, software 6.2.2.6-600028',
    objectId: '1.3.6.1.4.1.13885.101',
    mfg: 'Polycom',
    model: 'RealPresence Group 500',
    version: '6.2.2.6-600028',
    hw: '9',
    serial: '8215',
  },
  'polycom-hdx': {
    descr: 'Polycom HDX 7000 HD, release 3.1.14-54030',
    objectId: '1.3.6.1.4.1.2684.1.1',
    mfg: 'Polycom',
    model: 'HDX 7000 HD',
    version: '3.1.14-54030',
    hw: 'C',
    serial: '8211',
  },
  'cisco-cts': {
    descr: 'Cisco TelePresence System CTS 3010, software 1.10.21',
    objectId: '1.3.6.1.4.1.9.9.644',
    mfg: 'Cisco Systems, Inc.',
    model: 'CTS-3010',
    version: '1.10.21',
    hw: '1.0',
    serial: 'FTX',
  },
  'generic-codec': {
    descr: 'Video conference codec (Linux 4.14)',
    objectId: '1.3.6.1.4.1.8072.3.2.10',
    mfg: 'Generic',
    model: 'VC-100',
    version: '4.14.2',
    hw: 'A',
    serial: 'VC',
  },
  'ups-mib': {
    descr: 'Eaton 9SX 3000i, Network-M2 card, firmware 2.1.6',
    objectId: '1.3.6.1.2.1.33',
    mfg: 'EATON',
    model: '9SX 3000i',
    version: '02.14.0023',
    hw: '2',
    serial: 'G1',
  },
  'apc-powernet': {
    descr: 'APC Web/SNMP Management Card (MB:v4.2.1 PF:v7.0.4 AOS; Smart-UPS SRT 3000)',
    objectId: '1.3.6.1.4.1.318.1.3.27',
    mfg: 'APC',
    model: 'Smart-UPS SRT 3000',
    version: 'UPS 16.5 (ID1003)',
    hw: '3',
    serial: 'AS',
  },
  'if-mib-router': {
    descr: 'Cisco IOS XE Software, ISR4321 Software (X86_64_LINUX_IOSD-UNIVERSALK9-M), Version 16.9.5',
    objectId: '1.3.6.1.4.1.9.1.1707',
    mfg: 'Cisco Systems, Inc.',
    model: 'ISR4321/K9',
    version: '16.9.5',
    hw: 'V04',
    serial: 'FDO',
  },
  'polycom-mcu': {
    descr: 'Polycom RealPresence Collaboration Server 2000 (RMX), version 8.7.5',
    objectId: '1.3.6.1.4.1.13885.110',
    mfg: 'Polycom',
    model: 'RealPresence Collaboration Server 2000',
    version: '8.7.5.62',
    hw: '2',
    serial: 'RMX',
  },
};

/** What a simulated device of `profile` reports as its identity (the serial adds digits per device). */
export function simulatedIdentity(
  profile: string,
): Pick<ProfileInfo, 'mfg' | 'model' | 'version' | 'serial'> | undefined {
  const p = PROFILES[profile];
  return p && { mfg: p.mfg, model: p.model, version: p.version, serial: p.serial };
}

/** One network interface with counters that integrate its traffic rate over time. */
class Iface {
  inOct: number;
  outOct: number;
  inPkts: number;
  outPkts: number;
  inErr = 0;
  inDisc = 0;
  outErr = 0;
  private last: number;

  constructor(
    readonly index: number,
    readonly name: string,
    readonly descr: string,
    readonly alias: string,
    readonly speedBps: number,
    readonly adminUp: boolean,
    /** bit/s in, bit/s out, input errors per second at a moment */
    readonly rate: (now: number) => [number, number, number],
    seed: number,
    now: number,
  ) {
    // start close below a 32-bit wrap so the Counter32 columns wrap within minutes
    const [inBps, outBps] = adminUp ? rate(now) : [0, 0];
    const k = 1 + Math.floor(pick(seed, `k${index}`, 0, 50));
    this.inOct = k * 4294967296 - (inBps / 8) * pick(seed, `wi${index}`, 30, 150);
    this.outOct = k * 4294967296 - (outBps / 8) * pick(seed, `wo${index}`, 30, 150);
    this.inPkts = this.inOct / 900;
    this.outPkts = this.outOct / 900;
    this.last = now;
  }

  reset(now: number): void {
    this.inOct = this.outOct = this.inPkts = this.outPkts = 0;
    this.inErr = this.inDisc = this.outErr = 0;
    this.last = now;
  }

  sync(now: number): this {
    const dt = (now - this.last) / 1000;
    if (dt <= 0) return this;
    this.last = now;
    if (!this.adminUp) return this;
    const [inBps, outBps, errs] = this.rate(now);
    this.inOct += (inBps / 8) * dt;
    this.outOct += (outBps / 8) * dt;
    this.inPkts += (inBps / 8 / 900) * dt;
    this.outPkts += (outBps / 8 / 900) * dt;
    this.inErr += errs * dt;
    this.inDisc += errs * 0.3 * dt;
    return this;
  }
}

export class DeviceSim implements AgentTarget {
  readonly seed: number;
  readonly engine: Engine;
  readonly ifaces: Iface[];
  private cached: MibView | null = null;
  private cachedGen = -1;
  private cachedBoots = -1;
  /** MCU only: its own boot time */
  private readonly ownBootedAt: number;

  constructor(
    readonly ref: DeviceRef,
    readonly site: SiteSim | null,
    readonly security: AgentSecurity,
    readonly ctx: SimContext,
    seed: number,
    now: number,
  ) {
    this.seed = hashId(ref.id, seed);
    this.ownBootedAt = now - Math.round(pick(this.seed, 'uptime', 5 * 86_400, 120 * 86_400)) * 1000;
    // engine ID: enterprise 32473 (RFC 5612), format 5 (octets), 12 bytes from the device id
    const id = Buffer.concat([
      Buffer.from([0x80, 0x00, 0x7e, 0xd9, 0x05]),
      createHash('sha1').update(ref.id).digest().subarray(0, 12),
    ]);
    this.engine = { id, boots: site?.boots ?? 1, bootedAt: site?.bootedAt ?? this.ownBootedAt };
    this.ifaces = this.makeIfaces(now);
  }

  get profile(): string {
    return this.ref.profile;
  }

  private t(now: number): number {
    return (now - this.ctx.start) / 1000;
  }

  uptimeTicks(now: number): number {
    return Math.floor((now - (this.site?.bootedAt ?? this.ownBootedAt)) / 10);
  }

  private makeIfaces(now: number): Iface[] {
    const s = this.site;
    const noise = (k: string) => (n: number) => 1 + 0.15 * wobble(hashId(k, this.seed), this.t(n));
    const callBps = (n: number) =>
      s?.inCall ? s.callRateKbps * 1000 * (0.92 + 0.06 * wobble(this.seed, this.t(n))) : 0;
    switch (this.ref.kind) {
      case 'codec': {
        const idle = pick(this.seed, 'idle', 4_000, 12_000);
        const nz = noise('lan');
        return [
          new Iface(
            1,
            'eth0',
            'LAN',
            'codec LAN',
            1e9,
            true,
            (n) => [callBps(n) + idle * nz(n), callBps(n) + idle * nz(n), 0],
            this.seed,
            now,
          ),
        ];
      }
      case 'router': {
        const site = s!.site;
        const bw = site.link.bandwidth_mbps * 1e6;
        const base = pick(this.seed, 'base', 30_000, 250_000);
        const nzi = noise('wi');
        const nzo = noise('wo');
        const wan = (n: number): [number, number, number] => {
          const q = s!.quality(this.t(n));
          const inB = Math.min(bw, callBps(n) + base * nzi(n));
          const outB = Math.min(bw, callBps(n) + base * 0.6 * nzo(n));
          return [inB, outB, (inB / 8 / 900) * (q.lossPct / 100) * 0.2];
        };
        return [
          new Iface(
            1,
            'Gi0/0/0',
            'GigabitEthernet0/0/0',
            `WAN ${site.link.carrier.toUpperCase()} ${site.link.circuit}`,
            bw,
            true,
            wan,
            this.seed,
            now,
          ),
          new Iface(
            2,
            'Gi0/0/1',
            'GigabitEthernet0/0/1',
            'LAN hoi truong',
            1e9,
            true,
            (n) => {
              const [a, b] = wan(n);
              return [b, a, 0];
            },
            this.seed,
            now,
          ),
          new Iface(3, 'Gi0/0/2', 'GigabitEthernet0/0/2', '', 1e9, false, () => [0, 0, 0], this.seed, now),
        ];
      }
      case 'ups': {
        const nz = noise('ups');
        return [
          new Iface(
            1,
            'eth0',
            'Network Management Card',
            '',
            1e8,
            true,
            (n) => [1500 * nz(n), 2500 * nz(n), 0],
            this.seed,
            now,
          ),
        ];
      }
      case 'mcu': {
        const total = (n: number) => {
          let sum = 0;
          for (const site of this.ctx.sites.values())
            if (site.inCall) sum += site.callRateKbps * 1000 * (0.92 + 0.06 * wobble(site.seed, this.t(n)));
          return sum;
        };
        const nz = noise('mgmt');
        return [
          new Iface(
            1,
            'media',
            'Media LAN',
            'media',
            1e10,
            true,
            (n) => [total(n), total(n), 0],
            this.seed,
            now,
          ),
          new Iface(
            2,
            'mgmt',
            'Management LAN',
            'mgmt',
            1e9,
            true,
            (n) => [20_000 * nz(n), 30_000 * nz(n), 0],
            this.seed,
            now,
          ),
        ];
      }
    }
  }

  view(now: number): MibView {
    const boots = this.site?.boots ?? 1;
    if (this.site && boots !== this.cachedBoots) {
      // the site lost power and came back: the device rebooted
      this.engine.boots = boots;
      this.engine.bootedAt = this.site.bootedAt;
      if (this.cachedBoots !== -1) for (const f of this.ifaces) f.reset(now);
      this.cachedBoots = boots;
      this.cached = null;
    }
    if (!this.cached || this.cachedGen !== this.ctx.gen) {
      this.cached = new MibView(this.entries());
      this.cachedGen = this.ctx.gen;
    }
    this.now = now;
    return this.cached;
  }

  /** the time of the request being answered; getters read it */
  now = Date.now();

  private entries(): Entry[] {
    const out: Entry[] = [];
    this.system(out);
    this.identity(out);
    this.ifMib(out);
    switch (this.ref.profile) {
      case 'polycom-group':
        this.polycomGroup(out);
        break;
      case 'polycom-hdx':
        this.hdx(out);
        break;
      case 'cisco-cts':
        this.cts(out);
        break;
      case 'ups-mib':
        this.upsMib(out);
        break;
      case 'apc-powernet':
        this.apc(out);
        break;
      case 'polycom-mcu':
        this.mcu(out);
        break;
      default:
        break;
    }
    return out;
  }

  private system(out: Entry[]): void {
    const info = this.info();
    const site = this.site?.site;
    out.push(
      [`${SYS}.1.0`, () => S(info.descr)],
      [`${SYS}.2.0`, () => O(info.objectId)],
      [`${SYS}.3.0`, () => TT(this.uptimeTicks(this.now))],
      [`${SYS}.4.0`, () => S(site ? `kt-${site.id}` : 'viettel-mcu')],
      [`${SYS}.5.0`, () => S(this.ref.id)],
      [`${SYS}.6.0`, () => S(site ? site.name : this.ctx.mcuName)],
      [`${SYS}.7.0`, () => I(this.ref.kind === 'router' ? 6 : 72)],
    );
  }

  private info(): ProfileInfo {
    return (
      PROFILES[this.ref.profile] ?? {
        descr: `diemcau simulated ${this.ref.kind}`,
        objectId: '1.3.6.1.4.1.32473.2',
        mfg: 'diemcau',
        model: `simulated ${this.ref.kind}`,
        version: '1.0',
        hw: '1',
        serial: 'DC',
      }
    );
  }

  /** the unit's serial number: the profile's prefix and digits from the device id */
  serial(): string {
    return `${this.info().serial}${String(this.seed % 100_000_000).padStart(8, '0')}`;
  }

  /**
   * Identity objects (collector/profiles `identity:`). Profiles with their own (upsIdent, APC
   * upsBasicIdent/upsAdvIdent, POLYCOM-ENDPOINT-MIB identity) serve them with their other objects;
   * the others answer ENTITY-MIB's entPhysicalTable: a container row, then the chassis row (class 3).
   */
  private identity(out: Entry[]): void {
    const info = this.info();
    const serial = this.serial();
    switch (this.ref.profile) {
      case 'ups-mib':
      case 'apc-powernet':
      case 'polycom-group':
        return;
      default: {
        const E = '1.3.6.1.2.1.47.1.1.1.1';
        const rows: [number, number, string, string][] = [
          [1, 5, 'Slot 0', ''],
          [2, 3, info.model, serial],
        ];
        for (const [x, cls, name, sn] of rows)
          out.push(
            [`${E}.2.${x}`, () => S(cls === 3 ? `${info.mfg} ${info.model}` : name)],
            [`${E}.5.${x}`, () => I(cls)],
            [`${E}.7.${x}`, () => S(cls === 3 ? 'Chassis' : name)],
            [`${E}.8.${x}`, () => S(cls === 3 ? info.hw : '')],
            [`${E}.9.${x}`, () => S(cls === 3 ? info.version : '')],
            [`${E}.10.${x}`, () => S(cls === 3 ? info.version : '')],
            [`${E}.11.${x}`, () => S(sn)],
            [`${E}.12.${x}`, () => S(cls === 3 ? info.mfg : '')],
            [`${E}.13.${x}`, () => S(cls === 3 ? info.model : '')],
          );
      }
    }
  }

  private ifMib(out: Entry[]): void {
    out.push([`${IF}.1.0`, () => I(this.ifaces.length)]);
    for (const f of this.ifaces) {
      const x = f.index;
      const up = () => (f.adminUp ? 1 : 2);
      const mac = Buffer.from([0x00, 0x1b, 0x21, (this.seed >>> 16) & 0xff, (this.seed >>> 8) & 0xff, x]);
      const cur = () => f.sync(this.now);
      out.push(
        [`${IF}.2.1.1.${x}`, () => I(x)],
        [`${IF}.2.1.2.${x}`, () => S(f.descr)],
        [`${IF}.2.1.3.${x}`, () => I(6)],
        [`${IF}.2.1.4.${x}`, () => I(1500)],
        [`${IF}.2.1.5.${x}`, () => G(Math.min(4294967295, f.speedBps))],
        [`${IF}.2.1.6.${x}`, () => ({ t: Tag.OctetString, v: mac })],
        [`${IF}.2.1.7.${x}`, () => I(up())],
        [`${IF}.2.1.8.${x}`, () => I(up())],
        [`${IF}.2.1.9.${x}`, () => TT(0)],
        [`${IF}.2.1.10.${x}`, () => C32(cur().inOct)],
        [`${IF}.2.1.11.${x}`, () => C32(cur().inPkts)],
        [`${IF}.2.1.13.${x}`, () => C32(cur().inDisc)],
        [`${IF}.2.1.14.${x}`, () => C32(cur().inErr)],
        [`${IF}.2.1.16.${x}`, () => C32(cur().outOct)],
        [`${IF}.2.1.17.${x}`, () => C32(cur().outPkts)],
        [`${IF}.2.1.19.${x}`, () => C32(0)],
        [`${IF}.2.1.20.${x}`, () => C32(cur().outErr)],
        [`${IFX}.1.${x}`, () => S(f.name)],
        [`${IFX}.6.${x}`, () => C64(cur().inOct)],
        [`${IFX}.7.${x}`, () => C64(cur().inPkts)],
        [`${IFX}.10.${x}`, () => C64(cur().outOct)],
        [`${IFX}.11.${x}`, () => C64(cur().outPkts)],
        [`${IFX}.15.${x}`, () => G(f.speedBps / 1e6)],
        [`${IFX}.18.${x}`, () => S(f.alias)],
      );
    }
  }

  /** call statistics of the site's codec at the request time: [rx, tx] pairs */
  private stats() {
    const s = this.site!;
    const t = this.t(this.now);
    const q = s.quality(t);
    const w = (k: number) => wobble(this.seed + k, t);
    const call = s.currentCall();
    const dur = call ? (this.now - call.start) / 1000 : 0;
    const pps = (s.callRateKbps * 1000) / 8 / 1100;
    return {
      q,
      jitter: [q.jitterMs * (1 + 0.2 * w(1)), q.jitterMs * (1 + 0.2 * w(2))] as const,
      latency: [q.rttMs / 2 + 0.5 * w(3), q.rttMs / 2 + 0.5 * w(4)] as const,
      loss: [q.lossPct * (1 + 0.3 * w(5)), q.lossPct * (1 + 0.3 * w(6))].map((v) => Math.max(0, v)),
      lost: [(pps * dur * q.lossPct) / 100, (pps * dur * q.lossPct * 0.9) / 100] as const,
      rate: [s.callRateKbps - 64, s.callRateKbps - 64] as const,
      used: [
        (s.callRateKbps - 64) * (0.9 + 0.05 * w(7)),
        (s.callRateKbps - 64) * (0.9 + 0.05 * w(8)),
      ] as const,
      dur,
      call,
    };
  }

  private polycomGroup(out: Entry[]): void {
    const ok = () => I(2);
    out.push(
      [`${PE}.1.1.0`, () => S(this.info().version)],
      [`${PE}.1.3.0`, () => S('Group Series')],
      [`${PE}.1.4.0`, () => S(this.info().model)],
      [`${PE}.1.5.0`, () => S(this.serial())],
      [`${PE}.1.6.0`, ok],
      [`${PE}.2.7.1.0`, ok],
      [`${PE}.2.7.2.0`, ok],
      [`${PE}.2.7.3.1.2.1`, ok],
      [`${PE}.2.8.1.0`, () => I(1)],
      [`${PE}.3.1.0`, ok],
      [`${PE}.3.5.1.0`, ok],
      [`${PE}.3.6.1.0`, ok],
      [`${PE}.3.10.1.0`, ok],
      [`${PE}.3.12.1.0`, ok],
      [`${PE}.5.1.0`, () => I(this.site!.inCall ? 1 : 0)],
    );
    const call = this.site!.currentCall();
    if (!call) return;
    const c = (col: number, get: () => Value) => out.push([`${PE}.4.1.1.${col}.${call.index}`, get]);
    const pair = (col: number, f: (st: ReturnType<DeviceSim['stats']>, i: 0 | 1) => Value) => {
      c(col, () => f(this.stats(), 0));
      c(col + 1, () => f(this.stats(), 1));
    };
    const port = this.site!.site.mcu_port ?? 0;
    c(2, () => S(`${call.index}`));
    c(3, () => S(`${port}`));
    pair(4, (s, i) => G(s.jitter[i]));
    pair(6, (s, i) => G(s.latency[i]));
    pair(8, (s, i) => G(s.loss[i]!));
    pair(10, () => S('G.722.1C'));
    pair(12, (s, i) => G(s.jitter[i] * 2.5));
    pair(14, (s, i) => G(s.lost[i]));
    pair(16, (s, i) => G(s.loss[i]!));
    pair(18, (s, i) => G(s.latency[i]));
    pair(20, (s, i) => G(s.jitter[i]));
    pair(22, () => S(''));
    pair(24, () => S(''));
    pair(26, () => G(0));
    pair(28, () => G(0));
    pair(30, () => G(0));
    pair(32, () => S(''));
    pair(34, () => G(0));
    pair(36, () => G(0));
    pair(38, () => S(''));
    pair(40, () => G(0));
    pair(42, () => S(this.site!.site.tier === 'commune' ? '720p' : '1080p'));
    pair(44, () => S('30'));
    pair(46, (s, i) => G(s.jitter[i] * 1.2));
    pair(48, (s, i) => G(s.latency[i] + 2));
    pair(50, (s, i) => G(s.loss[i]!));
    pair(52, () => S('H.264 High Profile'));
    pair(54, (s, i) => G(s.rate[i]));
    pair(56, (s, i) => G(s.used[i]));
    c(58, () => S(this.ctx.mcuName));
    c(59, () => S('Polycom RMX 2000'));
    c(60, () => S('videoCall'));
    c(61, () => S('AES'));
    c(62, () => S('routine'));
    c(63, () => I(2));
  }

  private hdx(out: Entry[]): void {
    const port = this.site!.site.mcu_port ?? 0;
    const inCall = () => this.site!.inCall;
    const fmt = (v: number) => (Math.round(v * 10) / 10).toString();
    out.push(
      [`${HDX}.2.0`, () => S(inCall() ? `8${String(port).padStart(3, '0')}` : '')],
      [`${HDX}.3.0`, () => S('')],
      [`${HDX}.10.0`, () => S('10.6.0.10')],
      [`${HDX}.12.0`, () => S(this.ref.address.host)],
      [`${HDX}.21.0`, () => S(inCall() ? fmt(this.stats().loss[0]!) : '0')],
      [`${HDX}.22.0`, () => S(inCall() ? fmt(this.stats().jitter[0]) : '0')],
      [`${HDX}.23.0`, () => S(inCall() ? fmt(this.stats().latency[0]) : '0')],
    );
  }

  private cts(out: Entry[]): void {
    const s = this.site!;
    out.push(
      [`${CTS}.2.6.1.4.1`, () => I(5)],
      [`${CTS}.4.1.0`, () => G(s.callCount)],
      [`${CTS}.4.5.0`, () => G(30)],
    );
    for (const call of s.calls) {
      const x = call.index;
      const live = () => call.end === null;
      const dur = () => ((call.end ?? this.now) - call.start) / 1000;
      const rate = s.callRateKbps;
      out.push(
        [`${CTS}.4.8.1.2.${x}`, () => S(`8${String(s.site.mcu_port ?? 0).padStart(3, '0')}`)],
        [`${CTS}.4.8.1.7.${x}`, () => G(dur())],
        [`${CTS}.4.8.1.8.${x}`, () => I(1)],
        [`${CTS}.4.8.1.10.${x}`, () => I(2)],
        [`${CTS}.4.8.1.11.${x}`, () => I(live() ? 8 : 14)],
        [`${CTS}.4.8.1.12.${x}`, () => G(rate)],
        [`${CTS}.4.8.1.13.${x}`, () => G(live() ? this.stats().used[0] + 64 : rate)],
        [`${CTS}.4.8.1.16.${x}`, () => I(8)],
        [`${CTS}.4.8.1.17.${x}`, () => I(live() ? 12 : 5)],
      );
      if (call.end !== null) continue;
      for (const st of [1, 2]) {
        const lat = () => this.stats().latency[0];
        out.push(
          [`${CTS}.4.9.1.2.${x}.${st}`, () => G(lat())],
          [`${CTS}.4.9.1.3.${x}.${st}`, () => G(lat())],
          [`${CTS}.4.9.1.4.${x}.${st}`, () => G(lat() * 1.5)],
          [`${CTS}.4.9.1.5.${x}.${st}`, () => G(lat() * 2)],
        );
        const k = `${x}.${st}.2`;
        const share = st === 1 ? (rate - 64) / rate : 64 / rate;
        const bytes = () => ((this.stats().used[0] + 64) * 1000 * share * dur()) / 8;
        const pkts = () => bytes() / 1100;
        const micro = (i: 0 | 1) => G(this.stats().loss[i]! * 1e6);
        out.push(
          [`${CTS}.4.10.1.3.${k}`, () => C64(bytes())],
          [`${CTS}.4.10.1.4.${k}`, () => C64(pkts())],
          [`${CTS}.4.10.1.5.${k}`, () => C64((pkts() * this.stats().loss[1]!) / 100)],
          [`${CTS}.4.10.1.6.${k}`, () => micro(1)],
          [`${CTS}.4.10.1.7.${k}`, () => micro(1)],
          [`${CTS}.4.10.1.11.${k}`, () => C64(bytes())],
          [`${CTS}.4.10.1.12.${k}`, () => C64(pkts())],
          [`${CTS}.4.10.1.13.${k}`, () => C64((pkts() * this.stats().loss[0]!) / 100)],
          [`${CTS}.4.10.1.14.${k}`, () => micro(0)],
          [`${CTS}.4.10.1.15.${k}`, () => micro(0)],
          [`${CTS}.4.10.1.22.${k}`, () => C64(this.stats().jitter[0])],
          [`${CTS}.4.10.1.23.${k}`, () => C64(this.stats().jitter[0])],
          [`${CTS}.4.10.1.24.${k}`, () => C64(this.stats().jitter[0] * 2.5)],
          [`${CTS}.4.10.1.25.${k}`, () => C64(this.stats().jitter[0] * 3)],
          [`${CTS}.4.10.1.27.${k}`, () => I(st === 1 ? 12 : 3)],
          [`${CTS}.4.10.1.29.${k}`, () => I(st === 1 ? 12 : 3)],
          [`${CTS}.4.10.1.35.${k}`, () => G(rate * share)],
          [`${CTS}.4.10.1.36.${k}`, () => G((this.stats().used[1] + 64) * share)],
          [`${CTS}.4.10.1.37.${k}`, () => G(rate * share)],
          [`${CTS}.4.10.1.38.${k}`, () => G((this.stats().used[0] + 64) * share)],
        );
      }
    }
  }

  /** shared UPS physics at the request time */
  private ups() {
    const s = this.site!;
    const t = this.t(this.now);
    const w = (k: number) => wobble(this.seed + k, t);
    const load = pick(this.seed, 'load', 22, 48) * (1 + 0.08 * w(1)) + (s.inCall ? 6 : 0);
    const charge = s.chargePct();
    return {
      onBattery: !s.mains,
      inputV: s.mains ? 222 + 7 * w(2) : 0,
      inputHz: s.mains ? 50 + 0.1 * w(3) : 0,
      outputV: 220 + 1.5 * w(4),
      load,
      charge,
      runtimeMin: Math.max(0, s.runtimeSec / 60),
      batteryV: 72 * (0.88 + 0.16 * (charge / 100)) + (s.mains ? 4 : 0),
      tempC: pick(this.seed, 'temp', 24, 31) + w(5),
      secsOnBattery: s.mains ? 0 : s.batterySec,
    };
  }

  private upsMib(out: Entry[]): void {
    const s = this.site!;
    const u = () => this.ups();
    out.push(
      [`${UPS}.1.1.0`, () => S(this.info().mfg)],
      [`${UPS}.1.2.0`, () => S(this.info().model)],
      [`${UPS}.1.3.0`, () => S(this.info().version)],
      [`${UPS}.1.4.0`, () => S('Network-M2 2.1.6')],
      [`${UPS}.1.5.0`, () => S(this.ref.id)],
      [`${UPS}.2.1.0`, () => I(s.batteryStatus())],
      [`${UPS}.2.2.0`, () => I(u().secsOnBattery)],
      [`${UPS}.2.3.0`, () => I(Math.max(1, Math.round(u().runtimeMin)))],
      [`${UPS}.2.4.0`, () => I(u().charge)],
      [`${UPS}.2.5.0`, () => I(u().batteryV * 10)],
      [`${UPS}.2.6.0`, () => I(u().onBattery ? (u().load * 30) / 72 : 0)],
      [`${UPS}.2.7.0`, () => I(u().tempC)],
      [`${UPS}.3.1.0`, () => C32(s.inputLineBads)],
      [`${UPS}.3.2.0`, () => I(1)],
      [`${UPS}.3.3.1.2.1`, () => I(u().inputHz * 10)],
      [`${UPS}.3.3.1.3.1`, () => I(u().inputV)],
      [`${UPS}.4.1.0`, () => I(u().onBattery ? 5 : 3)],
      [`${UPS}.4.2.0`, () => I(500)],
      [`${UPS}.4.3.0`, () => I(1)],
      [`${UPS}.4.4.1.2.1`, () => I(u().outputV)],
      [`${UPS}.4.4.1.3.1`, () => I((u().load * 3000) / 220)],
      [`${UPS}.4.4.1.4.1`, () => I(u().load * 27)],
      [`${UPS}.4.4.1.5.1`, () => I(u().load)],
      [`${UPS}.6.1.0`, () => G(s.alarms.length)],
      [`${UPS}.9.3.0`, () => I(220)],
      [`${UPS}.9.7.0`, () => I(LOW_BATT_MIN)],
      [`${UPS}.9.9.0`, () => I(160)],
      [`${UPS}.9.10.0`, () => I(280)],
    );
    for (const a of s.alarms) {
      out.push(
        [`${UPS}.6.2.1.1.${a.id}`, () => I(a.id)],
        [`${UPS}.6.2.1.2.${a.id}`, () => O(`${UPS}.6.3.${a.descr}`)],
        [`${UPS}.6.2.1.3.${a.id}`, () => TT(a.time)],
      );
    }
  }

  private apc(out: Entry[]): void {
    const s = this.site!;
    const u = () => this.ups();
    const status = () => (s.batteryStatus() === 3 ? 3 : 2);
    out.push(
      [`${APC}.1.1.1.0`, () => S(this.info().model)],
      [`${APC}.1.2.1.0`, () => S(this.info().version)],
      [`${APC}.1.2.3.0`, () => S(this.serial())],
      [`${APC}.2.1.1.0`, () => I(status())],
      [`${APC}.2.1.2.0`, () => TT(u().secsOnBattery * 100)],
      [`${APC}.2.2.1.0`, () => G(u().charge)],
      [`${APC}.2.2.2.0`, () => G(u().tempC)],
      [`${APC}.2.2.3.0`, () => TT(u().runtimeMin * 6000)],
      [`${APC}.2.2.4.0`, () => I(1)],
      [`${APC}.2.2.8.0`, () => I(u().batteryV)],
      [`${APC}.2.3.1.0`, () => G(u().charge * 10)],
      [`${APC}.2.3.2.0`, () => G(u().tempC * 10)],
      [`${APC}.2.3.4.0`, () => I(u().batteryV * 10)],
      [`${APC}.3.2.1.0`, () => G(u().inputV)],
      [`${APC}.3.2.4.0`, () => G(u().inputHz)],
      [`${APC}.3.2.5.0`, () => I(s.lastTransferCause)],
      [`${APC}.3.3.1.0`, () => G(u().inputV * 10)],
      [`${APC}.4.1.1.0`, () => I(u().onBattery ? 3 : 2)],
      [`${APC}.4.2.1.0`, () => G(u().outputV)],
      [`${APC}.4.2.3.0`, () => G(u().load)],
      [`${APC}.4.3.3.0`, () => G(u().load * 10)],
      [`${APC}.7.2.3.0`, () => I(1)],
    );
  }

  /** one MCU port's state and media statistics at the request time */
  portStats(port: number) {
    const siteId = this.ctx.mcuPorts.get(port);
    const s = siteId ? this.ctx.sites.get(siteId) : undefined;
    if (!s) return { state: 3, loss: 0, jitter: 0, rtt: 0, rate: 0 };
    const connected = s.inCall && !s.portFault;
    if (!connected)
      return { state: this.ctx.meetingActive() && s.inMeeting ? 2 : 3, loss: 0, jitter: 0, rtt: 0, rate: 0 };
    const t = this.t(this.now);
    const q = s.quality(t);
    return {
      state: 1,
      loss: q.lossPct,
      jitter: q.jitterMs,
      rtt: q.rttMs,
      rate: s.callRateKbps * (0.92 + 0.06 * wobble(s.seed, t)),
    };
  }

  private mcu(out: Entry[]): void {
    const ports = [...this.ctx.mcuPorts.keys()].sort((a, b) => a - b);
    const video = Math.max(40, Math.ceil(ports.length / 40) * 40);
    const voice = 40;
    const used = () => {
      let n = 0;
      for (const p of ports) {
        const id = this.ctx.mcuPorts.get(p);
        if (id && this.ctx.sites.get(id)?.inCall) n++;
      }
      return n;
    };
    const lastMin = (f: (e: SimContext['callEvents'][number]) => boolean) => () =>
      G(this.ctx.callEvents.filter((e) => e.time > this.now - 60_000 && f(e)).length);
    const ratio = (a: number, b: number) => G(b === 0 ? 100 : (100 * a) / b);
    const ok = () => I(2);
    out.push(
      [`${MCU}.1.1.0`, () => S(this.info().version)],
      [`${MCU}.1.6.0`, ok],
      [`${MCU}.2.7.1.0`, ok],
      [`${MCU}.2.8.1.0`, ok],
      [`${MCU}.2.9.1.0`, () => I(1)],
      [`${MCU}.2.17.1.0`, () => G(video + voice)],
      [`${MCU}.2.17.2.0`, () => G(voice)],
      [`${MCU}.2.17.3.0`, () => G(video)],
      [`${MCU}.2.17.4.0`, () => G(used())],
      [`${MCU}.2.17.5.0`, () => G((100 * used()) / (video + voice))],
      [`${MCU}.2.17.6.0`, () => G(0)],
      [`${MCU}.2.17.7.0`, () => G(0)],
      [`${MCU}.2.17.8.0`, () => G(used())],
      [`${MCU}.2.17.9.0`, () => G((100 * used()) / video)],
      [`${MCU}.2.17.10.0`, () => G(used())],
      [`${MCU}.3.1.0`, ok],
      [`${MCU}.3.2.1.0`, ok],
      [`${MCU}.3.3.1.0`, ok],
      [`${MCU}.3.4.1.0`, ok],
      [`${MCU}.4.2.1.0`, lastMin((e) => !e.ended)],
      [`${MCU}.4.2.2.0`, lastMin((e) => !e.ended && e.ok)],
      [`${MCU}.4.2.3.0`, lastMin((e) => !e.ended && !e.ok)],
      [
        `${MCU}.4.2.4.0`,
        () => {
          const ev = this.ctx.callEvents.filter((e) => e.time > this.now - 60_000 && !e.ended);
          return ratio(ev.filter((e) => e.ok).length, ev.length);
        },
      ],
      [
        `${MCU}.4.3.1.0`,
        () => {
          const ev = this.ctx.callEvents.filter((e) => e.time > this.now - 60_000 && e.ended);
          return ratio(ev.filter((e) => e.ok).length, ev.length);
        },
      ],
      [`${MCU}.4.3.2.0`, lastMin((e) => e.ended)],
      [`${MCU}.4.3.3.0`, lastMin((e) => e.ended && e.ok)],
      [`${MCU}.4.3.4.0`, lastMin((e) => e.ended && !e.ok)],
      [`${MCU}.4.4.1.1.0`, () => G(0)],
      [`${MCU}.4.4.2.1.0`, () => G(used())],
      [`${MCU}.5.1.0`, () => G(this.ctx.meetingActive() && used() > 0 ? 1 : 0)],
    );
    for (const p of ports) {
      const gso = this.ctx.sites.get(this.ctx.mcuPorts.get(p)!)?.site.gso ?? '';
      out.push(
        [`${PORT_TABLE}.1.${p}`, () => I(p)],
        [`${PORT_TABLE}.2.${p}`, () => S(gso)],
        [`${PORT_TABLE}.3.${p}`, () => I(this.portStats(p).state)],
        [`${PORT_TABLE}.4.${p}`, () => G(this.portStats(p).loss * 100)],
        [`${PORT_TABLE}.5.${p}`, () => G(this.portStats(p).jitter)],
        [`${PORT_TABLE}.6.${p}`, () => G(this.portStats(p).rtt)],
        [`${PORT_TABLE}.7.${p}`, () => G(this.portStats(p).rate)],
      );
    }
  }
}
