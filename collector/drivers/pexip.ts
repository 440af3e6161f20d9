// Pexip Infinity through its management status API (docs/mcu-drivers.md has the mapping and the
// documents it follows): the participant list, paged by meta.next, and each matched participant's
// media streams → per-site MCU port state, loss, jitter and call rate, like the SNMP MCU's port table.
import { z } from 'zod';
import type { DeviceEvent, Sample } from '../../core/bus.ts';
import type { MetricName } from '../../core/metrics.ts';
import { aliasKey, type LoadedInventory } from '../../inventory/load.ts';
import { CallHistoryStep } from './call-history.ts';
import { DriverError, type JsonClient } from './http.ts';
import { mcuSample } from './mcu-samples.ts';
import { PexipHistory } from './pexip-history.ts';
import { DeviceProblems } from './problems.ts';
import { isPexipTestCall } from './test-call-names.ts';
import type { Driver, DriverPoll } from './types.ts';

export const PEXIP_STATUS = '/api/admin/status/v1';
/** participants per page asked for (the API's documented `limit`; it pages with meta.next) */
const PAGE = 500;
/** a participant list longer than this many pages is refused (a loop of `next` links) */
const MAX_PAGES = 100;
/** media-stream requests in flight at once */
const CONCURRENCY = 8;

const num = z.number().finite();
const Meta = z.object({ next: z.string().nullable().optional(), total_count: num.optional() }).loose();

/** The documented participant fields this driver reads; the others pass through unread. */
export const PexipParticipant = z
  .object({
    id: z.string().min(1),
    call_direction: z.string().optional(),
    source_alias: z.string().optional(),
    destination_alias: z.string().optional(),
    participant_alias: z.string().optional(),
    remote_address: z.string().optional(),
    /** the call's bandwidth, kbps */
    bandwidth: num.nullable().optional(),
    display_name: z.string().optional(),
    conference: z.string().optional(),
  })
  .loose();
export type PexipParticipant = z.infer<typeof PexipParticipant>;

/** One media stream: loss in percent, jitter in ms, bitrates in kbps (docs/mcu-drivers.md). */
export const PexipStream = z
  .object({
    type: z.string().optional(),
    stream_type: z.string().optional(),
    rx_packet_loss: num.nullable().optional(),
    tx_packet_loss: num.nullable().optional(),
    rx_jitter: num.nullable().optional(),
    tx_jitter: num.nullable().optional(),
    rx_bitrate: num.nullable().optional(),
    tx_bitrate: num.nullable().optional(),
  })
  .loose();
export type PexipStream = z.infer<typeof PexipStream>;

const ParticipantPage = z.object({ meta: Meta, objects: z.array(PexipParticipant) });
const StreamPage = z.object({ meta: Meta.optional(), objects: z.array(PexipStream) });

function parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const i = r.error.issues[0]!;
  throw new DriverError(
    'bad_response',
    `trả lời không đúng tài liệu Pexip / reply not as documented (${what}: ${i.path.join('.') || '(root)'}: ${i.message})`,
  );
}

/** What one site's participant(s) showed in this poll. */
export interface SiteMedia {
  site: string;
  participants: number;
  /** worst rx/tx packet loss over the streams, percent */
  lossPct: number | null;
  /** worst rx jitter over the streams, ms */
  jitterMs: number | null;
  /** the call bandwidth, kbps */
  rateKbps: number | null;
}

/** The site a participant is, by the aliases of the inventory (direction decides which alias is the site's). */
export function siteOfParticipant(p: PexipParticipant, aliases: Map<string, string>): string | null {
  const ours = p.call_direction === 'out' ? p.destination_alias : p.source_alias;
  for (const a of [ours, p.participant_alias, p.remote_address]) {
    if (!a) continue;
    const site = aliases.get(aliasKey(a));
    if (site) return site;
  }
  return null;
}

/** Folds a participant's streams into its site's figures (the worst stream counts). */
export function foldStreams(into: SiteMedia, p: PexipParticipant, streams: PexipStream[]): void {
  into.participants++;
  const max = (a: number | null, b: number | null | undefined) =>
    b === null || b === undefined ? a : a === null ? b : Math.max(a, b);
  for (const s of streams) {
    into.lossPct = max(max(into.lossPct, s.rx_packet_loss), s.tx_packet_loss);
    into.jitterMs = max(into.jitterMs, s.rx_jitter);
  }
  if (typeof p.bandwidth === 'number') into.rateKbps = max(into.rateKbps, p.bandwidth);
}

export class PexipDriver implements Driver {
  readonly device: string;
  private readonly problems: DeviceProblems;
  /** the history API's ended participants → call records (null: not read) */
  readonly history: CallHistoryStep | null;

  constructor(
    private readonly inv: LoadedInventory,
    private readonly client: JsonClient,
    /** participants per page asked for */
    private readonly pageSize = PAGE,
    /** history: read the ended participants as call records (mcuDriver turns it on) */
    o: { history?: boolean; historyLookbackMs?: number } = {},
  ) {
    this.device = inv.inventory.mcu.id;
    this.problems = new DeviceProblems(this.device);
    this.history =
      o.history !== true
        ? null
        : new CallHistoryStep(
            this.device,
            new PexipHistory(inv, client, {
              ...(o.historyLookbackMs !== undefined && { lookbackMs: o.historyLookbackMs }),
            }),
          );
  }

  /** Every participant of every conference, following meta.next. */
  async participants(): Promise<PexipParticipant[]> {
    const out: PexipParticipant[] = [];
    let next: string | null | undefined = `${PEXIP_STATUS}/participant/?limit=${this.pageSize}&offset=0`;
    for (let page = 0; next; page++) {
      if (page >= MAX_PAGES)
        throw new DriverError(
          'bad_response',
          `quá ${MAX_PAGES} trang / over ${MAX_PAGES} pages of participants`,
        );
      const body: z.infer<typeof ParticipantPage> = parse(
        ParticipantPage,
        await this.client.get(next),
        'participant list',
      );
      out.push(...body.objects);
      next = body.meta.next;
    }
    return out;
  }

  /** A participant's media streams; null when it has left since the list was read (404). */
  async streams(participantId: string): Promise<PexipStream[] | null> {
    const path = `${PEXIP_STATUS}/participant/${encodeURIComponent(participantId)}/media_stream/`;
    let body: unknown;
    try {
      body = await this.client.get(path);
    } catch (err) {
      if (err instanceof DriverError && err.status === 404) return null;
      throw err;
    }
    return parse(StreamPage, body, 'media_stream').objects;
  }

  async poll(): Promise<DriverPoll> {
    const before = this.client.requests;
    const events: DeviceEvent[] = [];
    const samples: Sample[] = [];
    const t = Date.now();
    try {
      const list = await this.participants();
      const media = new Map<string, SiteMedia>();
      const matched: [PexipParticipant, string][] = [];
      for (const p of list) {
        if (isPexipTestCall(p)) continue; // a readiness test call, not the site joining a meeting
        const site = siteOfParticipant(p, this.inv.aliases);
        if (site) matched.push([p, site]);
      }
      let i = 0;
      const worker = async () => {
        while (i < matched.length) {
          const [p, site] = matched[i++]!;
          const streams = await this.streams(p.id);
          if (!streams) continue; // left between the list and now
          let m = media.get(site);
          if (!m) {
            m = { site, participants: 0, lossPct: null, jitterMs: null, rateKbps: null };
            media.set(site, m);
          }
          foldStreams(m, p, streams);
        }
      };
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, matched.length) }, worker));
      const time = Date.now();
      samples.push(this.sample(this.device, 'mcu_participants', list.length, time, null));
      for (const siteId of new Set(this.inv.aliases.values())) {
        const m = media.get(siteId);
        samples.push(this.sample(siteId, 'mcu_port_up', m ? 1 : 0, time, siteId));
        if (!m) continue;
        if (m.lossPct !== null) samples.push(this.sample(siteId, 'loss_pct', m.lossPct, time, siteId));
        if (m.jitterMs !== null) samples.push(this.sample(siteId, 'jitter_ms', m.jitterMs, time, siteId));
        if (m.rateKbps !== null)
          samples.push(this.sample(siteId, 'call_rate_kbps', m.rateKbps, time, siteId));
      }
      events.push(...this.problems.ok(t));
    } catch (err) {
      // nothing about the sites: a silent API is the MCU's fault, not theirs
      events.push(...this.problems.failed(t, err));
    }
    // the ended participants, read while the status API answers (after the samples: a leave the
    // port state shows in this poll is then merged with its record, docs/meetings.md)
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
