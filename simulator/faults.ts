// Faults the simulator can inject, their shape (checked at the HTTP edge and in-process) and the
// check that the site, district or device they name exists in the inventory.
import { z } from 'zod';
import { DISCONNECT_CAUSES } from '../core/vocabulary.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import { PEXIP_API_FAULTS } from './pexip.ts';

const site = z.string().min(1, 'site: the site id, e.g. "xa-bang-thanh"');
const pct = z.number().min(0).max(100);
const ms = z.number().min(0).max(60_000);

export const FaultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('link_down'), site }).strict(),
  z
    .object({
      kind: z.literal('link_degraded'),
      site,
      loss_pct: pct.optional(),
      delay_ms: ms.optional(),
      jitter_ms: ms.optional(),
    })
    .strict(),
  z
    .object({ kind: z.literal('power_cut'), site, runtime_min: z.number().min(0).max(1440).optional() })
    .strict(),
  z.object({ kind: z.literal('codec_hung'), site }).strict(),
  z.object({ kind: z.literal('mcu_port_down'), site }).strict(),
  /** the MCU reports the port faulty while the codec stays in its call (a fault of the MCU) */
  z.object({ kind: z.literal('mcu_port_fault'), site }).strict(),
  /**
   * the MCU ends the site's call (its history / CDR log records it with a disconnect reason of `cause`,
   * default network) and the site stays out of the call while the fault lasts
   */
  z
    .object({ kind: z.literal('participant_drop'), site, cause: z.enum(DISCONNECT_CAUSES).optional() })
    .strict(),
  z.object({ kind: z.literal('district_outage'), district: z.string().min(1) }).strict(),
  /** the MCU's management API (simulator/pexip.ts, simulator/cisco-telepresence.ts) refuses, stalls, garbles or drops its replies */
  z.object({ kind: z.literal('mcu_api'), mode: z.enum(PEXIP_API_FAULTS) }).strict(),
  /** a codec's xAPI (simulator/xapi.ts) refuses, stalls, garbles or drops its replies */
  z
    .object({ kind: z.literal('codec_api'), device: z.string().min(1), mode: z.enum(PEXIP_API_FAULTS) })
    .strict(),
  z
    .object({
      kind: z.literal('garbage'),
      device: z.string().min(1),
      mode: z.enum(['wrong_type', 'no_such_object', 'truncated']),
    })
    .strict(),
]);

export type Fault = z.infer<typeof FaultSchema>;
export type FaultKind = Fault['kind'];
export const FAULT_KINDS: FaultKind[] = [
  'link_down',
  'link_degraded',
  'power_cut',
  'codec_hung',
  'mcu_port_down',
  'mcu_port_fault',
  'participant_drop',
  'district_outage',
  'garbage',
  'mcu_api',
  'codec_api',
];

export class FaultError extends Error {
  override name = 'FaultError';
}

/** Parses and checks a fault against the inventory; throws FaultError with a reason a person can act on. */
export function checkFault(input: unknown, inv: LoadedInventory): Fault {
  const r = FaultSchema.safeParse(input);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || 'fault'}: ${i.message}`).join('; ');
    throw new FaultError(
      `lỗi giả lập không hợp lệ / invalid fault (${issues}); kinds: ${FAULT_KINDS.join(', ')}`,
    );
  }
  const f = r.data;
  if ('site' in f && !inv.sites.has(f.site))
    throw new FaultError(
      `không có điểm cầu "${f.site}" / unknown site "${f.site}": use a site id from ${inv.file}`,
    );
  if (f.kind === 'link_degraded' && !(f.loss_pct || f.delay_ms || f.jitter_ms))
    throw new FaultError(
      'đường truyền suy giảm cần ít nhất một mức suy giảm / link_degraded needs loss_pct, delay_ms or jitter_ms above 0 (CLI: --loss PCT, --delay MS, --jitter MS)',
    );
  if (f.kind === 'district_outage' && !inv.districts.has(f.district))
    throw new FaultError(
      `không có huyện "${f.district}" / unknown district "${f.district}": one of ${[...inv.districts.keys()].slice(0, 12).join(', ')}`,
    );
  if (f.kind === 'mcu_api' && !inv.mcuApi)
    throw new FaultError(
      'MCU của danh mục không dùng API quản lý / the inventory MCU has no management API (mcu.protocol: pexip-mgmt, cisco-tps-xmlrpc or cisco-mcu-xmlrpc)',
    );
  if (f.kind === 'codec_api' && !inv.deviceApis.has(f.device))
    throw new FaultError(
      `thiết bị "${f.device}" không dùng xAPI / device "${f.device}" has no management API (a codec with protocol: cisco-xapi)`,
    );
  if (f.kind === 'garbage' && !inv.devices.has(f.device))
    throw new FaultError(
      `không có thiết bị "${f.device}" / unknown device "${f.device}": use a device id such as "<site>-codec"`,
    );
  if (
    (f.kind === 'mcu_port_down' || f.kind === 'mcu_port_fault') &&
    inv.sites.get(f.site)?.mcu_port === undefined
  )
    throw new FaultError(
      `điểm cầu "${f.site}" không có cổng MCU / site "${f.site}" has no mcu_port in the inventory`,
    );
  return f;
}
