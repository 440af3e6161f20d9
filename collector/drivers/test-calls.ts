// Readiness test calls dialled by the MCU through its management API (issue 20; Điều 7.1.b "vận hành
// thử"): the MCU calls the site's alias into the test conference, the status is polled at a bounded
// rate until the call connects (or fails, or the deadline passes), the media is read after holding the
// call a few seconds, and the call is always hung up — also after a timeout or an error. Pexip Infinity
// (command API dial/disconnect + status API) and Cisco TelePresence MCU/Server XML-RPC (participant.add /
// participant.enumerate / participant.diagnostics / participant.remove). docs/mcu-drivers.md has the
// request fields and the documents they follow.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { type LoadedInventory, parseAddress, resolveMcuPassword } from '../../inventory/load.ts';
import type { Site } from '../../inventory/schema.ts';
import { CiscoParticipant, type Counts, windowLoss } from './cisco-telepresence.ts';
import { CommandClient } from './command-client.ts';
import { DriverError, JsonClient } from './http.ts';
import { foldStreams, PEXIP_STATUS, PexipParticipant, PexipStream, type SiteMedia } from './pexip.ts';
import { CISCO_TEST_CALL_PREFIX, PEXIP_TEST_CALL_NAME } from './test-call-names.ts';
import { XmlRpcClient, XmlRpcFault } from './xmlrpc.ts';

export const PEXIP_COMMAND = '/api/admin/command/v1';

export interface TestCallOptions {
  /** Pexip: the conference_alias the call is placed from; Cisco: the conferenceName it is added to */
  conference: string;
  /** how long the MCU may take to connect the call */
  timeoutMs: number;
  /** how long the call is held once connected before its media is read */
  holdMs: number;
  /** the status is read at most this often while waiting (at least 250 ms) */
  pollMs: number;
  /** Pexip: the system location to dial from (routing "manual"); absent: the call routing rules */
  systemLocation?: string;
}

export interface TestCallMedia {
  /** the worse direction, percent */
  lossPct: number | null;
  jitterMs: number | null;
  rateKbps: number | null;
}

export interface TestCallResult {
  site: string;
  /** the alias dialled; null when the site has none */
  destination: string | null;
  /**
   * connected: the site answered; failed: the MCU called and the site did not connect (or dropped);
   * not_made: the MCU's API did not place or follow the call — nothing is known about the site
   */
  outcome: 'connected' | 'failed' | 'not_made';
  /** from the dial request to the call connected */
  connectMs: number | null;
  media: TestCallMedia | null;
  /** failed: the MCU's own words (Cisco disconnectReason) or what was seen */
  cause: string | null;
  /** not_made: why (the API's error); connected/failed: a later error, e.g. reading the media */
  error: string | null;
  /** the hang-up: done, not needed (the call never existed or had ended), failed (the call may still be up) */
  hangup: 'done' | 'not_needed' | 'failed';
  hangupError: string | null;
  /** requests this test call made */
  requests: number;
}

export interface TestCaller {
  readonly protocol: string;
  testCall(site: Site, o: TestCallOptions): Promise<TestCallResult>;
  /**
   * Hangs up the calls whose dial request got no answer in time (the MCU may have placed them later):
   * found by the name given to them; returns how many were hung up. Kept for the next sweep when the
   * API does not answer.
   */
  sweep(): Promise<number>;
  close(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pollEvery = (o: TestCallOptions) => Math.max(250, o.pollMs);

/** The address the MCU dials for a site: its first alias, else its codec's, else the codec's host. */
export function destinationOf(site: Site): string | null {
  const codec = site.devices.find((d) => d.kind === 'codec');
  return site.aliases?.[0] ?? codec?.aliases?.[0] ?? (codec ? parseAddress(codec.address).host : null);
}

/** The alias without its scheme, and the protocol the scheme names (default SIP). */
export function splitAlias(alias: string): { address: string; protocol: 'sip' | 'h323' } {
  const m = /^(sips?|h323):(.*)$/i.exec(alias);
  if (!m) return { address: alias, protocol: 'sip' };
  return { address: m[2]!, protocol: m[1]!.toLowerCase() === 'h323' ? 'h323' : 'sip' };
}

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

function result(site: Site, destination: string | null): TestCallResult {
  return {
    site: site.id,
    destination,
    outcome: 'not_made',
    connectMs: null,
    media: null,
    cause: null,
    error: null,
    hangup: 'not_needed',
    hangupError: null,
    requests: 0,
  };
}

function noAlias(site: Site): TestCallResult {
  return {
    ...result(site, null),
    error:
      'điểm cầu không có bí danh hay địa chỉ codec trong danh mục / the site has no alias or codec address in the inventory',
  };
}

// ------------------------------------------------------------------------------------------- Pexip

/** The command API's reply to dial (docs/mcu-drivers.md). */
const DialReply = z
  .object({
    status: z.string(),
    data: z
      .object({ participant_id: z.string().min(1), participant_ids: z.array(z.string().min(1)).optional() })
      .loose()
      .optional(),
  })
  .loose();

export class PexipTestCaller implements TestCaller {
  readonly protocol = 'pexip-mgmt';
  /** display names of dials that got no answer: swept later */
  private readonly pending = new Set<string>();

  constructor(
    private readonly status: JsonClient,
    private readonly command: CommandClient,
  ) {}

  private count() {
    return this.status.requests + this.command.requests;
  }

  async testCall(site: Site, o: TestCallOptions): Promise<TestCallResult> {
    const dest = destinationOf(site);
    if (!dest) return noAlias(site);
    const before = this.count();
    const r = result(site, dest);
    const { address, protocol } = splitAlias(dest);
    let ids: string[] = [];
    const name = `${PEXIP_TEST_CALL_NAME} ${site.id} ${randomBytes(3).toString('hex')}`;
    const t0 = Date.now();
    try {
      if (this.pending.size > 0) await this.sweep().catch(() => 0);
      const reply = DialReply.safeParse(
        await this.command
          .post(`${PEXIP_COMMAND}/participant/dial/`, {
            conference_alias: o.conference,
            destination: address,
            protocol,
            role: 'guest',
            call_type: 'video',
            routing: o.systemLocation ? 'manual' : 'routing_rule',
            ...(o.systemLocation && { system_location: o.systemLocation }),
            remote_display_name: name,
            streaming: false,
          })
          .catch((err) => {
            // no answer in time: the MCU may still place the call; it is hung up by name later
            if (err instanceof DriverError && err.kind === 'unreachable') this.pending.add(name);
            throw err;
          }),
      );
      if (!reply.success || reply.data.status !== 'success' || !reply.data.data)
        throw new DriverError(
          'bad_response',
          `trả lời không đúng tài liệu Pexip / reply not as documented (participant/dial: ${
            reply.success ? `status "${reply.data.status}"` : reply.error.issues[0]!.message
          })`,
        );
      ids = reply.data.data.participant_ids?.length
        ? reply.data.data.participant_ids
        : [reply.data.data.participant_id];
      const id = ids[0]!;
      // wait for the call to connect: present with media; gone (404) means it ended unanswered
      let p: PexipParticipant | null = null;
      for (;;) {
        p = await this.participant(id);
        if (p === null) {
          r.outcome = 'failed';
          r.cause = `cuộc gọi kết thúc sau ${((Date.now() - t0) / 1000).toFixed(1)} giây mà không kết nối / the call ended unanswered after ${Date.now() - t0} ms`;
          return r;
        }
        // answered: media flowing (has_media, or any media stream: the documented example participant
        // of the status API is connected with has_media false)
        if (p.has_media === true || ((await this.streams(id)) ?? []).length > 0) break;
        if (Date.now() - t0 >= o.timeoutMs) {
          r.outcome = 'failed';
          r.cause = `không kết nối trong ${o.timeoutMs / 1000} giây / not connected within ${o.timeoutMs} ms`;
          return r;
        }
        await sleep(pollEvery(o));
      }
      r.outcome = 'connected';
      r.connectMs = Date.now() - t0;
      // hold the call, then read what the MCU measured on it
      await sleep(o.holdMs);
      const again = await this.participant(id);
      const streams = again ? await this.streams(id) : null;
      if (!again || !streams) {
        r.outcome = 'failed';
        r.cause = `cuộc gọi rớt trong lúc giữ máy / the call dropped while held (${o.holdMs} ms)`;
        return r;
      }
      const m: SiteMedia = { site: site.id, participants: 0, lossPct: null, jitterMs: null, rateKbps: null };
      foldStreams(m, again, streams);
      r.media = { lossPct: m.lossPct, jitterMs: m.jitterMs, rateKbps: m.rateKbps };
      return r;
    } catch (err) {
      if (r.outcome === 'connected') r.error = errText(err);
      else {
        r.outcome = 'not_made';
        r.error = errText(err);
      }
      return r;
    } finally {
      for (const id of ids) await this.hangUp(id, r);
      r.requests = this.count() - before;
    }
  }

  async sweep(): Promise<number> {
    if (this.pending.size === 0) return 0;
    let n = 0;
    let next: string | null | undefined = `${PEXIP_STATUS}/participant/?limit=500&offset=0`;
    for (let page = 0; next && page < 100; page++) {
      const body = z
        .object({
          meta: z.object({ next: z.string().nullable().optional() }).loose(),
          objects: z.array(PexipParticipant),
        })
        .safeParse(await this.status.get(next));
      if (!body.success) return n;
      for (const p of body.data.objects)
        if (p.display_name && this.pending.has(p.display_name)) {
          const r = result({ id: '', devices: [] } as unknown as Site, null);
          await this.hangUp(p.id, r);
          if (r.hangup !== 'failed') this.pending.delete(p.display_name);
          if (r.hangup === 'done') n++;
        }
      next = body.data.meta.next;
    }
    return n;
  }

  /** The participant now; null when it is gone (404). */
  private async participant(id: string): Promise<PexipParticipant | null> {
    try {
      const body = await this.status.get(`${PEXIP_STATUS}/participant/${encodeURIComponent(id)}/`);
      const p = PexipParticipant.extend({ has_media: z.boolean().optional() }).safeParse(body);
      if (!p.success)
        throw new DriverError(
          'bad_response',
          `trả lời không đúng tài liệu Pexip / reply not as documented (participant: ${p.error.issues[0]!.message})`,
        );
      return p.data;
    } catch (err) {
      if (err instanceof DriverError && err.status === 404) return null;
      throw err;
    }
  }

  private async streams(id: string): Promise<PexipStream[] | null> {
    try {
      const body = await this.status.get(
        `${PEXIP_STATUS}/participant/${encodeURIComponent(id)}/media_stream/`,
      );
      const s = z
        .object({ objects: z.array(PexipStream) })
        .loose()
        .safeParse(body);
      if (!s.success)
        throw new DriverError(
          'bad_response',
          `trả lời không đúng tài liệu Pexip / reply not as documented (media_stream: ${s.error.issues[0]!.message})`,
        );
      return s.data.objects;
    } catch (err) {
      if (err instanceof DriverError && err.status === 404) return null;
      throw err;
    }
  }

  /** participant/disconnect; a 404 is a call already ended. One retry after a failure. */
  private async hangUp(id: string, r: TestCallResult): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await this.command.post(`${PEXIP_COMMAND}/participant/disconnect/`, { participant_id: id });
        r.hangup = 'done';
        r.hangupError = null;
        return;
      } catch (err) {
        if (err instanceof DriverError && err.status === 404) {
          if (r.hangup !== 'done') r.hangup = 'not_needed';
          return;
        }
        r.hangup = 'failed';
        r.hangupError = errText(err);
      }
    }
  }

  close(): void {
    this.status.close();
    this.command.close();
  }
}

// ------------------------------------------------------------------------------------------- Cisco

/** fault "no such participant" (TANDBERG API 3.0 §11) */
const FAULT_NO_SUCH_PARTICIPANT = 5;
/** an enumeration longer than this many replies is refused */
const MAX_PAGES = 1000;

const Enumerate = z
  .object({ participants: z.array(CiscoParticipant), enumerateID: z.string().optional() })
  .loose();

const State = z
  .object({
    callState: z.string().optional(),
    disconnectReason: z.string().optional(),
    audioRxReceived: z.number().optional(),
    audioRxLost: z.number().optional(),
    videoRxReceived: z.number().optional(),
    videoRxLost: z.number().optional(),
    audioTxSent: z.number().optional(),
    audioTxReportedLost: z.number().optional(),
    videoTxSent: z.number().optional(),
    videoTxReportedLost: z.number().optional(),
  })
  .loose();

/** Received and sent packets (all channels) since the call began: { total, lost } each. */
function packets(s: z.infer<typeof State>): { rx: Counts; tx: Counts } {
  const n = (v: number | undefined) => v ?? 0;
  const rxOk = n(s.audioRxReceived) + n(s.videoRxReceived);
  const rxLost = n(s.audioRxLost) + n(s.videoRxLost);
  const tx = n(s.audioTxSent) + n(s.videoTxSent);
  return {
    rx: { total: rxOk + rxLost, lost: rxLost },
    tx: { total: tx, lost: Math.min(tx, n(s.audioTxReportedLost) + n(s.videoTxReportedLost)) },
  };
}

export class CiscoTestCaller implements TestCaller {
  /** identifications of participant.add calls that got no answer in time: removed later */
  private readonly pending = new Map<string, Record<string, string>>();

  constructor(
    readonly protocol: 'cisco-tps-xmlrpc' | 'cisco-mcu-xmlrpc',
    private readonly client: XmlRpcClient,
    /** the participantName of the next test call (unique per call) */
    private readonly newName = () => `${CISCO_TEST_CALL_PREFIX}${randomBytes(5).toString('hex')}`,
  ) {}

  async testCall(site: Site, o: TestCallOptions): Promise<TestCallResult> {
    const dest = destinationOf(site);
    if (!dest) return noAlias(site);
    const before = this.client.requests;
    const r = result(site, dest);
    const { address, protocol } = splitAlias(dest);
    // an API-added participant is identified by name, protocol, type and conference (MCU API 2.9 p. 9)
    const ident = {
      conferenceName: o.conference,
      participantName: this.newName(),
      participantProtocol: protocol,
      participantType: 'by_address',
    };
    let added = false;
    const t0 = Date.now();
    try {
      if (this.pending.size > 0) await this.sweep().catch(() => 0);
      await this.client.call('participant.add', { ...ident, address }).catch((err) => {
        // no answer in time: the MCU may still add (and call) it; removed by its name later
        if (err instanceof DriverError && err.kind === 'unreachable')
          this.pending.set(ident.participantName, ident);
        throw err;
      });
      added = true;
      let at: { rx: Counts; tx: Counts };
      for (;;) {
        const s = await this.state(ident);
        if (s?.callState === 'connected') {
          at = packets(s);
          break;
        }
        if (s?.callState === 'disconnected') {
          r.outcome = 'failed';
          r.cause = s.disconnectReason ?? 'disconnected';
          return r;
        }
        if (Date.now() - t0 >= o.timeoutMs) {
          r.outcome = 'failed';
          r.cause = `không kết nối trong ${o.timeoutMs / 1000} giây / not connected within ${o.timeoutMs} ms`;
          return r;
        }
        await sleep(pollEvery(o));
      }
      r.outcome = 'connected';
      r.connectMs = Date.now() - t0;
      await sleep(o.holdMs);
      const s = await this.state(ident);
      if (s?.callState !== 'connected') {
        r.outcome = 'failed';
        r.cause =
          s?.disconnectReason ??
          `cuộc gọi rớt trong lúc giữ máy / the call dropped while held (${o.holdMs} ms)`;
        return r;
      }
      // loss over the held time (the counters at connect as the start), the worse direction
      const now = packets(s);
      const rxLoss = windowLoss(now.rx, at.rx);
      const txLoss = windowLoss(now.tx, at.tx);
      const loss = rxLoss === null ? txLoss : txLoss === null ? rxLoss : Math.max(rxLoss, txLoss);
      const diag = (await this.client.call('participant.diagnostics', ident)) as Record<string, unknown>;
      const bps = diag?.videoRxActualBitRate ?? diag?.videoRxChannelBitRate;
      r.media = {
        lossPct: loss,
        jitterMs: null,
        rateKbps: typeof bps === 'number' ? bps / 1000 : null,
      };
      return r;
    } catch (err) {
      if (r.outcome === 'connected') r.error = errText(err);
      else {
        r.outcome = 'not_made';
        r.error = errText(err);
      }
      return r;
    } finally {
      if (added) await this.hangUp(ident, r);
      r.requests = this.client.requests - before;
    }
  }

  async sweep(): Promise<number> {
    let n = 0;
    for (const [name, ident] of [...this.pending]) {
      const r = result({ id: '', devices: [] } as unknown as Site, null);
      await this.hangUp(ident, r);
      if (r.hangup !== 'failed') this.pending.delete(name);
      if (r.hangup === 'done') n++;
    }
    return n;
  }

  /** Our participant's currentState from participant.enumerate (every reply); null when not listed. */
  private async state(ident: {
    conferenceName: string;
    participantName: string;
    participantType: string;
  }): Promise<z.infer<typeof State> | null> {
    let enumerateID: string | undefined;
    let found: z.infer<typeof State> | null = null;
    for (let page = 0; page < MAX_PAGES; page++) {
      const body = Enumerate.safeParse(
        await this.client.call('participant.enumerate', {
          operationScope: ['currentState'],
          ...(enumerateID !== undefined && { enumerateID }),
        }),
      );
      if (!body.success)
        throw new DriverError(
          'bad_response',
          `trả lời không đúng tài liệu Cisco / reply not as documented (participant.enumerate: ${body.error.issues[0]!.message})`,
        );
      for (const p of body.data.participants)
        if (
          p.participantName === ident.participantName &&
          p.participantType === ident.participantType &&
          p.conferenceName === ident.conferenceName
        ) {
          const st = State.safeParse(p.currentState ?? {});
          if (!st.success)
            throw new DriverError(
              'bad_response',
              `trả lời không đúng tài liệu Cisco / reply not as documented (participant.enumerate: currentState: ${st.error.issues[0]!.message})`,
            );
          found = st.data;
        }
      if (!body.data.enumerateID || body.data.enumerateID === enumerateID) return found;
      enumerateID = body.data.enumerateID;
    }
    throw new DriverError(
      'bad_response',
      `quá ${MAX_PAGES} lần enumerateID / over ${MAX_PAGES} enumerate replies`,
    );
  }

  /** participant.remove (the participant is also forgotten, so the MCU will not call it again); fault 5: gone. */
  private async hangUp(ident: Record<string, string>, r: TestCallResult): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await this.client.call('participant.remove', ident);
        r.hangup = 'done';
        r.hangupError = null;
        return;
      } catch (err) {
        if (err instanceof XmlRpcFault && err.faultCode === FAULT_NO_SUCH_PARTICIPANT) {
          r.hangup = 'not_needed';
          return;
        }
        r.hangup = 'failed';
        r.hangupError = errText(err);
      }
    }
  }

  close(): void {
    this.client.close();
  }
}

// ------------------------------------------------------------------------------------------- factory

/** The test caller of the inventory's MCU when its management API can dial out (null: SNMP MCU). */
export function mcuTestCaller(inv: LoadedInventory, env: NodeJS.ProcessEnv = process.env): TestCaller | null {
  const api = inv.mcuApi;
  if (!api) return null;
  const ca = api.caFile ? readFileSync(api.caFile) : undefined;
  const options = {
    url: api.url,
    user: api.user,
    password: resolveMcuPassword(inv, env),
    timeoutMs: api.timeoutMs ?? 5000,
    ...(ca && { ca }),
    ...(api.pinSha256 && { pinSha256: api.pinSha256 }),
  };
  switch (api.protocol) {
    case 'pexip-mgmt':
      return new PexipTestCaller(new JsonClient(options), new CommandClient(options));
    case 'cisco-tps-xmlrpc':
    case 'cisco-mcu-xmlrpc':
      return new CiscoTestCaller(api.protocol, new XmlRpcClient(options));
  }
}
