// SNMP notification receiver (v1, v2c, v3): a known trap becomes a device event, the metric
// values it implies at once (e.g. ups_on_battery = 1), and an immediate re-poll of the device.
import snmp, { type Notification, type Receiver, type Varbind } from 'net-snmp';
import type { Sample } from '../core/bus.ts';
import type { Runtime } from '../core/runtime.ts';
import { type DeviceRef, parseAddress, type ResolvedCredential } from '../inventory/load.ts';
import { siteTags } from './evaluate.ts';
import type { SelfMetrics } from './metrics.ts';
import type { Poller } from './poller.ts';
import type { TrapRule } from './profile.ts';
import { T, toText, v3User } from './snmp.ts';

const SNMP_TRAP_OID = '1.3.6.1.6.3.1.1.4.1.0';
const SNMP_TRAP_ADDRESS = '1.3.6.1.6.3.18.1.3.0';
const SYS_UPTIME = '1.3.6.1.2.1.1.3.0';

function vbValue(vb: Varbind): string | number {
  if (vb.type === T.OctetString) return toText(vb);
  if (vb.type === T.Counter64 && Buffer.isBuffer(vb.value)) return `0x${vb.value.toString('hex')}`;
  if (typeof vb.value === 'number' || typeof vb.value === 'string') return vb.value;
  return String(vb.value);
}

export class TrapReceiver {
  private receiver: Receiver | null = null;
  private byHost = new Map<string, DeviceRef[]>();
  /** bound address, once listening */
  address: { host: string; port: number } | null = null;

  constructor(
    private readonly rt: Runtime,
    private readonly poller: Poller,
    devices: DeviceRef[],
    private readonly credentials: Map<string, ResolvedCredential>,
    private readonly m: SelfMetrics,
  ) {
    for (const d of devices) {
      const list = this.byHost.get(d.address.host) ?? [];
      list.push(d);
      this.byHost.set(d.address.host, list);
    }
  }

  async listen(addr: string): Promise<void> {
    const { host, port } = parseAddress(addr, 162);
    const receiver = snmp.createReceiver(
      {
        port,
        address: host,
        transport: host.includes(':') ? 'udp6' : 'udp4',
        includeAuthentication: true,
      },
      (err, n) => {
        if (err) {
          this.rt.log.debug({ err: err.message }, 'trap receiver: rejected message');
          return;
        }
        if (n) this.onNotification(n);
      },
    );
    const auth = receiver.getAuthorizer();
    const seenUsers = new Set<string>();
    for (const c of this.credentials.values()) {
      if (c.version === '2c' && c.community) auth.addCommunity(c.community);
      if (c.version === '3' && c.user && !seenUsers.has(c.user)) {
        seenUsers.add(c.user);
        auth.addUser(v3User(c));
      }
    }
    this.receiver = receiver;
    const socket = Object.values(receiver.listener.sockets)[0]!;
    await new Promise<void>((resolve, reject) => {
      const onErr = (e: Error) => {
        reject(new Error(`trap receiver cannot listen on ${addr}: ${e.message} (set collector.trap_listen)`));
      };
      socket.once('error', onErr);
      socket.once('listening', () => {
        socket.off('error', onErr);
        const a = socket.address();
        this.address = { host: a.address, port: a.port };
        resolve();
      });
    });
    this.rt.log.info({ listen: this.address }, 'trap receiver listening');
  }

  private onNotification(n: Notification): void {
    const vbs = n.pdu.varbinds ?? [];
    let trapOid: string | null = null;
    let agentAddress: string | null = null;
    for (const vb of vbs) {
      if (vb.oid === SNMP_TRAP_OID) trapOid = String(vb.value);
      else if (vb.oid === SNMP_TRAP_ADDRESS) agentAddress = String(vb.value);
    }
    // SNMPv1 Trap-PDU: enterprise + specific-trap → enterprise.0.specific (RFC 3584 §3.1)
    const v1 = n.pdu as unknown as {
      enterprise?: string;
      generic?: number;
      specific?: number;
      agentAddr?: string;
    };
    if (!trapOid && v1.enterprise) {
      trapOid =
        v1.generic !== undefined && v1.generic < 6
          ? `1.3.6.1.6.3.1.1.5.${v1.generic + 1}`
          : `${v1.enterprise}.0.${v1.specific ?? 0}`;
      agentAddress ??= v1.agentAddr ?? null;
    }
    if (!trapOid) return;
    const candidates = [
      ...(this.byHost.get(n.rinfo.address) ?? []),
      ...(agentAddress ? (this.byHost.get(agentAddress) ?? []) : []),
    ];
    let dev: DeviceRef | undefined;
    let rule: TrapRule | undefined;
    for (const d of candidates) {
      const r = this.poller.profileOf(d.id)?.traps.find((t) => t.oid === trapOid);
      if (r) {
        dev = d;
        rule = r;
        break;
      }
    }
    dev ??= candidates[0];
    this.m.traps.inc({ name: rule?.name ?? 'unknown' });
    if (!dev) {
      this.rt.log.warn({ from: n.rinfo.address, trap: trapOid }, 'trap from an address not in the inventory');
      return;
    }
    const data: Record<string, string | number> = { oid: trapOid, from: n.rinfo.address };
    for (const vb of vbs) {
      if (vb.oid === SNMP_TRAP_OID || vb.oid === SYS_UPTIME) continue;
      data[vb.oid] = vbValue(vb);
    }
    this.poller.event(
      dev,
      'trap',
      rule?.name ?? 'unknown_trap',
      rule?.detail ?? `SNMP trap ${trapOid}`,
      data,
    );
    if (!rule) return;
    const time = Date.now();
    const samples: Sample[] = Object.entries(rule.set).map(([metric, value]) => ({
      time,
      site: dev.site?.id ?? dev.id,
      device: dev.id,
      metric: metric as Sample['metric'],
      value,
      tags: siteTags(dev),
    }));
    if (samples.length > 0) this.rt.bus.publish(samples);
    if (rule.repoll && this.poller.has(dev.id)) {
      this.poller.pollNow(dev.id).catch((err) => this.rt.log.warn({ err, device: dev.id }, 're-poll failed'));
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.receiver) return resolve();
      try {
        this.receiver.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}
