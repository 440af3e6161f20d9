// The simulator: every device of an inventory as an SNMP agent on its own loopback address,
// an RTP/UDP reflector per site, UPS traps, meetings on the MCU and faults on demand.
import dgram from 'node:dgram';
import { log } from '../core/log.ts';
import type { LoadedInventory, ResolvedCredential } from '../inventory/load.ts';
import { parseAddress } from '../inventory/load.ts';
import { type AgentSecurity, answer, encodeTrapV2c, v3User, warmKeys } from './agent.ts';
import { Tag, type Value } from './ber.ts';
import { type CiscoSim, startCiscoSim } from './cisco-telepresence.ts';
import { startControl } from './control.ts';
import { DeviceSim, type SimContext, UPS } from './devices.ts';
import { checkFault, type Fault, FaultError } from './faults.ts';
import { type PowerEvent, SiteSim } from './model.ts';
import { type PexipApiFault, type PexipSim, startPexipSim } from './pexip.ts';
import { hashId, prng } from './rand.ts';
import { startXapiSim, type XapiFault, type XapiSim } from './xapi.ts';

export type { Fault } from './faults.ts';
export { FaultError } from './faults.ts';

export interface SimulatorOptions {
  inventory: LoadedInventory;
  credentials: Map<string, ResolvedCredential>;
  /** where UPS traps go (SNMPv2c) */
  trapTarget?: { host: string; port: number };
  /** community of the traps; default: the first v2c community of the inventory, else "public" */
  trapCommunity?: string;
  /** seed of every moving value and random draw (default 1) */
  seed?: number;
  /** HTTP control API on loopback; port 0 picks a free port */
  control?: { host: string; port: number };
  /** battery seconds per real second (drain and recharge), so tests take seconds; default 1 */
  batteryTimeScale?: number;
  /** add the site's base round-trip time to reflector echoes (default true) */
  reflectorBaseDelay?: boolean;
  /** serve the MCU's Pexip management status API (simulator/pexip.ts); port 0 picks a free port */
  pexip?: { host: string; port: number; user: string; password: string; slowMs?: number };
  /** serve the xAPI of every codec with protocol cisco-xapi at its inventory url (simulator/xapi.ts) */
  xapi?: {
    user: string;
    password: string;
    slowMs?: number;
    tls?: { key: string | Buffer; cert: string | Buffer };
  };
  /** serve the MCU's Cisco TelePresence XML-RPC API (simulator/cisco-telepresence.ts); port 0 picks a free port */
  cisco?: { host: string; port: number; user: string; password: string; slowMs?: number; pageSize?: number };
}

export interface SiteStatus {
  site: string;
  reachable: boolean;
  powered: boolean;
  on_battery: boolean;
  runtime_min: number;
  charge_pct: number;
  in_meeting: boolean;
  in_call: boolean;
}

export interface Simulator {
  faults: {
    inject(f: Fault): string;
    clear(id: string): void;
    clearAll(): void;
    list(): (Fault & { id: string; since: number })[];
  };
  meeting: { start(siteIds: string[]): void; end(): void; active(): string[] };
  controlUrl: string | null;
  /** the Pexip management API's base URL when served */
  pexipUrl: string | null;
  /** codec id → the base URL its xAPI is served at (empty when not served) */
  xapiUrls: Map<string, string>;
  /** the Cisco TelePresence XML-RPC API's base URL when served (requests go to /RPC2) */
  ciscoUrl: string | null;
  /** how many SNMP agents and reflectors are served */
  counts: { agents: number; reflectors: number };
  /** trap datagrams sent so far */
  trapsSent(): number;
  /** what each site looks like right now (also GET /status) */
  status(): SiteStatus[];
  /** so the simulator can be handed over as a runtime Service */
  name: 'simulator';
  stop(): Promise<void>;
}

const TRAP = {
  coldStart: '1.3.6.1.6.3.1.1.5.1',
  upsOnBattery: '1.3.6.1.2.1.33.2.1',
  upsAlarmAdded: '1.3.6.1.2.1.33.2.3',
  upsAlarmRemoved: '1.3.6.1.2.1.33.2.4',
  apcOnBattery: '1.3.6.1.4.1.318.0.5',
  apcLowBattery: '1.3.6.1.4.1.318.0.7',
  apcPowerRestored: '1.3.6.1.4.1.318.0.9',
  hdxCallUp: '1.3.6.1.4.1.2684.1.1.0.4',
  hdxCallDown: '1.3.6.1.4.1.2684.1.1.0.5',
  groupCallConnected: '1.3.6.1.4.1.13885.101.0.78',
  groupCallDisconnected: '1.3.6.1.4.1.13885.101.0.79',
};
const APC_TRAP_TEXT = '1.3.6.1.4.1.318.2.3.3.0';

function bind(socket: dgram.Socket, host: string, port: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) =>
      reject(new Error(`simulator: cannot listen on ${host}:${port} for ${what}: ${err.message}`));
    socket.once('error', onError);
    socket.bind(port, host, () => {
      socket.off('error', onError);
      socket.on('error', (err) => log.warn({ err, what }, 'simulator socket error'));
      resolve();
    });
  });
}

export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const inv = opts.inventory;
  const seed = opts.seed ?? 1;
  const scale = opts.batteryTimeScale ?? 1;
  const baseDelay = opts.reflectorBaseDelay ?? true;
  const start = Date.now();
  const sites = new Map<string, SiteSim>();
  for (const s of inv.sites.values()) sites.set(s.id, new SiteSim(s, seed, start));
  const meeting = new Set<string>();
  const ctx: SimContext = {
    start,
    gen: 0,
    sites,
    mcuPorts: inv.mcuPorts,
    mcuName: inv.inventory.mcu.name,
    meetingActive: () => meeting.size > 0,
    callEvents: [],
  };

  // ---------------------------------------------------------------- devices
  const securityCache = new Map<string, AgentSecurity>();
  const securityFor = (name: string): AgentSecurity => {
    let sec = securityCache.get(name);
    if (sec) return sec;
    const cred = opts.credentials.get(name);
    if (!cred) throw new Error(`simulator: no resolved SNMP credential "${name}"`);
    sec = { communities: new Set(), users: new Map() };
    if (cred.version === '2c') sec.communities.add(cred.community ?? 'public');
    else sec.users.set(cred.user ?? '', v3User(cred.user ?? '', cred.auth, cred.priv));
    securityCache.set(name, sec);
    return sec;
  };
  const trapCommunity =
    opts.trapCommunity ??
    [...opts.credentials.values()].find((c) => c.version === '2c')?.community ??
    'public';

  const devices = new Map<string, DeviceSim>();
  const garbage = new Map<string, 'wrong_type' | 'no_such_object' | 'truncated'>();
  const sockets: dgram.Socket[] = [];
  const upsSocket = new Map<string, { dev: DeviceSim; socket: dgram.Socket }>();
  const codecSocket = new Map<string, { dev: DeviceSim; socket: dgram.Socket }>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  let stopped = false;
  const rnd = prng(hashId('snmp-loss', seed));

  const binds: Promise<void>[] = [];
  for (const ref of inv.devices.values()) {
    // an MCU on a management API is served by simulator/pexip.ts, not as an SNMP agent
    if (ref.protocol && ref.protocol !== 'snmp') continue;
    const site = ref.site ? sites.get(ref.site.id)! : null;
    const dev = new DeviceSim(ref, site, securityFor(ref.snmp), ctx, seed, start);
    devices.set(ref.id, dev);
    for (const u of dev.security.users.values()) warmKeys(u, dev.engine.id);
    const socket = dgram.createSocket('udp4');
    sockets.push(socket);
    if (ref.kind === 'ups' && site) upsSocket.set(site.id, { dev, socket });
    if (ref.kind === 'codec' && site) codecSocket.set(site.id, { dev, socket });
    socket.on('message', (msg, rinfo) => {
      if (stopped) return;
      if (site) {
        if (!site.reachable()) return;
        if (ref.kind === 'codec' && site.hung) return;
        if (site.impair.loss > 0 && rnd() * 100 < site.impair.loss) return;
      }
      const mode = garbage.get(ref.id);
      const now = Date.now();
      let out = answer(msg, dev, now, mode === 'truncated' ? undefined : mode);
      if (!out) return;
      if (mode === 'truncated') out = out.subarray(0, Math.max(1, Math.floor(out.length / 2)));
      const send = () => {
        if (!stopped) socket.send(out, rinfo.port, rinfo.address);
      };
      const delay = site ? site.impair.delay + site.impair.jitter * (rnd() * 2 - 1) : 0;
      if (delay >= 1) later(delay, send);
      else send();
    });
    binds.push(bind(socket, ref.address.host, ref.address.port, `device ${ref.id}`));
  }

  // ---------------------------------------------------------------- reflectors
  let reflectors = 0;
  for (const s of inv.sites.values()) {
    if (!s.probes.rtp) continue;
    const a = parseAddress(s.probes.rtp, 5004);
    const site = sites.get(s.id)!;
    const draw = prng(hashId(`rtp:${s.id}`, seed));
    const socket = dgram.createSocket('udp4');
    sockets.push(socket);
    reflectors++;
    socket.on('message', (msg, rinfo) => {
      if (stopped || !site.reachable()) return;
      const q = site.quality((Date.now() - start) / 1000);
      const loss = baseDelay ? q.lossPct : site.impair.loss;
      if (loss > 0 && draw() * 100 < loss) return;
      const rtt = baseDelay ? q.rttMs : site.impair.delay;
      const jitter = baseDelay ? q.jitterMs : site.impair.jitter;
      const delay = Math.max(0, rtt + jitter * (draw() * 2 - 1));
      const send = () => {
        if (!stopped) socket.send(msg, rinfo.port, rinfo.address);
      };
      if (delay >= 1) later(delay, send);
      else send();
    });
    binds.push(bind(socket, a.host, a.port, `reflector of ${s.id}`));
  }
  try {
    await Promise.all(binds);
  } catch (err) {
    stopped = true;
    for (const s of sockets) s.close();
    throw err;
  }

  // ---------------------------------------------------------------- traps
  let traps = 0;
  let trapReq = hashId('traps', seed) & 0x7fffffff;
  const sendTrap = (
    site: SiteSim,
    oid: string,
    varbinds: [string, Value][],
    from = upsSocket.get(site.id),
  ) => {
    const target = opts.trapTarget;
    const u = from;
    if (!target || !u || stopped || !site.reachable()) return;
    trapReq = (trapReq + 1) & 0x7fffffff;
    const buf = encodeTrapV2c(trapCommunity, trapReq, u.dev.uptimeTicks(Date.now()), oid, varbinds);
    traps++;
    u.socket.send(buf, target.port, target.host);
  };
  const I = (v: number): Value => ({ t: Tag.Integer, v: Math.round(v) });
  const powerEvents = (site: SiteSim, events: PowerEvent[]) => {
    const u = upsSocket.get(site.id);
    if (!u) return;
    const apc = u.dev.profile === 'apc-powernet';
    const text = (s: string): [string, Value] => [APC_TRAP_TEXT, { t: Tag.OctetString, v: s }];
    for (const e of events) {
      log.info({ site: site.id, event: e.kind }, 'simulated UPS event');
      const alarmVbs = (a: { id: number; descr: number }): [string, Value][] => [
        [`${UPS}.6.2.1.1.${a.id}`, I(a.id)],
        [`${UPS}.6.2.1.2.${a.id}`, { t: Tag.Oid, v: `${UPS}.6.3.${a.descr}` }],
      ];
      switch (e.kind) {
        case 'on_battery':
        case 'on_battery_repeat':
          if (apc)
            sendTrap(site, TRAP.apcOnBattery, [
              text('UPS: On battery power in response to an input power problem.'),
            ]);
          else
            sendTrap(site, TRAP.upsOnBattery, [
              [`${UPS}.2.3.0`, I(Math.max(1, site.runtimeSec / 60))],
              [`${UPS}.2.2.0`, I(site.batterySec)],
              [`${UPS}.9.7.0`, I(5)],
            ]);
          break;
        case 'low_battery':
          if (apc)
            sendTrap(site, TRAP.apcLowBattery, [
              text('UPS: The battery power is too low to continue to support the load.'),
            ]);
          else sendTrap(site, TRAP.upsAlarmAdded, alarmVbs(e.alarm));
          break;
        case 'alarm_added':
          if (!apc) sendTrap(site, TRAP.upsAlarmAdded, alarmVbs(e.alarm));
          break;
        case 'alarm_removed':
          if (!apc) sendTrap(site, TRAP.upsAlarmRemoved, alarmVbs(e.alarm));
          break;
        case 'power_restored':
          if (apc) sendTrap(site, TRAP.apcPowerRestored, [text('UPS: No longer on battery power.')]);
          break;
        case 'cold_start':
          sendTrap(site, TRAP.coldStart, []);
          break;
        case 'depleted':
          break;
      }
    }
  };

  // ---------------------------------------------------------------- faults and meetings
  const faults = new Map<string, { fault: Fault; since: number }>();
  let faultSeq = 0;
  let apiFault: PexipApiFault | null = null;
  const codecApiFaults = new Map<string, XapiFault>();

  /** recomputes who is in a call; bumps the MIB generation when rows change */
  /** HDX and Group Series codecs announce calls with traps (HDX has no polled call state). */
  const callTrap = (s: SiteSim, up: boolean) => {
    const c = codecSocket.get(s.id);
    if (!c || s.hung) return;
    const number = `8${String(s.site.mcu_port ?? 0).padStart(3, '0')}`;
    if (c.dev.profile === 'polycom-hdx')
      sendTrap(
        s,
        up ? TRAP.hdxCallUp : TRAP.hdxCallDown,
        [['1.3.6.1.4.1.2684.1.1.2.0', { t: Tag.OctetString, v: number }]],
        c,
      );
    else if (c.dev.profile === 'polycom-group')
      sendTrap(s, up ? TRAP.groupCallConnected : TRAP.groupCallDisconnected, [], c);
  };

  const refresh = () => {
    const now = Date.now();
    let changed = false;
    for (const s of sites.values()) {
      const want = s.inMeeting && s.reachable() && !s.hung && !s.portDown && !s.dropCause;
      const was = s.inCall;
      if (s.setInCall(want, now, want ? undefined : s.outCause())) {
        changed = true;
        ctx.callEvents.push({ time: now, ok: want || !s.inMeeting, ended: was });
        callTrap(s, want);
      }
    }
    if (ctx.callEvents.length > 2000) ctx.callEvents.splice(0, ctx.callEvents.length - 1000);
    if (changed) ctx.gen++;
  };

  const applyFaults = () => {
    const now = Date.now();
    const cuts = new Map<string, number | undefined>();
    for (const s of sites.values()) {
      s.linkDown = s.districtOut = s.hung = s.portDown = s.portFault = false;
      s.dropCause = null;
      s.impair = { loss: 0, delay: 0, jitter: 0 };
    }
    garbage.clear();
    apiFault = null;
    codecApiFaults.clear();
    for (const { fault: f } of faults.values()) {
      const s = 'site' in f ? sites.get(f.site) : undefined;
      switch (f.kind) {
        case 'link_down':
          s!.linkDown = true;
          break;
        case 'link_degraded':
          s!.impair = {
            loss: Math.min(100, s!.impair.loss + (f.loss_pct ?? 0)),
            delay: s!.impair.delay + (f.delay_ms ?? 0),
            jitter: s!.impair.jitter + (f.jitter_ms ?? 0),
          };
          break;
        case 'power_cut':
          if (!cuts.has(f.site)) cuts.set(f.site, f.runtime_min);
          break;
        case 'codec_hung':
          s!.hung = true;
          break;
        case 'mcu_port_down':
          s!.portDown = true;
          break;
        case 'mcu_port_fault':
          s!.portFault = true;
          break;
        case 'participant_drop':
          s!.dropCause = f.cause ?? 'network';
          break;
        case 'district_outage':
          for (const x of sites.values()) if (x.site.district === f.district) x.districtOut = true;
          break;
        case 'garbage':
          garbage.set(f.device, f.mode);
          break;
        case 'mcu_api':
          apiFault = f.mode;
          break;
        case 'codec_api':
          codecApiFaults.set(f.device, f.mode);
          break;
      }
    }
    for (const s of sites.values()) {
      const events: PowerEvent[] = [];
      const before = s.alarms.length;
      if (cuts.has(s.id)) s.cut(now, cuts.get(s.id), events);
      else s.restore(now, events);
      if (s.alarms.length !== before || events.length > 0) ctx.gen++;
      powerEvents(s, events);
    }
    refresh();
  };

  let lastTick = Date.now();
  const tick = setInterval(() => {
    const now = Date.now();
    const dt = now - lastTick;
    lastTick = now;
    let any = false;
    for (const s of sites.values()) {
      if (s.mains && s.runtimeSec >= s.runtimeFullSec) continue;
      const events: PowerEvent[] = [];
      const wasOff = s.off;
      if (s.advancePower(now, dt, scale, events)) ctx.gen++;
      if (s.off !== wasOff) any = true;
      powerEvents(s, events);
    }
    if (any) refresh();
  }, 200);
  tick.unref?.();

  const faultApi: Simulator['faults'] = {
    inject(input: Fault): string {
      const fault = checkFault(input, inv);
      const id = `f${++faultSeq}`;
      faults.set(id, { fault, since: Date.now() });
      log.info({ id, fault }, 'simulator fault injected');
      applyFaults();
      return id;
    },
    clear(id: string): void {
      if (!faults.delete(id))
        throw new FaultError(`không có lỗi giả lập "${id}" / no fault "${id}" (list them with GET /faults)`);
      log.info({ id }, 'simulator fault cleared');
      applyFaults();
    },
    clearAll(): void {
      faults.clear();
      applyFaults();
    },
    list() {
      return [...faults.entries()].map(([id, f]) => ({ ...f.fault, id, since: f.since }));
    },
  };

  const meetingApi: Simulator['meeting'] = {
    start(siteIds: string[]): void {
      const unknown = siteIds.filter((id) => !sites.has(id));
      if (unknown.length > 0)
        throw new FaultError(`không có điểm cầu / unknown site(s): ${unknown.join(', ')}`);
      if (siteIds.length === 0)
        throw new FaultError('cuộc họp cần ít nhất một điểm cầu / a meeting needs at least one site');
      meeting.clear();
      for (const s of sites.values()) s.inMeeting = false;
      for (const id of siteIds) {
        meeting.add(id);
        sites.get(id)!.inMeeting = true;
      }
      // sites that cannot join count as failed calls on the MCU
      for (const id of siteIds) {
        const s = sites.get(id)!;
        if (!s.reachable() || s.hung || s.portDown)
          ctx.callEvents.push({ time: Date.now(), ok: false, ended: false });
      }
      refresh();
      ctx.gen++;
    },
    end(): void {
      meeting.clear();
      for (const s of sites.values()) s.inMeeting = false;
      refresh();
      ctx.gen++;
    },
    active: () => [...meeting],
  };

  const status = (): SiteStatus[] =>
    [...sites.values()].map((s) => ({
      site: s.id,
      reachable: s.reachable(),
      powered: !s.off,
      on_battery: !s.mains && !s.off,
      runtime_min: Math.round((s.runtimeSec / 60) * 10) / 10,
      charge_pct: Math.round(s.chargePct()),
      in_meeting: s.inMeeting,
      in_call: s.inCall,
    }));

  let pexip: PexipSim | null = null;
  let xapi: XapiSim | null = null;
  let cisco: CiscoSim | null = null;
  let control: Awaited<ReturnType<typeof startControl>> | null = null;
  try {
    if (opts.pexip) pexip = await startPexipSim(opts.pexip, inv, sites, start, () => apiFault);
    if (opts.xapi)
      xapi = await startXapiSim(opts.xapi, inv, sites, start, (d) => codecApiFaults.get(d) ?? null);
    if (opts.cisco) cisco = await startCiscoSim(opts.cisco, inv, sites, start, () => apiFault);
    control = opts.control
      ? await startControl(opts.control, { faults: faultApi, meeting: meetingApi, status })
      : null;
  } catch (err) {
    stopped = true;
    clearInterval(tick);
    await pexip?.close();
    await cisco?.close();
    await xapi?.close();
    for (const s of sockets) s.close();
    throw err;
  }
  log.info({ agents: devices.size, reflectors, control: control?.url ?? null }, 'simulator started');

  return {
    faults: faultApi,
    meeting: meetingApi,
    controlUrl: control?.url ?? null,
    pexipUrl: pexip?.url ?? null,
    xapiUrls: xapi?.urls ?? new Map(),
    ciscoUrl: cisco?.url ?? null,
    counts: { agents: devices.size, reflectors },
    trapsSent: () => traps,
    status,
    name: 'simulator',
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(tick);
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
      if (control) await control.close();
      await pexip?.close();
      await cisco?.close();
      await xapi?.close();
    },
  };
}
