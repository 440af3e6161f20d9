// Maintenance plans (Điều 11.5, 13.3, 14.1.b): a one-off window (from, to) or a recurring one (ISO
// weekdays, Bắc Kạn local start, duration, from / until), scoped by site, district, tier or device,
// with what will be done and by whom. The alert engine holds back what an active plan covers
// (alerts/silences.ts); meetings warn and tell their hosts (meetings/maintenance*.ts).
import { randomBytes } from 'node:crypto';
import { weeklyOccurrences } from '../core/time.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import { TIERS } from '../inventory/schema.ts';
import type { StateDb } from '../storage/state-db.ts';

export const PLAN_KINDS = ['once', 'recurring'] as const;
export const PLAN_SCOPES = ['site', 'district', 'tier', 'device'] as const;
export type PlanKind = (typeof PLAN_KINDS)[number];
export type PlanScopeKind = (typeof PLAN_SCOPES)[number];

const DAY = 86_400_000;

export interface MaintenancePlan {
  id: string;
  kind: PlanKind;
  scope: { kind: PlanScopeKind; value: string };
  /** once: the window's start; recurring: from when it applies */
  starts_at: number;
  /** once: the window's end; recurring: until when (null: open-ended) */
  ends_at: number | null;
  /** recurring: ISO weekdays 1 (Monday) … 7; empty = every day */
  weekdays: number[];
  /** recurring: local start HH:MM (Bắc Kạn) */
  start_local: string | null;
  /** recurring: minutes */
  duration_min: number | null;
  /** what will be done */
  work: string;
  /** by whom: a person of the inventory and/or free text (a contractor) */
  by_person: string | null;
  by_text: string;
  created_by: string;
  created_at: number;
  updated_at: number;
  revision: number;
  cancelled_at: number | null;
  cancelled_by: string | null;
}

export interface PlanInput {
  kind: PlanKind;
  scope: { kind: PlanScopeKind; value: string };
  starts_at: number;
  ends_at?: number | null | undefined;
  weekdays?: number[] | undefined;
  start_local?: string | null | undefined;
  duration_min?: number | null | undefined;
  work: string;
  by_person?: string | null | undefined;
  by_text?: string | undefined;
}

/** A plan refused: the field and the reason, Vietnamese first. */
export class PlanError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** a plan as its table stores it: the scope in two columns, the weekdays as JSON */
interface Row extends Omit<MaintenancePlan, 'scope' | 'weekdays'> {
  scope_kind: PlanScopeKind;
  scope_value: string;
  weekdays: string;
}

function toPlan(r: Row): MaintenancePlan {
  return {
    id: r.id,
    kind: r.kind,
    scope: { kind: r.scope_kind, value: r.scope_value },
    starts_at: r.starts_at,
    ends_at: r.ends_at,
    weekdays: r.weekdays ? r.weekdays.split(',').map(Number) : [],
    start_local: r.start_local,
    duration_min: r.duration_min,
    work: r.work,
    by_person: r.by_person,
    by_text: r.by_text,
    created_by: r.created_by,
    created_at: r.created_at,
    updated_at: r.updated_at,
    revision: r.revision,
    cancelled_at: r.cancelled_at,
    cancelled_by: r.cancelled_by,
  };
}

// ------------------------------------------------------------------ time

/** The plan's windows that overlap [from, to), in order (a cancelled plan has none). */
export function planOccurrences(
  p: Pick<
    MaintenancePlan,
    'kind' | 'starts_at' | 'ends_at' | 'weekdays' | 'start_local' | 'duration_min' | 'cancelled_at'
  >,
  from: number,
  to: number,
): { from: number; to: number }[] {
  if (p.cancelled_at !== null) return [];
  if (p.kind === 'once') {
    const end = p.ends_at ?? p.starts_at;
    return p.starts_at < to && end > from ? [{ from: p.starts_at, to: end }] : [];
  }
  // an occurrence belongs to the plan when it starts within [starts_at, until)
  const window = {
    weekdays: p.weekdays,
    start: p.start_local ?? '00:00',
    durationMs: (p.duration_min ?? 0) * 60_000,
  };
  return weeklyOccurrences(window, Math.max(from, p.starts_at), to).filter(
    (o) => o.from >= p.starts_at && (p.ends_at === null || o.from < p.ends_at),
  );
}

export function planActiveAt(p: MaintenancePlan, t: number): boolean {
  return planOccurrences(p, t, t + 1).length > 0;
}

/** Over for good: cancelled, or its last window has ended. */
export function planOver(p: MaintenancePlan, t: number): boolean {
  if (p.cancelled_at !== null) return true;
  if (p.kind === 'once') return (p.ends_at ?? 0) <= t;
  return p.ends_at !== null && p.ends_at + (p.duration_min ?? 0) * 60_000 <= t;
}

// ------------------------------------------------------------------ scope

/** The sites a plan covers; a device plan: the device's site, or every site for the MCU. */
export function planSites(inv: LoadedInventory, p: Pick<MaintenancePlan, 'scope'>): string[] {
  const { kind, value } = p.scope;
  const all = [...inv.sites.values()];
  if (kind === 'site') return inv.sites.has(value) ? [value] : [];
  if (kind === 'district') return all.filter((s) => s.district === value).map((s) => s.id);
  if (kind === 'tier') return all.filter((s) => s.tier === value).map((s) => s.id);
  const dev = inv.devices.get(value);
  if (!dev) return [];
  return dev.site ? [dev.site.id] : all.map((s) => s.id);
}

/** The plan's scope in words: "điểm cầu Xã A", "thiết bị xa-a-codec (codec, Xã A)". */
export function scopeText(
  inv: LoadedInventory,
  p: Pick<MaintenancePlan, 'scope'>,
): { vi: string; en: string } {
  const { kind, value } = p.scope;
  if (kind === 'site') {
    const n = inv.sites.get(value)?.name ?? value;
    return { vi: `điểm cầu ${n}`, en: `site ${n}` };
  }
  if (kind === 'district') {
    const n = inv.districts.get(value)?.name ?? value;
    return { vi: `các điểm cầu thuộc ${n}`, en: `the sites of ${value}` };
  }
  if (kind === 'tier') {
    const vi = { province: 'cấp tỉnh', district: 'cấp huyện', commune: 'cấp xã' }[value] ?? value;
    return { vi: `các điểm cầu ${vi}`, en: `the ${value} sites` };
  }
  const dev = inv.devices.get(value);
  const where = dev?.site ? `, ${dev.site.name}` : dev ? ', MCU' : '';
  return { vi: `thiết bị ${value} (${dev?.kind ?? '?'}${where})`, en: `device ${value}` };
}

// ------------------------------------------------------------------ checks

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Checks a plan against the inventory; throws PlanError naming the field. */
export function checkPlan(inv: LoadedInventory, p: PlanInput): void {
  const { kind, value } = p.scope;
  if (kind === 'site' && !inv.sites.has(value))
    throw new PlanError(400, 'scope.value', `điểm cầu "${value}" không có trong danh mục / unknown site`);
  if (kind === 'district' && !inv.districts.has(value))
    throw new PlanError(400, 'scope.value', `huyện "${value}" không có trong danh mục / unknown district`);
  if (kind === 'tier' && !(TIERS as readonly string[]).includes(value))
    throw new PlanError(
      400,
      'scope.value',
      `cấp "${value}" không hợp lệ: province, district hoặc commune / unknown tier`,
    );
  if (kind === 'device' && !inv.devices.has(value))
    throw new PlanError(
      400,
      'scope.value',
      `thiết bị "${value}" không có trong danh mục (codec, UPS, router của một điểm cầu hoặc MCU) / unknown device`,
    );
  if (p.by_person && !inv.people.has(p.by_person))
    throw new PlanError(400, 'by_person', `người "${p.by_person}" không có trong danh mục / unknown person`);
  if (!p.work.trim())
    throw new PlanError(400, 'work', 'cần ghi nội dung công việc / what will be done is required');
  if (!p.by_person && !p.by_text?.trim())
    throw new PlanError(
      400,
      'by_text',
      'cần ghi người thực hiện (người trong danh mục hoặc tên đơn vị) / who does the work is required',
    );
  if (p.kind === 'once') {
    if (p.ends_at === null || p.ends_at === undefined)
      throw new PlanError(400, 'ends_at', 'cần thời gian kết thúc / an end time is required');
    if (p.ends_at <= p.starts_at)
      throw new PlanError(
        400,
        'ends_at',
        'kế hoạch kết thúc trước khi bắt đầu: thời gian kết thúc phải sau thời gian bắt đầu / the plan ends before it starts',
      );
    if (p.ends_at - p.starts_at > 31 * DAY)
      throw new PlanError(
        400,
        'ends_at',
        'một đợt bảo trì không quá 31 ngày; lịch dài hơn hãy lập kế hoạch định kỳ / a one-off window is at most 31 days',
      );
    return;
  }
  if (!p.start_local || !HHMM.test(p.start_local))
    throw new PlanError(400, 'start_local', 'giờ bắt đầu dạng HH:MM, ví dụ 07:30 / start time as HH:MM');
  if (!p.duration_min || p.duration_min < 1 || p.duration_min > 24 * 60)
    throw new PlanError(400, 'duration_min', 'thời lượng từ 1 đến 1440 phút / duration 1 to 1440 minutes');
  for (const w of p.weekdays ?? [])
    if (!Number.isInteger(w) || w < 1 || w > 7)
      throw new PlanError(
        400,
        'weekdays',
        `thứ "${w}" không hợp lệ: 1 (thứ Hai) … 7 (Chủ nhật) / ISO weekday 1..7`,
      );
  if (p.ends_at !== null && p.ends_at !== undefined && p.ends_at <= p.starts_at)
    throw new PlanError(
      400,
      'ends_at',
      'kế hoạch kết thúc trước khi bắt đầu: ngày kết thúc phải sau ngày bắt đầu / the plan ends before it starts',
    );
}

// ------------------------------------------------------------------ store

const changeListeners = new WeakMap<StateDb, Set<() => void>>();

/** Called after every change of this database's plans (the alert engine's holds reload). */
export function onPlansChanged(db: StateDb, cb: () => void): () => void {
  const set = changeListeners.get(db) ?? new Set();
  changeListeners.set(db, set);
  set.add(cb);
  return () => set.delete(cb);
}

function changed(db: StateDb) {
  for (const cb of changeListeners.get(db) ?? []) cb();
}

export function getPlan(db: StateDb, id: string): MaintenancePlan | undefined {
  const r = db.prepare('SELECT * FROM maintenance_plans WHERE id = ?').get(id) as Row | undefined;
  return r && toPlan(r);
}

/** Plans, newest start first; `from`/`to`: only those with a window in [from, to). */
export function listPlans(
  db: StateDb,
  f: { from?: number | undefined; to?: number | undefined; include_cancelled?: boolean | undefined } = {},
): MaintenancePlan[] {
  const rows = db
    .prepare(
      `SELECT * FROM maintenance_plans ${f.include_cancelled ? '' : 'WHERE cancelled_at IS NULL'} ORDER BY starts_at DESC, id`,
    )
    .all() as Row[];
  const plans = rows.map(toPlan);
  if (f.from === undefined && f.to === undefined) return plans;
  const from = f.from ?? Number.NEGATIVE_INFINITY;
  const to = f.to ?? Number.POSITIVE_INFINITY;
  return plans.filter((p) =>
    p.kind === 'once'
      ? p.starts_at < to && (p.ends_at ?? 0) > from
      : p.starts_at < to && (p.ends_at === null || p.ends_at > from - (p.duration_min ?? 0) * 60_000),
  );
}

/** Plans not cancelled and not over at `now`: what the holds consider. */
export function currentPlans(db: StateDb, now: number): MaintenancePlan[] {
  return listPlans(db).filter((p) => !planOver(p, now));
}

function normalise(p: PlanInput) {
  const once = p.kind === 'once';
  return {
    kind: p.kind,
    scope_kind: p.scope.kind,
    scope_value: p.scope.value,
    starts_at: p.starts_at,
    ends_at: p.ends_at ?? null,
    weekdays: once ? '' : [...new Set(p.weekdays ?? [])].sort().join(','),
    start_local: once ? null : (p.start_local ?? null),
    duration_min: once ? null : (p.duration_min ?? null),
    work: p.work.trim(),
    by_person: p.by_person || null,
    by_text: p.by_text?.trim() ?? '',
  };
}

export function createPlan(
  db: StateDb,
  inv: LoadedInventory,
  input: PlanInput,
  by: string,
  now = Date.now(),
): MaintenancePlan {
  checkPlan(inv, input);
  const id = `mp-${now.toString(36)}-${randomBytes(3).toString('hex')}`;
  const n = normalise(input);
  db.prepare(
    `INSERT INTO maintenance_plans (id, kind, scope_kind, scope_value, starts_at, ends_at, weekdays, start_local,
       duration_min, work, by_person, by_text, created_by, created_at, updated_at)
     VALUES (@id, @kind, @scope_kind, @scope_value, @starts_at, @ends_at, @weekdays, @start_local,
       @duration_min, @work, @by_person, @by_text, @created_by, @now, @now)`,
  ).run({ ...n, id, created_by: by, now });
  changed(db);
  return getPlan(db, id)!;
}

export type PlanPatch = Partial<PlanInput>;

/** Changes a plan not cancelled; returns it as it was and as it is. */
export function updatePlan(
  db: StateDb,
  inv: LoadedInventory,
  id: string,
  patch: PlanPatch,
  now = Date.now(),
): { before: MaintenancePlan; after: MaintenancePlan } {
  const before = getPlan(db, id);
  if (!before) throw new PlanError(404, 'id', `không tìm thấy kế hoạch bảo trì "${id}" / plan not found`);
  if (before.cancelled_at !== null)
    throw new PlanError(409, 'id', `kế hoạch "${id}" đã bị hủy / the plan is cancelled`);
  const merged: PlanInput = {
    kind: patch.kind ?? before.kind,
    scope: patch.scope ?? before.scope,
    starts_at: patch.starts_at ?? before.starts_at,
    ends_at: patch.ends_at !== undefined ? patch.ends_at : before.ends_at,
    weekdays: patch.weekdays ?? before.weekdays,
    start_local: patch.start_local !== undefined ? patch.start_local : before.start_local,
    duration_min: patch.duration_min !== undefined ? patch.duration_min : before.duration_min,
    work: patch.work ?? before.work,
    by_person: patch.by_person !== undefined ? patch.by_person : before.by_person,
    by_text: patch.by_text ?? before.by_text,
  };
  checkPlan(inv, merged);
  db.prepare(
    `UPDATE maintenance_plans SET kind = @kind, scope_kind = @scope_kind, scope_value = @scope_value,
       starts_at = @starts_at, ends_at = @ends_at, weekdays = @weekdays, start_local = @start_local,
       duration_min = @duration_min, work = @work, by_person = @by_person, by_text = @by_text,
       updated_at = @now, revision = revision + 1 WHERE id = @id`,
  ).run({ ...normalise(merged), id, now });
  changed(db);
  return { before, after: getPlan(db, id)! };
}

export function cancelPlan(db: StateDb, id: string, by: string, now = Date.now()): MaintenancePlan {
  const p = getPlan(db, id);
  if (!p) throw new PlanError(404, 'id', `không tìm thấy kế hoạch bảo trì "${id}" / plan not found`);
  if (p.cancelled_at !== null)
    throw new PlanError(409, 'id', `kế hoạch "${id}" đã bị hủy trước đó / already cancelled`);
  db.prepare(
    'UPDATE maintenance_plans SET cancelled_at = ?, cancelled_by = ?, updated_at = ?, revision = revision + 1 WHERE id = ?',
  ).run(now, by, now, id);
  changed(db);
  return getPlan(db, id)!;
}
