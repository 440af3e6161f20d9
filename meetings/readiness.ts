// Readiness test runs (Điều 7.1.b: "vận hành thử hệ thống trước 1/2 ngày và 01 giờ trước khi cuộc họp
// chính thức diễn ra"): at T-12h and T-1h of every meeting, each participating site is judged from the
// live data — the newest samples in the metrics store and the alert engine's verdict — and the result
// is stored per site. Also on demand. The clock is injected; nothing here sleeps.
import type { Sample } from '../core/bus.ts';
import type { AlertEngine, MetricsStore, SiteVerdict } from '../core/ports.ts';
import { isActive, type Runtime, type Service } from '../core/runtime.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import type { Site } from '../inventory/schema.ts';
import type { StateDb } from '../storage/state-db.ts';
import { MeetingsError } from './errors.ts';
import {
  runTestCalls,
  type TestCallConfig,
  type TestCallVerdict,
  testCallVerdict,
} from './readiness-test-calls.ts';
import type { DbMeetings, Meeting } from './store.ts';
import { duration } from './time.ts';

export const SLOTS = ['T-12h', 'T-1h', 'manual'] as const;
export type Slot = (typeof SLOTS)[number];
const SLOT_LEAD: Record<Exclude<Slot, 'manual'>, number> = { 'T-12h': 12 * 3600_000, 'T-1h': 3600_000 };

export const REASON_CODES = [
  'unreachable',
  'no_data',
  'ups_on_battery',
  'ups_runtime_short',
  'loss_high',
  'jitter_high',
  'rtt_high',
  'mos_low',
  'codec_not_answering',
  'codec_not_registered',
  'maintenance',
  'alert',
  /** the MCU's test call reached the site and it did not connect (meetings/readiness-test-calls.ts) */
  'test_call_failed',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export interface Reason {
  code: ReasonCode;
  /** for a person, Vietnamese */
  vi: string;
  en: string;
  value?: number;
}

/** The parts of a site's check (Điều 7.1.b) and the reasons that fail each; the technician's confirmation is the fourth. */
export const PARTS = ['link', 'power', 'codec'] as const;
export type Part = (typeof PARTS)[number];
const PART_OF: Partial<Record<ReasonCode, Part>> = {
  unreachable: 'link',
  no_data: 'link',
  loss_high: 'link',
  jitter_high: 'link',
  rtt_high: 'link',
  mos_low: 'link',
  ups_on_battery: 'power',
  ups_runtime_short: 'power',
  codec_not_answering: 'codec',
  codec_not_registered: 'codec',
  test_call_failed: 'codec',
};

/** Which parts of a judged site passed: a part fails when one of its reasons is present. */
export function partsOf(r: Pick<SiteReadiness, 'reasons'>): Record<Part, boolean> {
  const out: Record<Part, boolean> = { link: true, power: true, codec: true };
  for (const x of r.reasons) {
    const part = PART_OF[x.code];
    if (part) out[part] = false;
  }
  return out;
}

export interface SiteReadiness {
  site: string;
  status: 'ready' | 'not_ready';
  reasons: Reason[];
  /** the newest numbers the judgement was made from */
  metrics: Record<string, number>;
  /** the MCU's test call to the site, when the run made them (meetings/readiness-test-calls.ts) */
  test_call?: TestCallVerdict;
}

export interface ReadinessRun {
  id: number;
  meeting_id: string;
  slot: Slot;
  at: number;
  requested_by: string;
  ready: number;
  total: number;
  results: SiteReadiness[];
}

/** Limits as in alerts/default-rules.yaml's "major" bands (Polycom RMX, Cisco SRND, ITU-T G.114/G.107). */
export interface ReadinessThresholds {
  lossPct: number;
  jitterMs: number;
  rttMs: number;
  mosMin: number;
  /** UPS runtime must cover the meeting's remaining time (all of it before the start) plus this margin */
  upsMarginMin: number;
  /** samples older than this are not evidence of anything */
  staleMs: number;
}

/** The rules file's `readiness:` section as the judge reads it. */
export function thresholdsFrom(r: {
  loss_pct: number;
  jitter_ms: number;
  rtt_ms: number;
  mos_min: number;
  ups_margin_min: number;
  stale: number;
}): ReadinessThresholds {
  return {
    lossPct: r.loss_pct,
    jitterMs: r.jitter_ms,
    rttMs: r.rtt_ms,
    mosMin: r.mos_min,
    upsMarginMin: r.ups_margin_min,
    staleMs: r.stale,
  };
}

/** The thresholds of alerts/default-rules.yaml (tests that judge without a rules file). */
export const DEFAULT_THRESHOLDS: ReadinessThresholds = {
  lossPct: 1,
  jitterMs: 30,
  rttMs: 300,
  mosMin: 3.6,
  upsMarginMin: 10,
  staleMs: 5 * 60_000,
};

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));

/** The link's figures against the limits: a reason for each one over (or, MOS, under) its limit. */
function linkReasons(
  v: { loss_pct?: number; jitter_ms?: number; rtt_ms?: number; mos?: number },
  th: ReadinessThresholds,
): Reason[] {
  const out: Reason[] = [];
  const loss = v.loss_pct;
  if (loss !== undefined && loss > th.lossPct)
    out.push({
      code: 'loss_high',
      vi: `Mất gói ${fmt(loss)} % (ngưỡng ${th.lossPct} %)`,
      en: `Packet loss ${fmt(loss)} % (limit ${th.lossPct} %)`,
      value: loss,
    });
  const jitter = v.jitter_ms;
  if (jitter !== undefined && jitter > th.jitterMs)
    out.push({
      code: 'jitter_high',
      vi: `Độ biến thiên trễ ${fmt(jitter)} ms (ngưỡng ${th.jitterMs} ms)`,
      en: `Jitter ${fmt(jitter)} ms (limit ${th.jitterMs} ms)`,
      value: jitter,
    });
  const rtt = v.rtt_ms;
  if (rtt !== undefined && rtt > th.rttMs)
    out.push({
      code: 'rtt_high',
      vi: `Độ trễ khứ hồi ${fmt(rtt)} ms (ngưỡng ${th.rttMs} ms)`,
      en: `Round-trip time ${fmt(rtt)} ms (limit ${th.rttMs} ms)`,
      value: rtt,
    });
  const mos = v.mos;
  if (mos !== undefined && mos < th.mosMin)
    out.push({
      code: 'mos_low',
      vi: `Điểm chất lượng MOS ${mos.toFixed(2)} (tối thiểu ${th.mosMin})`,
      en: `MOS ${mos.toFixed(2)} (minimum ${th.mosMin})`,
      value: mos,
    });
  return out;
}

/**
 * A test call that connected measured the link where no probe did (a site with no reflector, no call
 * up): its figures stand in for the path's, judged against the same limits.
 */
export function withTestCall(r: SiteReadiness, call: TestCallVerdict, th: ReadinessThresholds): void {
  const i = r.reasons.findIndex((x) => x.code === 'no_data');
  if (i < 0) return;
  r.reasons.splice(i, 1);
  const v = {
    ...(call.loss_pct !== undefined && { loss_pct: call.loss_pct }),
    ...(call.jitter_ms !== undefined && { jitter_ms: call.jitter_ms }),
  };
  Object.assign(r.metrics, v);
  for (const reason of linkReasons(v, th))
    r.reasons.push({ ...reason, vi: `${reason.vi} — gọi thử từ MCU`, en: `${reason.en} — MCU test call` });
  r.status = r.reasons.length === 0 ? 'ready' : 'not_ready';
}

/** Judges one site for one meeting from its newest samples and the alert engine's verdict. */
export function judgeSite(o: {
  site: Site;
  samples: readonly Sample[];
  verdict: SiteVerdict | null;
  meeting: Pick<Meeting, 'start' | 'end'>;
  now: number;
  thresholds?: ReadinessThresholds;
}): SiteReadiness {
  const th = o.thresholds ?? DEFAULT_THRESHOLDS;
  const fresh = o.samples.filter((s) => s.time >= o.now - th.staleMs && s.time <= o.now + 60_000);
  const reasons: Reason[] = [];
  const metrics: Record<string, number> = {};
  const add = (r: Reason) => {
    if (!reasons.some((x) => x.code === r.code)) reasons.push(r);
  };
  const probeOf = (kind: string) => fresh.filter((s) => s.device === `${o.site.id}:${kind}`);
  const devOf = (kind: string) => o.site.devices.find((d) => d.kind === kind)?.id;
  const dv = (device: string | undefined, m: string) =>
    device === undefined ? undefined : fresh.find((s) => s.device === device && s.metric === m)?.value;
  // the path probe (RTP, else ICMP); where the site has none (no reflector, issue 20), the figures of a
  // call it is in: the MCU port's, else the codec's (core QUALITY_PRECEDENCE) — a call up is reachable
  const callOf = (src: 'mcu' | 'codec') => fresh.filter((s) => s.tags.probe === src);
  const path = probeOf('rtp').length > 0 ? probeOf('rtp') : probeOf('icmp');
  const inCall =
    fresh.some((s) => s.metric === 'mcu_port_up' && s.value === 1) || dv(devOf('codec'), 'in_call') === 1;
  const probe =
    path.length > 0 || !inCall ? path : callOf('mcu').length > 0 ? callOf('mcu') : callOf('codec');
  const pv = (m: string) =>
    m === 'reachable' && path.length === 0 && inCall ? 1 : probe.find((s) => s.metric === m)?.value;

  const reachable = pv('reachable');
  for (const m of ['reachable', 'loss_pct', 'jitter_ms', 'rtt_ms', 'mos'] as const) {
    const v = pv(m);
    if (v !== undefined) metrics[m] = v;
  }
  if (reachable === 0 || o.verdict?.state === 'down') {
    add({
      code: 'unreachable',
      vi: 'Mất kết nối tới điểm cầu',
      en: 'Site unreachable',
    });
  } else if (reachable === undefined) {
    add({
      code: 'no_data',
      vi: `Không có số liệu đo đường truyền trong ${duration(th.staleMs).vi} gần nhất`,
      en: `No link measurement in the last ${duration(th.staleMs).en}`,
    });
  } else {
    for (const r of linkReasons(
      { loss_pct: pv('loss_pct'), jitter_ms: pv('jitter_ms'), rtt_ms: pv('rtt_ms'), mos: pv('mos') },
      th,
    ))
      add(r);
  }

  const codec = devOf('codec');
  if (codec !== undefined) {
    const up = dv(codec, 'snmp_up');
    if (up !== undefined) metrics.codec_snmp_up = up;
    // the codec's registration with the gatekeeper/MCU and its call state (core/metrics.ts)
    const registered = dv(codec, 'codec_registered');
    const inCall = dv(codec, 'in_call');
    if (registered !== undefined) metrics.codec_registered = registered;
    if (inCall !== undefined) metrics.codec_in_call = inCall;
    // SNMP says snmp_up each poll; a codec read through its API (cisco-xapi) answered when it has
    // figures of its own (its API's failures are device events, never samples)
    const answered = up === 1 || (up === undefined && fresh.some((s) => s.device === codec));
    if (!answered)
      add({
        code: 'codec_not_answering',
        vi: `Thiết bị codec ${codec} không trả lời`,
        en: `Codec ${codec} not answering`,
      });
    else if (registered === 0)
      add({
        code: 'codec_not_registered',
        vi: `Codec ${codec} chưa đăng ký với MCU/gatekeeper — không gọi vào được cuộc họp`,
        en: `Codec ${codec} not registered with the MCU/gatekeeper — it cannot join the call`,
      });
  }

  const ups = devOf('ups');
  const onBattery = dv(ups, 'ups_on_battery');
  const runtime = dv(ups, 'ups_runtime_min');
  if (onBattery !== undefined) metrics.ups_on_battery = onBattery;
  if (runtime !== undefined) metrics.ups_runtime_min = runtime;
  if (onBattery === 1 || o.verdict?.state === 'on_battery')
    add({
      code: 'ups_on_battery',
      vi: 'UPS đang chạy pin — mất điện lưới',
      en: 'UPS on battery — mains power lost',
    });
  // the meeting's remaining time at the check (all of it before the start) plus the margin
  const needMin = Math.ceil((o.meeting.end - Math.max(o.meeting.start, o.now)) / 60_000) + th.upsMarginMin;
  if (runtime !== undefined) metrics.ups_need_min = needMin;
  if (runtime !== undefined && runtime < needMin)
    add({
      code: 'ups_runtime_short',
      vi: `Thời gian pin UPS còn ${fmt(runtime)} phút, cần ${needMin} phút cho cuộc họp`,
      en: `UPS runtime ${fmt(runtime)} min, the meeting needs ${needMin} min`,
      value: runtime,
    });

  if (o.verdict?.state === 'maintenance')
    add({ code: 'maintenance', vi: o.verdict.summary, en: 'Planned maintenance' });
  else if (reasons.length === 0 && o.verdict && o.verdict.state !== 'ok')
    add({ code: 'alert', vi: o.verdict.summary, en: `Alert engine: ${o.verdict.state}` });

  return { site: o.site.id, status: reasons.length === 0 ? 'ready' : 'not_ready', reasons, metrics };
}

export interface ReadinessDeps {
  meetings: DbMeetings;
  store: MetricsStore;
  alerts: AlertEngine | null;
  now?: () => number;
  thresholds?: Partial<ReadinessThresholds>;
  /** the MCU dials each site during the run (config meetings.readiness.test_calls); absent: no test calls */
  testCalls?: TestCallConfig | null;
  /** called after each stored run (scheduled or on demand), e.g. to notify the host office */
  onRun?: (run: ReadinessRun, meeting: Meeting) => void;
}

/** A readiness_runs row: the run without its results (those are rows of readiness_results). */
type RunRow = Omit<ReadinessRun, 'results'>;

export class Readiness {
  readonly now: () => number;
  private readonly th: ReadinessThresholds;
  private busy = false;
  /** the test calls under way (runs make theirs one after another) */
  private calling: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: StateDb,
    private readonly inv: LoadedInventory,
    private readonly deps: ReadinessDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.th = { ...DEFAULT_THRESHOLDS, ...deps.thresholds };
  }

  /** Judges every site of the meeting now, without storing anything. */
  async evaluate(meeting: Meeting): Promise<SiteReadiness[]> {
    const now = this.now();
    const out: SiteReadiness[] = [];
    for (const id of meeting.sites) {
      const site = this.inv.sites.get(id);
      if (!site) continue; // removed from the inventory since registration
      const samples = await this.deps.store.latest({ site: id });
      const verdict = this.deps.alerts?.verdict(id) ?? null;
      out.push(judgeSite({ site, samples, verdict, meeting, now, thresholds: this.th }));
    }
    const tc = this.deps.testCalls;
    if (tc) {
      const sites = out.map((r) => this.inv.sites.get(r.site)!);
      // one run's calls at a time: a site called twice at once (a manual run during a scheduled one)
      // would answer one and reject the other, a false failure
      const before = this.calling;
      let release!: () => void;
      this.calling = new Promise<void>((r) => {
        release = r;
      });
      await before;
      let calls: Awaited<ReturnType<typeof runTestCalls>>;
      try {
        calls = await runTestCalls(sites, tc);
      } finally {
        release();
      }
      for (const r of out) {
        const call = calls.get(r.site);
        if (!call) continue;
        r.test_call = testCallVerdict(call);
        // a call the MCU could not make says nothing about the site
        if (call.outcome === 'failed') {
          r.reasons.push({ code: 'test_call_failed', vi: r.test_call.vi, en: r.test_call.en });
          r.status = 'not_ready';
        } else if (call.outcome === 'connected') withTestCall(r, r.test_call, this.th);
      }
    }
    return out;
  }

  /** Runs and stores a test run. Scheduled slots are stored once per meeting; `manual` any number of times. */
  async run(meetingId: string, slot: Slot, by: string): Promise<ReadinessRun> {
    const meeting = this.deps.meetings.require(meetingId);
    if (meeting.cancelled_at !== null)
      throw new MeetingsError(409, 'conflict', 'Cuộc họp đã bị hủy / The meeting is cancelled');
    const results = await this.evaluate(meeting);
    const at = this.now();
    const ready = results.filter((r) => r.status === 'ready').length;
    const id = this.db.transaction(() => {
      const info = this.db
        .prepare(
          `INSERT INTO readiness_runs (meeting_id, slot, at, requested_by, ready, total) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT DO NOTHING`,
        )
        .run(meeting.id, slot, at, by, ready, results.length);
      if (info.changes === 0) return null;
      const runId = Number(info.lastInsertRowid);
      const ins = this.db.prepare(
        'INSERT INTO readiness_results (run_id, site, status, reasons, metrics, test_call) VALUES (?, ?, ?, ?, ?, ?)',
      );
      for (const r of results)
        ins.run(
          runId,
          r.site,
          r.status,
          JSON.stringify(r.reasons),
          JSON.stringify(r.metrics),
          r.test_call ? JSON.stringify(r.test_call) : null,
        );
      return runId;
    })();
    if (id === null) {
      // another tick stored this slot first
      return this.runs(meeting.id).find((r) => r.slot === slot)!;
    }
    const run: ReadinessRun = {
      id,
      meeting_id: meeting.id,
      slot,
      at,
      requested_by: by,
      ready,
      total: results.length,
      results,
    };
    this.deps.onRun?.(run, meeting);
    return run;
  }

  /**
   * Scheduled runs due now: T-12h from 12 h before the start until T-1h is due, then T-1h until the start.
   * A meeting waiting for the NOC's approval has none until it is approved (then its runs catch up).
   */
  due(now = this.now()): { meeting: string; slot: Exclude<Slot, 'manual'> }[] {
    const rows = this.db
      .prepare(
        `SELECT m.id, m.start_at,
           EXISTS (SELECT 1 FROM readiness_runs r WHERE r.meeting_id = m.id AND r.slot = 'T-12h') AS has12,
           EXISTS (SELECT 1 FROM readiness_runs r WHERE r.meeting_id = m.id AND r.slot = 'T-1h') AS has1
         FROM meetings m WHERE m.cancelled_at IS NULL AND m.status = 'confirmed' AND m.start_at > ? AND m.start_at <= ?
         ORDER BY m.start_at`,
      )
      .all(now, now + SLOT_LEAD['T-12h']) as { id: string; start_at: number; has12: number; has1: number }[];
    const out: { meeting: string; slot: Exclude<Slot, 'manual'> }[] = [];
    for (const r of rows) {
      if (now >= r.start_at - SLOT_LEAD['T-1h']) {
        if (!r.has1) out.push({ meeting: r.id, slot: 'T-1h' });
      } else if (!r.has12) out.push({ meeting: r.id, slot: 'T-12h' });
    }
    return out;
  }

  /** Runs whatever is due; a tick while the previous one is still running does nothing. */
  async tick(): Promise<ReadinessRun[]> {
    if (this.busy) return [];
    this.busy = true;
    try {
      const out: ReadinessRun[] = [];
      for (const d of this.due()) out.push(await this.run(d.meeting, d.slot, 'scheduler'));
      return out;
    } finally {
      this.busy = false;
    }
  }

  runs(meetingId: string): ReadinessRun[] {
    const rows = this.db
      .prepare('SELECT * FROM readiness_runs WHERE meeting_id = ? ORDER BY at, id')
      .all(meetingId) as RunRow[];
    const res = this.db.prepare('SELECT * FROM readiness_results WHERE run_id = ? ORDER BY site');
    return rows.map((r) => ({
      ...r,
      results: (
        res.all(r.id) as {
          site: string;
          status: 'ready' | 'not_ready';
          reasons: string;
          metrics: string;
          test_call: string | null;
        }[]
      ).map((x) => ({
        site: x.site,
        status: x.status,
        reasons: JSON.parse(x.reasons) as Reason[],
        metrics: JSON.parse(x.metrics) as Record<string, number>,
        ...(x.test_call && { test_call: JSON.parse(x.test_call) as TestCallVerdict }),
      })),
    }));
  }
}

export type ReadinessService = Readiness & Service;

/** The scheduler as a service: checks every `tickMs` (default 1 min) for due test runs. */
export function startReadiness(rt: Runtime, deps: ReadinessDeps & { tickMs?: number }): ReadinessService {
  const log = rt.log.child({ service: 'readiness' });
  const r = new Readiness(rt.state, rt.inventory, {
    ...deps,
    onRun: (run, m) => {
      log.info(
        { meeting: m.id, slot: run.slot, ready: run.ready, total: run.total },
        'readiness test run recorded',
      );
      deps.onRun?.(run, m);
    },
  });
  const timer = setInterval(() => {
    // two servers: the active one runs the scheduled tests, the standby receives its rows (core/runtime.ts)
    if (!isActive(rt)) return;
    r.tick().catch((err) => log.error({ err }, 'readiness tick failed'));
  }, deps.tickMs ?? 60_000);
  timer.unref?.();
  return Object.assign(r, {
    name: 'readiness',
    async stop() {
      clearInterval(timer);
    },
  });
}
