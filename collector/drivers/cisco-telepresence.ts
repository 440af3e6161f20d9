// Cisco TelePresence MCU / TelePresence Server through the remote management XML-RPC API
// (docs/mcu-drivers.md has the mapping and the documents it follows): participant.enumerate paged by
// enumerateID, the packet counters of each connected participant's currentState, and each matched
// participant's participant.diagnostics → per-site MCU port state, loss and call rate, like the SNMP
// MCU's port table and the Pexip driver.
import { z } from 'zod';
import type { DeviceEvent, Sample } from '../../core/bus.ts';
import type { MetricName } from '../../core/metrics.ts';
import { aliasKey, type LoadedInventory } from '../../inventory/load.ts';
import { CallHistoryStep } from './call-history.ts';
import { CiscoCdr } from './cisco-cdr.ts';
import { DriverError } from './http.ts';
import { mcuSample } from './mcu-samples.ts';
import { DeviceProblems } from './problems.ts';
import { isCiscoTestCall } from './test-call-names.ts';
import type { Driver, DriverPoll } from './types.ts';
import { type XmlRpcClient, XmlRpcFault } from './xmlrpc.ts';

/** an enumeration longer than this many replies is refused (a loop of enumerateIDs) */
const MAX_PAGES = 1000;
/** diagnostics calls in flight at once */
const CONCURRENCY = 8;
/** fewer packets than this since the last poll: the loss is taken over the whole call instead */
const MIN_PACKETS = 50;
/** fault "no such participant": it left between the enumeration and its diagnostics */
const FAULT_NO_SUCH_PARTICIPANT = 5;

const count = z.number().int().nonnegative();

/** The currentState members this driver reads (MCU API 2.9 participant.enumerate); others pass unread. */
const CurrentState = z
  .object({
    address: z.string().optional(),
    ipAddress: z.string().optional(),
    displayName: z.string().optional(),
    callState: z.string().optional(),
    callDirection: z.string().optional(),
    audioRxReceived: count.optional(),
    audioRxLost: count.optional(),
    audioTxSent: count.optional(),
    audioTxReportedLost: count.optional(),
    videoRxReceived: count.optional(),
    videoRxLost: count.optional(),
    videoTxSent: count.optional(),
    videoTxReportedLost: count.optional(),
  })
  .loose();

export const CiscoParticipant = z
  .object({
    participantName: z.string().min(1),
    participantProtocol: z.string().min(1),
    participantType: z.string().min(1),
    conferenceName: z.string().optional(),
    autoAttendantUniqueId: z.string().optional(),
    currentState: CurrentState.optional(),
  })
  .loose();
export type CiscoParticipant = z.infer<typeof CiscoParticipant>;

const EnumerateReply = z
  .object({ participants: z.array(CiscoParticipant), enumerateID: z.string().optional() })
  .loose();

/** participant.diagnostics: bit rates in bits per second, frame rates in frames per second. */
export const CiscoDiagnostics = z
  .object({
    videoRxChannelBitRate: count.optional(),
    videoTxChannelBitRate: count.optional(),
    videoRxActualBitRate: count.optional(),
    videoTxActualBitRate: count.optional(),
    videoRxFrameRate: z.number().nonnegative().optional(),
    videoTxFrameRate: z.number().nonnegative().optional(),
  })
  .loose();
export type CiscoDiagnostics = z.infer<typeof CiscoDiagnostics>;

function parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const i = r.error.issues[0]!;
  throw new DriverError(
    'bad_response',
    `trả lời không đúng tài liệu Cisco / reply not as documented (${what}: ${i.path.join('.') || '(root)'}: ${i.message})`,
  );
}

/** The site a participant is: the address it connected with, then its IP address (the codec's host). */
export function siteOfCiscoParticipant(p: CiscoParticipant, aliases: Map<string, string>): string | null {
  for (const a of [p.currentState?.address, p.currentState?.ipAddress]) {
    if (!a) continue;
    const site = aliases.get(aliasKey(a));
    if (site) return site;
  }
  return null;
}

/** The media channels the counters cover (the `instance` of the media_* metrics; rx: received by the MCU). */
export const CHANNELS = ['rx-audio', 'rx-video', 'tx-audio', 'tx-video'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Packets of one channel since the participant connected: all of them, and those lost. */
export interface Counts {
  total: number;
  lost: number;
}
export type Counters = Record<Channel, Counts>;

function countersOf(s: z.infer<typeof CurrentState>): Counters {
  // received: lost / (received + lost); sent: lost as the far end reports it / sent
  const rx = (received = 0, lost = 0): Counts => ({ total: received + lost, lost });
  const tx = (sent = 0, lost = 0): Counts => ({ total: sent, lost: Math.min(lost, sent) });
  return {
    'rx-audio': rx(s.audioRxReceived, s.audioRxLost),
    'rx-video': rx(s.videoRxReceived, s.videoRxLost),
    'tx-audio': tx(s.audioTxSent, s.audioTxReportedLost),
    'tx-video': tx(s.videoTxSent, s.videoTxReportedLost),
  };
}

const plus = (a: Counts, b: Counts): Counts => ({ total: a.total + b.total, lost: a.lost + b.lost });

/**
 * Loss in percent from cumulative counts: since the last poll when at least 50 packets passed and no
 * count went back (the same call), else over the whole call; null without packets.
 */
export function windowLoss(now: Counts, before: Counts | undefined): number | null {
  const d =
    before && now.total >= before.total && now.lost >= before.lost
      ? { total: now.total - before.total, lost: now.lost - before.lost }
      : null;
  const use = d && d.total >= MIN_PACKETS ? d : now;
  return use.total > 0 ? (100 * use.lost) / use.total : null;
}

/** Each channel's loss, and the participant's: the worse direction, audio and video together. */
export function losses(now: Counters, before: Counters | undefined): Record<Channel | 'all', number | null> {
  const rx = windowLoss(
    plus(now['rx-audio'], now['rx-video']),
    before && plus(before['rx-audio'], before['rx-video']),
  );
  const tx = windowLoss(
    plus(now['tx-audio'], now['tx-video']),
    before && plus(before['tx-audio'], before['tx-video']),
  );
  const out = { all: rx === null ? tx : tx === null ? rx : Math.max(rx, tx) } as Record<
    Channel | 'all',
    number | null
  >;
  for (const c of CHANNELS) out[c] = windowLoss(now[c], before?.[c]);
  return out;
}

const worse = (a: number | null | undefined, b: number | null | undefined): number | null =>
  b === null || b === undefined ? (a ?? null) : a === null || a === undefined ? b : Math.max(a, b);

interface SiteMedia {
  participants: number;
  lossPct: number | null;
  rateKbps: number | null;
  /** per channel: the worst loss over the site's participants, percent */
  channelLoss: Partial<Record<Channel, number>>;
  /** per video direction: the largest measured bit rate, kbps */
  channelKbps: Partial<Record<'rx-video' | 'tx-video', number>>;
}

export class CiscoTelePresenceDriver implements Driver {
  readonly device: string;
  private readonly problems: DeviceProblems;
  /** counters per participant (conference, name, protocol, type) from the last poll */
  private last = new Map<string, Counters>();
  /** the CDR log's participant events → call records (null: not read) */
  readonly history: CallHistoryStep | null;

  constructor(
    private readonly inv: LoadedInventory,
    private readonly client: XmlRpcClient,
    /** history: read the CDR log as call records (mcuDriver turns it on) */
    o: { history?: boolean; cdrBacklog?: number } = {},
  ) {
    this.device = inv.inventory.mcu.id;
    this.problems = new DeviceProblems(this.device);
    this.history =
      o.history === true ? new CallHistoryStep(this.device, new CiscoCdr(inv, client, o.cdrBacklog)) : null;
  }

  /** Every connected participant, following enumerateID. */
  async participants(): Promise<CiscoParticipant[]> {
    const out: CiscoParticipant[] = [];
    let enumerateID: string | undefined;
    for (let page = 0; ; page++) {
      if (page >= MAX_PAGES)
        throw new DriverError(
          'bad_response',
          `quá ${MAX_PAGES} lần enumerateID / over ${MAX_PAGES} enumerate replies`,
        );
      const reply: z.infer<typeof EnumerateReply> = parse(
        EnumerateReply,
        await this.client.call('participant.enumerate', {
          operationScope: ['currentState'],
          enumerateFilter: 'connected',
          ...(enumerateID !== undefined && { enumerateID }),
        }),
        'participant.enumerate',
      );
      out.push(...reply.participants);
      if (reply.enumerateID === undefined || reply.enumerateID === '') return out;
      if (reply.enumerateID === enumerateID)
        throw new DriverError('bad_response', `enumerateID lặp lại / enumerateID repeated: "${enumerateID}"`);
      enumerateID = reply.enumerateID;
    }
  }

  /** A participant's diagnostics; null when it has left since the enumeration (fault 5). */
  async diagnostics(p: CiscoParticipant): Promise<CiscoDiagnostics | null> {
    let body: unknown;
    try {
      body = await this.client.call('participant.diagnostics', {
        participantName: p.participantName,
        participantProtocol: p.participantProtocol,
        participantType: p.participantType,
        ...(p.conferenceName !== undefined && { conferenceName: p.conferenceName }),
        ...(p.autoAttendantUniqueId !== undefined && { autoAttendantUniqueId: p.autoAttendantUniqueId }),
      });
    } catch (err) {
      if (err instanceof XmlRpcFault && err.faultCode === FAULT_NO_SUCH_PARTICIPANT) return null;
      throw err;
    }
    return parse(CiscoDiagnostics, body, 'participant.diagnostics');
  }

  async poll(): Promise<DriverPoll> {
    const before = this.client.requests;
    const events: DeviceEvent[] = [];
    const samples: Sample[] = [];
    const t = Date.now();
    try {
      const list = await this.participants();
      const matched: [CiscoParticipant, string][] = [];
      for (const p of list) {
        if (p.currentState?.callState !== undefined && p.currentState.callState !== 'connected') continue;
        if (isCiscoTestCall(p)) continue; // a readiness test call, not the site joining a meeting
        const site = siteOfCiscoParticipant(p, this.inv.aliases);
        if (site) matched.push([p, site]);
      }
      const media = new Map<string, SiteMedia>();
      const seen = new Map<string, Counters>();
      let i = 0;
      const worker = async () => {
        while (i < matched.length) {
          const [p, site] = matched[i++]!;
          const diag = await this.diagnostics(p);
          if (!diag) continue; // left between the enumeration and now
          let m = media.get(site);
          if (!m) {
            m = { participants: 0, lossPct: null, rateKbps: null, channelLoss: {}, channelKbps: {} };
            media.set(site, m);
          }
          m.participants++;
          if (p.currentState) {
            const key = [p.conferenceName, p.participantName, p.participantProtocol, p.participantType].join(
              '\u0000',
            );
            const now = countersOf(p.currentState);
            seen.set(key, now);
            const l = losses(now, this.last.get(key));
            m.lossPct = worse(m.lossPct, l.all);
            for (const c of CHANNELS) {
              const v = worse(m.channelLoss[c], l[c]);
              if (v !== null) m.channelLoss[c] = v;
            }
          }
          const rate = diag.videoRxChannelBitRate ?? diag.videoRxActualBitRate;
          if (rate !== undefined) m.rateKbps = Math.max(m.rateKbps ?? 0, rate / 1000);
          for (const [c, bps] of [
            ['rx-video', diag.videoRxActualBitRate],
            ['tx-video', diag.videoTxActualBitRate],
          ] as const)
            if (bps !== undefined) m.channelKbps[c] = Math.max(m.channelKbps[c] ?? 0, bps / 1000);
        }
      };
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, matched.length) }, worker));
      this.last = seen;
      const time = Date.now();
      samples.push(this.sample(this.device, 'mcu_participants', list.length, time, null));
      for (const siteId of new Set(this.inv.aliases.values())) {
        const m = media.get(siteId);
        samples.push(this.sample(siteId, 'mcu_port_up', m ? 1 : 0, time, siteId));
        if (!m) continue;
        if (m.lossPct !== null) samples.push(this.sample(siteId, 'loss_pct', m.lossPct, time, siteId));
        if (m.rateKbps !== null)
          samples.push(this.sample(siteId, 'call_rate_kbps', m.rateKbps, time, siteId));
        for (const [c, v] of Object.entries(m.channelLoss))
          samples.push(mcuSample(this.inv, siteId, 'media_loss_pct', v, time, siteId, c));
        for (const [c, v] of Object.entries(m.channelKbps))
          samples.push(mcuSample(this.inv, siteId, 'media_rate_kbps', v, time, siteId, c));
      }
      events.push(...this.problems.ok(t));
    } catch (err) {
      // nothing about the sites: a silent API is the MCU's fault, not theirs
      events.push(...this.problems.failed(t, err));
    }
    // the CDR log, read while the API answers (after the samples, so a leave the port state shows
    // in this poll is merged with its record, docs/meetings.md)
    if (this.history && this.problems.problem === null) events.push(...(await this.history.run(t)));
    return {
      samples,
      events,
      requests: this.client.requests - before,
      problem: this.problems.problem ?? this.history?.problem ?? null,
    };
  }

  private sample(
    site: string,
    metric: MetricName,
    value: number,
    time: number,
    siteId: string | null,
  ): Sample {
    return mcuSample(this.inv, site, metric, value, time, siteId);
  }

  close(): void {
    this.client.close();
  }
}
