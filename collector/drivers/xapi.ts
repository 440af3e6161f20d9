// A Cisco Room/Desk series codec through its xAPI over HTTP(S) (docs/mcu-drivers.md has the mapping
// and the documents it follows): GET /status.xml → the call's state, rate and protocol, each media
// channel's loss, jitter and rate, and the SIP registration, as the codec's samples of its site.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { DeviceEvent, Sample, SampleTags } from '../../core/bus.ts';
import type { MetricName } from '../../core/metrics.ts';
import type { DeviceRef } from '../../inventory/load.ts';
import { DriverError, type JsonClient } from './http.ts';
import type { Driver, DriverPoll } from './types.ts';

/** the whole status tree in one request (xAPI over HTTP: "Getting status and configurations") */
export const XAPI_STATUS = '/status.xml';

/** Call Status values that mean the codec is in the call (xStatus Call [n] Status). */
const IN_CALL = new Set(['connected', 'onhold']);
/** xStatus Call [n] Protocol → core's call_protocol states */
const PROTOCOL: Record<string, number> = { sip: 1, h323: 2, spark: 3, webex: 3 };

export type Dir = 'rx' | 'tx';
export type MediaKind = 'audio' | 'video' | 'content';

/** One media channel as read from status.xml, numbers as documented (counts, bps, ms). */
export interface XapiChannel {
  call: string;
  id: string;
  dir: Dir;
  kind: MediaKind;
  loss: number | null;
  packets: number | null;
  lastLost: number | null;
  lastReceived: number | null;
  jitterMs: number | null;
  rateBps: number | null;
}

export interface XapiCall {
  id: string;
  status: string;
  protocol: string;
  /** kbps: the larger of ReceiveCallRate and TransmitCallRate (CallRate on older software) */
  rateKbps: number | null;
}

export interface XapiStatus {
  calls: XapiCall[];
  channels: XapiChannel[];
  /** each SIP Registration's Status; empty when the reply has no SIP section */
  registrations: string[];
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // numbers are read by this driver, field by field, so a garbled one is named
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

function notDocumented(what: string): DriverError {
  return new DriverError(
    'bad_response',
    `trả lời không đúng tài liệu Cisco xAPI / reply not as documented (${what})`,
  );
}

/** An element's text ('' when absent or empty). */
function text(node: Node, key: string): string {
  const v = node[key];
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (isNode(v) && typeof v['#text'] === 'string') return v['#text'];
  return '';
}

/** An integer element, null when absent or empty; anything else is not as documented. */
function int(node: Node, key: string, where: string): number | null {
  const t = text(node, key);
  if (t === '') return null;
  if (!/^-?\d+(\.\d+)?$/.test(t)) throw notDocumented(`${where} ${key}: "${t.slice(0, 20)}" is not a number`);
  return Number(t);
}

/** A repeated element ([n] in the xAPI: Call, Channel, Registration), one or several. */
function list(v: unknown): Node[] {
  return Array.isArray(v) ? v.filter(isNode) : isNode(v) ? [v] : [];
}

/** Parses a status.xml (or getxml) reply; a reply that is not XML or not a Status tree is a DriverError. */
export function parseXapiStatus(xml: string): XapiStatus {
  const valid = XMLValidator.validate(xml);
  if (valid !== true)
    throw new DriverError(
      'bad_response',
      `trả lời không phải XML / reply is not XML (line ${valid.err.line}: ${valid.err.msg}; ${xml.length} bytes, starts "${xml.slice(0, 40)}")`,
    );
  const doc = parser.parse(xml) as Node;
  const status = doc.Status;
  if (!isNode(status)) throw notDocumented('no <Status> root element');

  const calls: XapiCall[] = list(status.Call).map((c) => {
    const id = String(c['@_item'] ?? '');
    const where = `Call ${id}`;
    const rates = [
      int(c, 'ReceiveCallRate', where),
      int(c, 'TransmitCallRate', where),
      int(c, 'CallRate', where),
    ];
    const known = rates.filter((r): r is number => r !== null);
    return {
      id,
      status: text(c, 'Status'),
      protocol: text(c, 'Protocol'),
      rateKbps: known.length ? Math.max(...known) : null,
    };
  });

  const channels: XapiChannel[] = [];
  const media = isNode(status.MediaChannels) ? status.MediaChannels : {};
  for (const mc of list(media.Call)) {
    const call = String(mc['@_item'] ?? '');
    for (const ch of list(mc.Channel)) {
      const id = String(ch['@_item'] ?? '');
      const where = `MediaChannels Call ${call} Channel ${id}`;
      const direction = text(ch, 'Direction').toLowerCase();
      const type = text(ch, 'Type').toLowerCase();
      if (direction !== 'incoming' && direction !== 'outgoing')
        throw notDocumented(`${where} Direction: "${text(ch, 'Direction')}"`);
      if (type === 'data') continue; // far-end camera control and the like: no media quality
      if (type !== 'audio' && type !== 'video') throw notDocumented(`${where} Type: "${text(ch, 'Type')}"`);
      const video = isNode(ch.Video) ? ch.Video : {};
      const kind: MediaKind =
        type === 'audio'
          ? 'audio'
          : text(video, 'ChannelRole').toLowerCase() === 'presentation'
            ? 'content'
            : 'video';
      const n = isNode(ch.Netstat) ? ch.Netstat : {};
      const w = `${where} Netstat`;
      channels.push({
        call,
        id,
        dir: direction === 'incoming' ? 'rx' : 'tx',
        kind,
        loss: int(n, 'Loss', w),
        packets: int(n, 'Packets', w),
        lastLost: int(n, 'LastIntervalLost', w),
        lastReceived: int(n, 'LastIntervalReceived', w),
        jitterMs: int(n, 'Jitter', w),
        rateBps: int(n, 'ChannelRate', w),
      });
    }
  }

  const sip = isNode(status.SIP) ? status.SIP : {};
  const registrations = list(sip.Registration).map((r) => text(r, 'Status'));
  return { calls, channels, registrations };
}

/** Loss of a channel in percent: the last interval's counts, else the counters' growth since the last poll, else since the call began. */
export function channelLossPct(
  ch: XapiChannel,
  prev: { loss: number; packets: number } | undefined,
): number | null {
  if (ch.lastLost !== null && ch.lastReceived !== null) {
    const all = ch.lastLost + ch.lastReceived;
    return all > 0 ? (100 * ch.lastLost) / all : null;
  }
  if (ch.loss === null || ch.packets === null) return null;
  if (prev) {
    const lost = ch.loss - prev.loss;
    const got = ch.packets - prev.packets;
    // counters that went back are a new channel with the same number: fall through to its totals
    if (lost >= 0 && got >= 0) return lost + got > 0 ? (100 * lost) / (lost + got) : null;
  }
  const all = ch.loss + ch.packets;
  return all > 0 ? (100 * ch.loss) / all : null;
}

export class XapiDriver implements Driver {
  readonly device: string;
  private problem: string | null = null;
  private answered: boolean | null = null;
  /** each channel's counters at the last poll (call|channel → Loss, Packets) */
  private counters = new Map<string, { loss: number; packets: number }>();

  constructor(
    private readonly dev: DeviceRef,
    private readonly client: JsonClient,
  ) {
    this.device = dev.id;
  }

  async poll(): Promise<DriverPoll> {
    const before = this.client.requests;
    const events: DeviceEvent[] = [];
    const samples: Sample[] = [];
    const t = Date.now();
    try {
      const st = parseXapiStatus(await this.client.getText(XAPI_STATUS));
      const time = Date.now();
      samples.push(...this.samples(st, time));
      if (this.answered === false || this.problem !== null)
        events.push(
          this.event(
            t,
            'reachable',
            'api_ok',
            'xAPI của codec trả lời đúng trở lại / codec xAPI answering again',
          ),
        );
      this.answered = true;
      this.problem = null;
    } catch (err) {
      const e =
        err instanceof DriverError
          ? err
          : new DriverError('bad_response', `lỗi không lường trước / unexpected: ${(err as Error).message}`);
      // a codec whose API fails is the codec's problem: no sample, nothing about the link or carrier
      if (e.message !== this.problem)
        events.push(
          this.event(t, e.kind, e.kind === 'unreachable' ? 'api_unreachable' : 'api_bad_response', e.message),
        );
      this.answered = e.kind === 'unreachable' ? false : this.answered;
      this.problem = e.message;
    }
    return { samples, events, requests: this.client.requests - before, problem: this.problem };
  }

  /** The samples of one reply; keeps the channels' counters for the next poll. */
  samples(st: XapiStatus, time: number): Sample[] {
    const out: Sample[] = [];
    const connected = st.calls.filter((c) => IN_CALL.has(c.status.toLowerCase()));
    const inCall = new Set(connected.map((c) => c.id));
    out.push(this.sample('in_call', connected.length > 0 ? 1 : 0, time));
    const rates = connected.map((c) => c.rateKbps).filter((r): r is number => r !== null);
    if (rates.length) out.push(this.sample('call_rate_kbps', Math.max(...rates), time));
    if (connected[0])
      out.push(this.sample('call_protocol', PROTOCOL[connected[0].protocol.toLowerCase()] ?? 0, time));
    if (st.registrations.length)
      out.push(
        this.sample(
          'codec_registered',
          st.registrations.some((r) => r.toLowerCase() === 'registered') ? 1 : 0,
          time,
        ),
      );

    // per direction and kind: the worst loss and jitter, the summed rate; site quality: the worst
    const per = new Map<string, { loss: number | null; jitter: number | null; kbps: number | null }>();
    const max = (a: number | null, b: number | null) => (b === null ? a : a === null ? b : Math.max(a, b));
    let loss: number | null = null;
    let jitter: number | null = null;
    const counters = new Map<string, { loss: number; packets: number }>();
    for (const ch of st.channels) {
      // a channel of a call not (or no longer) connected carries no current media
      if (st.calls.length > 0 && !inCall.has(ch.call)) continue;
      const key = `${ch.call}|${ch.id}`;
      const l = channelLossPct(ch, this.counters.get(key));
      if (ch.loss !== null && ch.packets !== null) counters.set(key, { loss: ch.loss, packets: ch.packets });
      const inst = `${ch.dir}-${ch.kind}`;
      const p = per.get(inst) ?? { loss: null, jitter: null, kbps: null };
      p.loss = max(p.loss, l);
      p.jitter = max(p.jitter, ch.jitterMs);
      if (ch.rateBps !== null) p.kbps = (p.kbps ?? 0) + ch.rateBps / 1000;
      per.set(inst, p);
      loss = max(loss, l);
      if (ch.dir === 'rx') jitter = max(jitter, ch.jitterMs);
    }
    this.counters = counters;
    for (const [inst, p] of [...per].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (p.loss !== null) out.push(this.sample('media_loss_pct', p.loss, time, inst));
      if (p.jitter !== null) out.push(this.sample('media_jitter_ms', p.jitter, time, inst));
      if (p.kbps !== null) out.push(this.sample('media_rate_kbps', p.kbps, time, inst));
    }
    if (loss !== null) out.push(this.sample('loss_pct', loss, time, undefined, 'codec'));
    if (jitter !== null) out.push(this.sample('jitter_ms', jitter, time, undefined, 'codec'));
    return out;
  }

  private sample(metric: MetricName, value: number, time: number, instance?: string, probe?: string): Sample {
    const s = this.dev.site;
    const tags: SampleTags = {
      tier: s?.tier ?? 'core',
      district: s?.district ?? '',
      carrier: s?.link.carrier ?? '',
      ...(probe && { probe }),
      ...(instance !== undefined && { instance }),
    };
    return {
      time,
      site: s?.id ?? this.device,
      device: this.device,
      metric,
      value: Math.round(value * 1e6) / 1e6,
      tags,
    };
  }

  private event(time: number, kind: DeviceEvent['kind'], name: string, detail: string): DeviceEvent {
    return { time, kind, site: this.dev.site?.id ?? this.device, device: this.device, name, detail };
  }

  close(): void {
    this.client.close();
  }
}
