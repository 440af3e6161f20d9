// A meeting's sites as the NOC watches them while it runs (issue 15, the meeting view): each site's
// live state, its quality figures and whose they are, its MCU connection and since when, and its join
// and leave times from the observed call — worst first. Derived from the live status on every update
// (never chosen once), so a fault moves a site to the top without a reload. Pure functions, unit-tested.
import type { QualitySourceName, SiteState, SiteStatus } from '../../../api/contract.ts';
import { shownMetrics } from './siteview.ts';
import { severityRank } from './states.ts';

/** a site's newest leg in the meeting's observed call (the post-meeting report's rows, reports/meeting.ts) */
export interface ObservedLeg {
  site: string;
  joined_at: number | null;
  left_at: number | null;
}

export type McuLink = 'connected' | 'not_connected' | 'unknown';

export interface LiveSiteRow {
  id: string;
  name: string;
  state: SiteState | null;
  /** when the state began */
  since: number | null;
  /** the figures worth showing: none of a down site's stale MOS and jitter (siteview.ts shownMetrics) */
  mos: number | undefined;
  loss_pct: number | undefined;
  jitter_ms: number | undefined;
  /** whose figures these are (the MCU port, the codec, the path probe), null when there are none */
  source: QualitySourceName | null;
  mcu: McuLink;
  /** since when connected (the leg's join) or not (its leave, else the state's start) */
  mcu_since: number | null;
  joined_at: number | null;
  left_at: number | null;
}

export function liveRow(id: string, s: SiteStatus | undefined, leg: ObservedLeg | undefined): LiveSiteRow {
  const joined_at = leg?.joined_at ?? null;
  const left_at = leg?.left_at ?? null;
  if (!s) {
    return {
      id,
      name: id,
      state: null,
      since: null,
      mos: undefined,
      loss_pct: undefined,
      jitter_ms: undefined,
      source: null,
      mcu: 'unknown',
      mcu_since: null,
      joined_at,
      left_at,
    };
  }
  const m = shownMetrics(s);
  const down = s.state === 'down';
  const port = s.metrics.mcu_port_up;
  // a down site is not on the MCU, whatever its last port sample said
  const mcu: McuLink = down || port === 0 ? 'not_connected' : port === 1 ? 'connected' : 'unknown';
  const mcu_since =
    mcu === 'connected' ? joined_at : mcu === 'not_connected' ? (left_at ?? (down ? s.since : null)) : null;
  const source = down ? null : (s.sources.mos ?? s.sources.loss_pct ?? s.sources.jitter_ms ?? null);
  return {
    id,
    name: s.name,
    state: s.state,
    since: s.since,
    mos: m.mos,
    loss_pct: m.loss_pct,
    jitter_ms: m.jitter_ms,
    source,
    mcu,
    mcu_since,
    joined_at,
    left_at,
  };
}

/**
 * Worst first: by state (down, on battery, degraded, unknown, maintenance, off, ok), then off the MCU,
 * then the lower MOS, the higher loss and jitter; the name breaks ties. A site with no status at all
 * goes with the unknown ones.
 */
export function worstFirstLive(rows: readonly LiveSiteRow[]): LiveSiteRow[] {
  const key = (r: LiveSiteRow): number[] => [
    severityRank(r.state ?? 'unknown'),
    r.mcu === 'not_connected' ? 0 : r.mcu === 'unknown' ? 1 : 2,
    r.mos ?? 5,
    -(r.loss_pct ?? 0),
    -(r.jitter_ms ?? 0),
  ];
  return [...rows].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! - kb[i]!;
    return a.name.localeCompare(b.name, 'vi');
  });
}

/** The meeting's sites, each with its live status and its newest observed leg, worst first. */
export function meetingLiveRows(
  sites: readonly string[],
  statusOf: (id: string) => SiteStatus | undefined,
  legs: readonly ObservedLeg[],
): LiveSiteRow[] {
  const newest = new Map<string, ObservedLeg>();
  for (const l of legs) {
    const had = newest.get(l.site);
    if (!had || (l.joined_at ?? 0) >= (had.joined_at ?? 0)) newest.set(l.site, l);
  }
  return worstFirstLive(sites.map((id) => liveRow(id, statusOf(id), newest.get(id))));
}
