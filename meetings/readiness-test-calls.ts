// The MCU's test calls in a readiness run (Điều 7.1.b "vận hành thử"; issue 20): each site of the meeting
// is called by the MCU through its management API (collector/drivers/test-calls.ts), a few at a time,
// and the result becomes part of the site's verdict — Vietnamese first. A call the MCU's API could not
// make is said to be the MCU's problem: it never fails the site.
import {
  mcuTestCaller,
  type TestCaller,
  type TestCallOptions,
  type TestCallResult,
} from '../collector/drivers/test-calls.ts';
import { parseDuration } from '../config/config.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import type { Site } from '../inventory/schema.ts';

/** The verdict of one site's test call as stored with the run (readiness_results.test_call). */
export interface TestCallVerdict {
  outcome: TestCallResult['outcome'];
  /** for a person: Vietnamese, then English */
  vi: string;
  en: string;
  destination: string | null;
  connect_s?: number;
  loss_pct?: number;
  jitter_ms?: number;
  rate_kbps?: number;
  /** the MCU's words for a failed call, or the API's error for a call not made */
  detail?: string;
  /** false when the hang-up request failed: the call may still be up on the MCU */
  hung_up: boolean;
}

export interface TestCallConfig {
  caller: TestCaller;
  options: TestCallOptions;
  /** calls at once (default 4) */
  concurrency?: number;
}

/** 3.2 → "3,2" (Vietnamese decimal comma), 1 decimal, or 2 below 1. */
export function viNumber(v: number): string {
  const digits = Math.abs(v) < 1 && v !== 0 ? 2 : 1;
  return (
    v
      .toFixed(digits)
      .replace(/\.?0+$/, '')
      .replace('.', ',') || '0'
  );
}
const enNumber = (v: number) => {
  const digits = Math.abs(v) < 1 && v !== 0 ? 2 : 1;
  return v.toFixed(digits).replace(/\.?0+$/, '') || '0';
};

/** The words and figures of a test call's result. */
export function testCallVerdict(r: TestCallResult): TestCallVerdict {
  const hung = r.hangup !== 'failed';
  const hangVi = hung ? '' : ` — không gác máy được, cuộc gọi có thể còn trên MCU (${r.hangupError})`;
  const hangEn = hung ? '' : ` — the hang-up failed, the call may still be up on the MCU`;
  const base = { outcome: r.outcome, destination: r.destination, hung_up: hung };
  if (r.outcome === 'not_made')
    return {
      ...base,
      vi: `Gọi thử từ MCU: không thực hiện được — lỗi phía MCU/API quản lý, không phải lỗi của điểm cầu (${r.error})${hangVi}`,
      en: `Test call from the MCU: could not be made — an MCU/management API problem, not the site's${hangEn}`,
      ...(r.error && { detail: r.error }),
    };
  if (r.outcome === 'failed')
    return {
      ...base,
      vi: `Gọi thử từ MCU tới ${r.destination}: không kết nối được (${r.cause})${hangVi}`,
      en: `Test call from the MCU to ${r.destination}: did not connect (${r.cause})${hangEn}`,
      ...(r.cause && { detail: r.cause }),
    };
  const s = (r.connectMs ?? 0) / 1000;
  const m = r.media;
  const vi = [`kết nối sau ${viNumber(s)} giây`];
  const en = [`connected after ${enNumber(s)} s`];
  if (m?.lossPct != null) {
    vi.push(`mất gói ${viNumber(m.lossPct)} %`);
    en.push(`packet loss ${enNumber(m.lossPct)} %`);
  }
  if (m?.jitterMs != null) {
    vi.push(`biến thiên trễ ${viNumber(m.jitterMs)} ms`);
    en.push(`jitter ${enNumber(m.jitterMs)} ms`);
  }
  if (m?.rateKbps != null) {
    vi.push(`tốc độ ${Math.round(m.rateKbps)} kbps`);
    en.push(`rate ${Math.round(m.rateKbps)} kbps`);
  }
  if (!m && r.error) {
    vi.push(`không đọc được số liệu media (${r.error})`);
    en.push('media figures could not be read');
  }
  return {
    ...base,
    vi: `Gọi thử từ MCU: ${vi.join(', ')}${hangVi}`,
    en: `Test call from the MCU: ${en.join(', ')}${hangEn}`,
    connect_s: Math.round(s * 10) / 10,
    ...(m?.lossPct != null && { loss_pct: m.lossPct }),
    ...(m?.jitterMs != null && { jitter_ms: m.jitterMs }),
    ...(m?.rateKbps != null && { rate_kbps: m.rateKbps }),
  };
}

/** Calls every site, `concurrency` at a time; then sweeps calls whose dial got no answer in time. */
export async function runTestCalls(sites: Site[], c: TestCallConfig): Promise<Map<string, TestCallResult>> {
  const out = new Map<string, TestCallResult>();
  let next = 0;
  const worker = async () => {
    while (next < sites.length) {
      const site = sites[next++]!;
      out.set(site.id, await c.caller.testCall(site, c.options));
    }
  };
  const n = Math.max(1, Math.min(c.concurrency ?? 4, sites.length));
  await Promise.all(Array.from({ length: n }, worker));
  await c.caller.sweep().catch(() => 0);
  return out;
}

/**
 * The test calls of the configuration (meetings.readiness.test_calls): null when disabled, or when
 * the inventory's MCU has no management API that dials out (then a warning says so once).
 */
export function testCallsFrom(
  t: {
    enabled: boolean;
    conference?: string | undefined;
    timeout: string;
    hold: string;
    poll: string;
    concurrency: number;
    system_location?: string | undefined;
  },
  inv: LoadedInventory,
  env: NodeJS.ProcessEnv,
  log: { warn(o: object, msg: string): void },
): TestCallConfig | null {
  if (!t.enabled || !t.conference) return null;
  const caller = mcuTestCaller(inv, env);
  if (!caller) {
    log.warn(
      { mcu: inv.inventory.mcu.id },
      'meetings.readiness.test_calls is enabled but the MCU is read over SNMP: no test calls (needs mcu.protocol pexip-mgmt, cisco-tps-xmlrpc or cisco-mcu-xmlrpc)',
    );
    return null;
  }
  return {
    caller,
    concurrency: t.concurrency,
    options: {
      conference: t.conference,
      timeoutMs: parseDuration(t.timeout),
      holdMs: parseDuration(t.hold),
      pollMs: parseDuration(t.poll),
      ...(t.system_location && { systemLocation: t.system_location }),
    },
  };
}
