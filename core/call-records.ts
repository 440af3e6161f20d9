// A participant's call as the MCU recorded it (its history or call-detail log): who, from when to
// when, and why it ended. Drivers publish each as a `call_record` device event of the MCU; the
// observed-calls log (meetings/observed.ts) takes them as the authoritative join and leave.
import type { DeviceEvent } from './bus.ts';
import { DISCONNECT_CAUSE_NAMES, DISCONNECT_CAUSES, type DisconnectCause } from './vocabulary.ts';

export interface CallRecord {
  /** the MCU device id */
  mcu: string;
  /** the MCU's own id for this participant's call: the same record read twice is the same leg */
  record_id: string;
  site: string;
  /** null when the MCU's record does not say (a CDR leave whose join is not in the part of the log read) */
  joined_at: number | null;
  left_at: number;
  cause: DisconnectCause;
  /** the MCU's own words, kept as given */
  vendor_cause: string | null;
  conference: string | null;
}

export const CALL_RECORD_EVENT = 'mcu_call_record';

export function callRecordEvent(r: CallRecord): DeviceEvent {
  const name = DISCONNECT_CAUSE_NAMES[r.cause];
  return {
    time: r.left_at,
    kind: 'call_record',
    site: r.site,
    device: r.mcu,
    name: CALL_RECORD_EVENT,
    detail: `${name.vi}${r.vendor_cause ? ` (MCU: ${r.vendor_cause})` : ''} / ${name.en}`,
    data: {
      record_id: r.record_id,
      ...(r.joined_at !== null && { joined_at: r.joined_at }),
      left_at: r.left_at,
      cause: r.cause,
      ...(r.vendor_cause !== null && { vendor_cause: r.vendor_cause }),
      ...(r.conference !== null && { conference: r.conference }),
    },
  };
}

/** The record an event carries; null when it is not a well-formed call record. */
export function callRecordOf(e: DeviceEvent): CallRecord | null {
  if (e.kind !== 'call_record' || !e.data) return null;
  const d = e.data;
  const cause = DISCONNECT_CAUSES.find((c) => c === d.cause);
  if (
    typeof d.record_id !== 'string' ||
    (d.joined_at !== undefined && typeof d.joined_at !== 'number') ||
    typeof d.left_at !== 'number' ||
    !cause ||
    (typeof d.joined_at === 'number' && d.left_at < d.joined_at)
  )
    return null;
  return {
    mcu: e.device,
    record_id: d.record_id,
    site: e.site,
    joined_at: typeof d.joined_at === 'number' ? d.joined_at : null,
    left_at: d.left_at,
    cause,
    vendor_cause: typeof d.vendor_cause === 'string' ? d.vendor_cause : null,
    conference: typeof d.conference === 'string' ? d.conference : null,
  };
}
