// The static picture: districts (names, order, coordinates), the MCU, technicians. Loaded once from
// `GET /api/v1/inventory`; the map works without it (districts are then derived from the sites).
import { get } from './api.ts';

export interface InvDistrict {
  id: string;
  name: string;
  type?: string;
  lat?: number | null;
  lon?: number | null;
}
export interface InvPerson {
  id: string;
  name: string;
  title?: string;
  org?: string;
  channels?: Record<string, unknown>;
  phone?: string;
  email?: string;
}
export interface InvSite {
  id: string;
  technician?: string;
  link?: { carrier: string; circuit: string; bandwidth_mbps: number };
  power?: string;
  mcu_port?: number | null;
  host_org?: string | null;
}

export const inv = $state<{
  loaded: boolean;
  networkName: string;
  mcuName: string;
  districts: InvDistrict[];
  people: Map<string, InvPerson>;
  sites: Map<string, InvSite>;
  orgs: Map<string, { id: string; name: string; name_en?: string | null }>;
}>({
  loaded: false,
  networkName: '',
  mcuName: '',
  districts: [],
  people: new Map(),
  sites: new Map(),
  orgs: new Map(),
});

const arr = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

export async function loadInventory(): Promise<void> {
  if (inv.loaded) return;
  try {
    const raw = (await get<Record<string, unknown>>('/inventory')) ?? {};
    const body = (raw['inventory'] as Record<string, unknown> | undefined) ?? raw;
    inv.districts = arr<InvDistrict>(body['districts']);
    inv.people = new Map(arr<InvPerson>(body['people']).map((p) => [p.id, p]));
    inv.sites = new Map(arr<InvSite>(body['sites']).map((s) => [s.id, s]));
    inv.orgs = new Map(arr<{ id: string; name: string }>(body['organisations']).map((o) => [o.id, o]));
    const network = body['network'] as { name?: string } | undefined;
    inv.networkName = network?.name ?? '';
    const mcu = body['mcu'] as { name?: string } | undefined;
    inv.mcuName = mcu?.name ?? '';
    inv.loaded = true;
  } catch {
    /* the map derives districts from the sites */
  }
}

export function districtName(id: string): string {
  return inv.districts.find((d) => d.id === id)?.name ?? id;
}

/**
 * Technicians and operating hours are not in the inventory view; a site's detail has them. Fetched
 * on first hover, cached.
 */
const techs: Record<string, string | null> = $state({});
const hours: Record<string, { vi: string; en: string } | null> = $state({});
const asked = new Set<string>();

function ask(siteId: string): void {
  if (asked.has(siteId)) return;
  asked.add(siteId);
  get<{ contacts?: { technician?: { name: string } | null }; hours?: { vi: string; en: string } }>(
    `/sites/${encodeURIComponent(siteId)}`,
  )
    .then((d) => {
      techs[siteId] = d?.contacts?.technician?.name ?? null;
      hours[siteId] = d?.hours ?? null;
    })
    .catch(() => {
      techs[siteId] = null;
      hours[siteId] = null;
    });
}

export function technicianName(siteId: string): string | null {
  const known = techs[siteId];
  if (known !== undefined) return known;
  ask(siteId);
  return null;
}

/** the site's operating hours in words (Điều 5.6), once its detail is fetched */
export function siteHoursText(siteId: string): { vi: string; en: string } | null {
  const known = hours[siteId];
  if (known !== undefined) return known;
  ask(siteId);
  return null;
}

export function hostOrgName(siteId: string): string | null {
  const o = inv.sites.get(siteId)?.host_org;
  return o ? (inv.orgs.get(o)?.name ?? o) : null;
}
