// Which of a site's open episodes is "the site's state" (the map's colour and glyph, the card, the
// sites table, the site page): one documented order, used by AlertEngine.verdict (docs/alerts.md,
// "A site's state"). Pure, so the order itself is tested apart from the engine.
import type { Cause, Severity, SiteState } from '../core/vocabulary.ts';
import { SEVERITY_RANK } from '../core/vocabulary.ts';

/** What the site looks like under an episode, worst first. */
export const VERDICT_STATE_ORDER: readonly SiteState[] = ['down', 'on_battery', 'degraded', 'unknown'];

/** Between otherwise equal episodes: what cuts the site off first, what only one device says last. */
export const CAUSE_ORDER: readonly (Cause | null)[] = ['power', 'link', 'mcu', 'equipment', null];

/** One open episode as seen from one site. */
export interface SiteEpisodeView {
  id: string;
  /** the state the episode gives this site (down, on_battery, degraded, unknown) */
  state: SiteState;
  severity: Severity;
  /** the site's own condition is the episode's root (not a child, not only listed among its sites) */
  root: boolean;
  cause: Cause | null;
  started_at: number;
}

const rankOf = (list: readonly unknown[], v: unknown) => {
  const i = list.indexOf(v);
  return i < 0 ? list.length : i;
};

/**
 * Negative when `a` speaks for the site before `b`:
 * 1. the state it gives the site (down, on battery, degraded, unknown);
 * 2. severity (critical, major, minor, info);
 * 3. the site's own root condition before a child or a mere listing (a meeting's UPS-runtime episode);
 * 4. cause (power, link, MCU, equipment, unknown);
 * 5. the older episode, then the id (so the choice never flips between two updates).
 */
export function compareForSite(a: SiteEpisodeView, b: SiteEpisodeView): number {
  return (
    rankOf(VERDICT_STATE_ORDER, a.state) - rankOf(VERDICT_STATE_ORDER, b.state) ||
    SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
    Number(b.root) - Number(a.root) ||
    rankOf(CAUSE_ORDER, a.cause) - rankOf(CAUSE_ORDER, b.cause) ||
    a.started_at - b.started_at ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** The episode that is the site's state, or undefined when there is none. */
export function siteEpisode<T extends SiteEpisodeView>(list: readonly T[]): T | undefined {
  return [...list].sort(compareForSite)[0];
}
