// Meetings as they happened. From the MCU's port state (authoritative) and the codecs' call state
// (where the MCU says nothing of a site), each site's legs in a call — joined, left, and whether it
// left because it was disconnected or because the NOC stopped hearing about it — are recorded and
// grouped into observed calls: one per registered meeting, the readiness test runs before it, and the
// calls nobody registered (Điều 8.2.c), which the NOC later attaches or classifies.
import type { Sample } from '../core/bus.ts';
import type { CallRecord } from '../core/call-records.ts';
import type { DisconnectCause } from '../core/vocabulary.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import type { StateDb } from '../storage/state-db.ts';
import { MeetingsError } from './errors.ts';
import { type DbMeetings, newId } from './store.ts';

export const CALL_KINDS = ['registered', 'test', 'unregistered', 'central', 'district_hosted'] as const;
export type CallKind = (typeof CALL_KINDS)[number];

export const CALL_KIND_LABEL: Record<CallKind, { vi: string; en: string }> = {
  registered: { vi: 'Đã đăng ký', en: 'registered' },
  test: { vi: 'Kiểm tra trước cuộc họp', en: 'test run' },
  unregistered: { vi: 'Chưa đăng ký', en: 'unregistered' },
  central: { vi: 'Trung ương chủ trì', en: 'central' },
  district_hosted: { vi: 'Cấp huyện chủ trì', en: 'district-hosted' },
};

export interface ObservedLeg {
  id: number;
  call_id: string;
  site: string;
  joined_at: number;
  left_at: number | null;
  left_reason: 'disconnected' | 'no_data' | null;
  /** what said it was connected; 'mcu_record': only the MCU's call record (history / CDR log) */
  source: 'mcu_port' | 'codec' | 'mcu_record';
  /** in a registered meeting's call without being registered for it (Điều 8.2.c) */
  unregistered_site: boolean;
  /** the MCU's call record this leg follows (its times and cause), null when it has none (yet) */
  record_id: string | null;
  /** why it ended as the MCU recorded it (core/vocabulary.ts DISCONNECT_CAUSES) */
  left_cause: DisconnectCause | null;
  /** the MCU's own words for it */
  left_cause_vendor: string | null;
}

export interface ObservedCall {
  id: string;
  kind: CallKind;
  meeting_id: string | null;
  started_at: number;
  ended_at: number | null;
  host_org: string | null;
  title: string | null;
  classified_by: string | null;
  classified_at: number | null;
  note: string | null;
  legs: ObservedLeg[];
}

export interface ObserverOptions {
  /** collector poll interval: a site unheard of for 3 intervals is "no data" */
  intervalMs: number;
  /** a site may join this early and leave this late and still be in the meeting (default 30 min) */
  graceMs?: number;
  /** a site connecting this long before a meeting it is registered for is its test run (default 13 h) */
  testWindowMs?: number;
  /** a call with no site connected for this long has ended; a new connection starts another (2 min) */
  gapMs?: number;
}

interface Reading {
  value: number;
  time: number;
}

interface SiteState {
  port?: Reading;
  codec?: Reading;
  leg?: { id: number; call: string; lastConnected: number };
}

type CallRow = Omit<ObservedCall, 'legs'>;
type LegRow = Omit<ObservedLeg, 'unregistered_site'> & { unregistered_site: number };

export interface CallEvent {
  kind: 'call_started' | 'unregistered_site';
  call: ObservedCall;
  site: string;
  at: number;
}

const MIN = 60_000;

/** Reading and classifying the recorded calls (the API and the reports); the recorder extends it. */
export class CallLog {
  constructor(
    protected readonly db: StateDb,
    protected readonly inventory: LoadedInventory,
    protected readonly meetings: DbMeetings,
  ) {}

  protected meetingCall(meeting: string, kind: 'registered' | 'test', at: number): CallRow {
    const row = this.db
      .prepare(
        'SELECT * FROM observed_calls WHERE meeting_id = ? AND kind = ? ORDER BY started_at DESC LIMIT 1',
      )
      .get(meeting, kind) as CallRow | undefined;
    return row ?? this.insert(kind, meeting, at);
  }

  protected insert(kind: CallKind, meeting: string | null, at: number): CallRow {
    const id = newId('call');
    this.db
      .prepare('INSERT INTO observed_calls (id, kind, meeting_id, started_at) VALUES (?, ?, ?, ?)')
      .run(id, kind, meeting, at);
    return this.db.prepare('SELECT * FROM observed_calls WHERE id = ?').get(id) as CallRow;
  }

  // ------------------------------------------------------------------------------------- reading

  get(id: string): ObservedCall | undefined {
    const row = this.db.prepare('SELECT * FROM observed_calls WHERE id = ?').get(id) as CallRow | undefined;
    return row ? this.withLegs([row])[0] : undefined;
  }

  require(id: string): ObservedCall {
    const c = this.get(id);
    if (!c)
      throw new MeetingsError(404, 'not_found', `Không tìm thấy cuộc gọi "${id}" / Not found: call "${id}"`);
    return c;
  }

  /** Calls that overlap [from, to) (a live call overlaps everything after its start). */
  list(
    f: { from?: number; to?: number; kind?: CallKind; meeting?: string; live?: boolean } = {},
  ): ObservedCall[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (f.from !== undefined) {
      where.push('(ended_at IS NULL OR ended_at > ?)');
      args.push(f.from);
    }
    if (f.to !== undefined) {
      where.push('started_at < ?');
      args.push(f.to);
    }
    if (f.kind) {
      where.push('kind = ?');
      args.push(f.kind);
    }
    if (f.meeting) {
      where.push('meeting_id = ?');
      args.push(f.meeting);
    }
    if (f.live) where.push('ended_at IS NULL');
    const rows = this.db
      .prepare(
        `SELECT * FROM observed_calls ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at, id`,
      )
      .all(...args) as CallRow[];
    return this.withLegs(rows);
  }

  /** The observed session of a registered meeting (null when no site of it ever connected). */
  forMeeting(meeting: string): ObservedCall | null {
    return this.list({ meeting, kind: 'registered' })[0] ?? null;
  }

  private withLegs(rows: CallRow[]): ObservedCall[] {
    const legs = this.db.prepare('SELECT * FROM observed_legs WHERE call_id = ? ORDER BY joined_at, id');
    return rows.map((r) => ({
      ...r,
      legs: (legs.all(r.id) as LegRow[]).map((l) => ({ ...l, unregistered_site: l.unregistered_site === 1 })),
    }));
  }

  /**
   * The NOC says what an unregistered call was: attached to a registration (its legs join that
   * meeting's observed call), or a central or district-hosted meeting with its host and title.
   */
  classify(
    id: string,
    c: {
      kind: 'registered' | 'central' | 'district_hosted' | 'unregistered';
      meeting_id?: string;
      host_org?: string;
      title?: string;
      note?: string;
    },
    by: string,
    now: number,
  ): ObservedCall {
    const call = this.require(id);
    if (call.kind === 'registered' || call.kind === 'test')
      throw new MeetingsError(
        409,
        'conflict',
        'Cuộc gọi của một cuộc họp đã đăng ký không phân loại lại được / a registered meeting’s call cannot be reclassified',
      );
    if (c.host_org !== undefined && !this.inventory.organisations.has(c.host_org))
      throw new MeetingsError(
        400,
        'invalid',
        `Không có cơ quan "${c.host_org}" / unknown organisation "${c.host_org}"`,
      );
    if (c.kind === 'registered') {
      if (!c.meeting_id)
        throw new MeetingsError(
          400,
          'invalid',
          'Cần meeting_id để gắn vào cuộc họp đã đăng ký / meeting_id is required',
        );
      const m = this.meetings.require(c.meeting_id);
      const target = this.meetingCall(m.id, 'registered', call.started_at);
      this.db.transaction(() => {
        const sites = new Set(m.sites);
        for (const l of call.legs)
          this.db
            .prepare('UPDATE observed_legs SET call_id = ?, unregistered_site = ? WHERE id = ?')
            .run(target.id, sites.has(l.site) ? 0 : 1, l.id);
        this.db
          .prepare(
            `UPDATE observed_calls SET started_at = min(started_at, ?),
               ended_at = CASE WHEN EXISTS (SELECT 1 FROM observed_legs WHERE call_id = ? AND left_at IS NULL) THEN NULL
                 ELSE (SELECT max(left_at) FROM observed_legs WHERE call_id = ?) END,
               classified_by = ?, classified_at = ?, note = ? WHERE id = ?`,
          )
          .run(call.started_at, target.id, target.id, by, now, c.note ?? null, target.id);
        this.db.prepare('DELETE FROM observed_calls WHERE id = ?').run(call.id);
      })();
      return this.require(target.id);
    }
    this.db
      .prepare(
        'UPDATE observed_calls SET kind = ?, host_org = ?, title = ?, note = ?, classified_by = ?, classified_at = ? WHERE id = ?',
      )
      .run(c.kind, c.host_org ?? call.host_org, c.title ?? call.title, c.note ?? call.note, by, now, id);
    return this.require(id);
  }
}

export class ObservedCalls extends CallLog {
  private readonly sites = new Map<string, SiteState>();
  private readonly codecs: Set<string>;
  private readonly mcu: string;
  private readonly staleMs: number;
  private readonly graceMs: number;
  private readonly testWindowMs: number;
  private readonly gapMs: number;
  private latest = 0;
  private listeners: ((e: CallEvent) => void)[] = [];

  constructor(db: StateDb, inventory: LoadedInventory, meetings: DbMeetings, o: ObserverOptions) {
    super(db, inventory, meetings);
    this.mcu = inventory.inventory.mcu.id;
    this.codecs = new Set([...inventory.devices.values()].filter((d) => d.kind === 'codec').map((d) => d.id));
    this.staleMs = 3 * o.intervalMs + 1_000;
    this.graceMs = o.graceMs ?? 30 * MIN;
    this.testWindowMs = o.testWindowMs ?? 13 * 3_600_000;
    this.gapMs = o.gapMs ?? 2 * MIN;
    this.resume();
  }

  /**
   * Reads the legs left open back from the state database: those of the last run, or (two servers,
   * bus/standby.ts) those the other server recorded while this one was the standby. Kept open until
   * the data says otherwise (or stays silent).
   */
  resume(): void {
    this.sites.clear();
    const open = this.db
      .prepare('SELECT id, call_id, site, joined_at FROM observed_legs WHERE left_at IS NULL')
      .all() as { id: number; call_id: string; site: string; joined_at: number }[];
    for (const l of open) {
      this.sites.set(l.site, { leg: { id: l.id, call: l.call_id, lastConnected: l.joined_at } });
      this.latest = Math.max(this.latest, l.joined_at);
    }
  }

  onEvent(cb: (e: CallEvent) => void): () => void {
    this.listeners.push(cb);
    return () => {
      this.listeners = this.listeners.filter((x) => x !== cb);
    };
  }

  /** Takes one batch of samples from the bus. */
  observe(batch: readonly Sample[]): void {
    const touched = new Set<string>();
    for (const s of batch) {
      if (s.metric === 'mcu_port_up' && s.device === this.mcu) {
        this.state(s.site).port = { value: s.value, time: s.time };
      } else if (s.metric === 'in_call' && this.codecs.has(s.device)) {
        this.state(s.site).codec = { value: s.value, time: s.time };
      } else continue;
      touched.add(s.site);
      if (s.time > this.latest) this.latest = s.time;
    }
    if (touched.size === 0) return;
    const tx = this.db.transaction(() => {
      for (const site of touched) this.judge(site);
      this.sweep(this.latest);
    });
    tx();
  }

  /**
   * Takes one of the MCU's call records (core/call-records.ts): the authoritative join, leave and
   * cause of a site's leg. The same record twice changes nothing; a leg the port state already has
   * for that time takes the record's times and cause (legs the port state split while the MCU saw one
   * participant are folded into it); a call the port state never saw becomes a leg of its own.
   */
  record(r: CallRecord): void {
    if (r.mcu !== this.mcu || !this.inventory.sites.has(r.site)) return;
    this.db.transaction(() => this.applyRecord(r))();
  }

  private applyRecord(r: CallRecord): void {
    const known = this.db
      .prepare('SELECT id, left_cause_vendor FROM observed_legs WHERE record_id = ?')
      .get(r.record_id) as { id: number; left_cause_vendor: string | null } | undefined;
    if (known) {
      if (known.left_cause_vendor === null && r.vendor_cause !== null)
        this.db
          .prepare('UPDATE observed_legs SET left_cause = ?, left_cause_vendor = ? WHERE id = ?')
          .run(r.cause, r.vendor_cause, known.id);
      return;
    }
    const from = r.joined_at ?? r.left_at;
    // the port state sees a join up to an interval late and a leave up to an interval late
    const legs = this.db
      .prepare(
        `SELECT * FROM observed_legs WHERE site = ? AND record_id IS NULL AND joined_at <= ?
           AND (left_at IS NULL OR left_at >= ?) ORDER BY joined_at, id`,
      )
      .all(r.site, r.left_at + 1_000, from - this.staleMs) as LegRow[];
    const calls = new Set<string>();
    const first = legs[0];
    if (first) {
      const joined = Math.min(r.joined_at ?? first.joined_at, r.left_at);
      this.db
        .prepare(
          `UPDATE observed_legs SET joined_at = ?, left_at = ?, left_reason = 'disconnected', record_id = ?,
             left_cause = ?, left_cause_vendor = ? WHERE id = ?`,
        )
        .run(joined, r.left_at, r.record_id, r.cause, r.vendor_cause, first.id);
      calls.add(first.call_id);
      const s = this.sites.get(r.site);
      if (s?.leg?.id === first.id) s.leg = undefined;
      // the port state's other pieces of the same participant's call
      for (const l of legs.slice(1)) {
        if (l.left_at === null || l.left_at > r.left_at + this.staleMs) continue;
        this.db.prepare('DELETE FROM observed_legs WHERE id = ?').run(l.id);
        calls.add(l.call_id);
      }
    } else {
      if (r.joined_at === null) return; // a leave with no join known and no leg to attach it to
      // a record read late (after a restart) belongs to no call that began after it ended
      const { call, unregisteredSite } = this.callFor(r.site, r.joined_at, r.left_at);
      this.db
        .prepare(
          `INSERT INTO observed_legs (call_id, site, joined_at, left_at, left_reason, source, unregistered_site,
             record_id, left_cause, left_cause_vendor) VALUES (?, ?, ?, ?, 'disconnected', 'mcu_record', ?, ?, ?, ?)`,
        )
        .run(
          call.id,
          r.site,
          r.joined_at,
          r.left_at,
          unregisteredSite ? 1 : 0,
          r.record_id,
          r.cause,
          r.vendor_cause,
        );
      calls.add(call.id);
      if (unregisteredSite)
        this.emit({ kind: 'unregistered_site', call: this.require(call.id), site: r.site, at: r.joined_at });
    }
    for (const id of calls) this.refreshCall(id);
  }

  /** A call's start and end from its legs (a record may move a join earlier or end the last leg). */
  private refreshCall(id: string): void {
    this.db
      .prepare(
        `UPDATE observed_calls SET
           started_at = min(started_at, coalesce((SELECT min(joined_at) FROM observed_legs WHERE call_id = @id), started_at)),
           ended_at = CASE WHEN EXISTS (SELECT 1 FROM observed_legs WHERE call_id = @id AND left_at IS NULL) THEN NULL
             ELSE coalesce((SELECT max(left_at) FROM observed_legs WHERE call_id = @id), ended_at) END
         WHERE id = @id`,
      )
      .run({ id });
  }

  private state(site: string): SiteState {
    let s = this.sites.get(site);
    if (!s) {
      s = {};
      this.sites.set(site, s);
    }
    return s;
  }

  /** MCU port when the MCU reported it recently, else the codec; null when neither did. */
  private connected(
    s: SiteState,
    now: number,
  ): { value: boolean; time: number; source: ObservedLeg['source'] } | null {
    if (s.port && now - s.port.time <= this.staleMs)
      return { value: s.port.value >= 0.5, time: s.port.time, source: 'mcu_port' };
    if (s.codec && now - s.codec.time <= this.staleMs)
      return { value: s.codec.value >= 0.5, time: s.codec.time, source: 'codec' };
    return null;
  }

  private judge(site: string): void {
    const s = this.sites.get(site)!;
    const c = this.connected(s, this.latest);
    if (!c) return;
    if (c.value) {
      if (s.leg) s.leg.lastConnected = Math.max(s.leg.lastConnected, c.time);
      else this.join(site, s, c.time, c.source);
    } else if (s.leg) {
      this.leave(s, c.time, 'disconnected');
    }
  }

  /** Legs of sites nobody has heard of for a while end where they were last seen connected. */
  private sweep(now: number): void {
    for (const s of this.sites.values()) {
      if (!s.leg) continue;
      const heard = Math.max(s.port?.time ?? 0, s.codec?.time ?? 0, s.leg.lastConnected);
      if (now - heard > this.staleMs) this.leave(s, s.leg.lastConnected, 'no_data');
    }
  }

  private join(site: string, s: SiteState, at: number, source: ObservedLeg['source']): void {
    const { call, unregisteredSite } = this.callFor(site, at);
    const id = Number(
      this.db
        .prepare(
          'INSERT INTO observed_legs (call_id, site, joined_at, source, unregistered_site) VALUES (?, ?, ?, ?, ?)',
        )
        .run(call.id, site, at, source, unregisteredSite ? 1 : 0).lastInsertRowid,
    );
    s.leg = { id, call: call.id, lastConnected: at };
    if (call.ended_at !== null)
      this.db.prepare('UPDATE observed_calls SET ended_at = NULL WHERE id = ?').run(call.id);
    if (unregisteredSite) this.emit({ kind: 'unregistered_site', call: this.require(call.id), site, at });
  }

  private leave(s: SiteState, at: number, reason: 'disconnected' | 'no_data'): void {
    const leg = s.leg!;
    // the call is read back: the NOC may have attached this leg's call to a registration meanwhile
    const row = this.db.prepare('SELECT joined_at, call_id FROM observed_legs WHERE id = ?').get(leg.id) as
      | { joined_at: number; call_id: string }
      | undefined;
    const left = Math.max(at, row?.joined_at ?? at);
    const callId = row?.call_id ?? leg.call;
    this.db
      .prepare('UPDATE observed_legs SET left_at = ?, left_reason = ? WHERE id = ?')
      .run(left, reason, leg.id);
    s.leg = undefined;
    const still = this.db
      .prepare('SELECT count(*) AS n FROM observed_legs WHERE call_id = ? AND left_at IS NULL')
      .get(callId) as { n: number };
    if (still.n === 0) {
      this.db
        .prepare(
          'UPDATE observed_calls SET ended_at = (SELECT max(left_at) FROM observed_legs WHERE call_id = ?) WHERE id = ?',
        )
        .run(callId, callId);
    }
  }

  /**
   * The call a site joining at `at` is in: the registered meeting it is registered for (joining up
   * to `grace` early or leaving that late), else that meeting's test run, else — when a registered
   * meeting is live with sites connected — that meeting, flagged (a site in a call it was not
   * registered for), else the open unregistered call, or a new one.
   */
  private callFor(
    site: string,
    at: number,
    /** the leg ended then (a call record): calls that started later are not its call */
    until = at,
  ): { call: CallRow; unregisteredSite: boolean } {
    const mine = this.meetings.forSite(site, at - this.graceMs, 2 * this.graceMs);
    const live = mine.filter((m) => m.start - this.graceMs <= at && at < m.end + this.graceMs);
    if (live.length) {
      // the one whose window is closest to `at`: the meeting under way, not the next one
      live.sort((a, b) => Math.abs(a.start - at) - Math.abs(b.start - at));
      return { call: this.meetingCall(live[0]!.id, 'registered', at), unregisteredSite: false };
    }
    const soon = this.meetings.forSite(site, at, this.testWindowMs);
    if (soon.length) return { call: this.meetingCall(soon[0]!.id, 'test', at), unregisteredSite: false };
    const running = this.db
      .prepare(
        `SELECT c.* FROM observed_calls c WHERE c.kind = 'registered' AND c.ended_at IS NULL
           AND EXISTS (SELECT 1 FROM observed_legs l WHERE l.call_id = c.id AND l.left_at IS NULL)
           AND c.started_at <= ?
         ORDER BY c.started_at LIMIT 1`,
      )
      .get(until) as CallRow | undefined;
    if (running) return { call: running, unregisteredSite: true };
    const recent = this.db
      .prepare(
        `SELECT * FROM observed_calls WHERE kind IN ('unregistered', 'central', 'district_hosted')
           AND (ended_at IS NULL OR ended_at >= ?) AND started_at <= ? ORDER BY started_at DESC LIMIT 1`,
      )
      .get(at - this.gapMs, until + this.gapMs) as CallRow | undefined;
    if (recent) return { call: recent, unregisteredSite: false };
    const call = this.insert('unregistered', null, at);
    this.emit({ kind: 'call_started', call: this.require(call.id), site, at });
    return { call, unregisteredSite: false };
  }

  private emit(e: CallEvent): void {
    for (const l of this.listeners) l(e);
  }
}
