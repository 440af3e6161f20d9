// How a state and a cause look: colour for the eye at a distance, a glyph so colour is never the only signal.
import type { Cause, SiteState } from '../../../api/contract.ts';

export const STATE_ORDER: readonly SiteState[] = [
  'down',
  'on_battery',
  'degraded',
  'unknown',
  'maintenance',
  'off',
  'ok',
];

export const STATE_COLOR: Record<SiteState, string> = {
  ok: '#22c55e',
  degraded: '#facc15',
  down: '#ef4444',
  unknown: '#8b95a7',
  on_battery: '#fb923c',
  maintenance: '#60a5fa',
  off: '#9ca3af',
};

/** Sort key: worst first. */
export function severityRank(state: SiteState): number {
  return STATE_ORDER.indexOf(state);
}

/** The glyph drawn inside an endpoint: the cause when one is known, else one for the state (none when ok). */
export function glyphFor(state: SiteState, cause: Cause | null): string | null {
  if (cause) return `g-${cause}`;
  switch (state) {
    case 'ok':
      return null;
    case 'degraded':
      return 'g-degraded';
    case 'down':
      return 'g-down';
    case 'unknown':
      return 'g-unknown';
    case 'on_battery':
      return 'g-battery';
    case 'maintenance':
      return 'g-maintenance';
    case 'off':
      return null;
  }
}

/** SVG path data for each glyph, drawn in a 24×24 box centred on 12,12. */
export const GLYPHS: Record<string, string> = {
  // lightning bolt
  'g-power': 'M13.5 2 4.5 13.5h6L9.5 22l10-12.5h-6.2z',
  // two chain links
  'g-link':
    'M10.6 13.4a1 1 0 0 1 0-1.4l3.5-3.5a1 1 0 1 1 1.4 1.4L12 13.4a1 1 0 0 1-1.4 0zM8.2 10.2 5.7 12.7a3.6 3.6 0 0 0 5.1 5.1l2.5-2.5 1.4 1.4-2.5 2.5a5.6 5.6 0 0 1-7.9-7.9l2.5-2.5zm7.6 3.6 2.5-2.5a3.6 3.6 0 0 0-5.1-5.1l-2.5 2.5-1.4-1.4 2.5-2.5a5.6 5.6 0 0 1 7.9 7.9l-2.5 2.5z',
  // gear-like equipment (a chip)
  'g-equipment':
    'M7 7h10v10H7zM9 2h2v4H9zm4 0h2v4h-2zM9 18h2v4H9zm4 0h2v4h-2zM2 9h4v2H2zm0 4h4v2H2zm16-4h4v2h-4zm0 4h4v2h-4z',
  // MCU hub: centre with spokes
  'g-mcu': 'M12 8.5a3.5 3.5 0 1 1 0 7 3.5 3.5 0 0 1 0-7zM11 2h2v5h-2zm0 15h2v5h-2zM2 11h5v2H2zm15 0h5v2h-5z',
  'g-degraded': 'M10.5 4h3l-.5 11h-2zM12 17.2a1.9 1.9 0 1 1 0 3.8 1.9 1.9 0 0 1 0-3.8z',
  'g-down':
    'M5.6 3.5 12 9.9l6.4-6.4 2.1 2.1-6.4 6.4 6.4 6.4-2.1 2.1-6.4-6.4-6.4 6.4-2.1-2.1 6.4-6.4-6.4-6.4z',
  'g-unknown':
    'M12 3c3.3 0 5.5 1.9 5.5 4.6 0 2.2-1.3 3.2-2.6 4-1.1.7-1.6 1.1-1.6 2.2v.7h-2.8v-.9c0-2 1-2.9 2.2-3.6 1-.6 1.9-1.1 1.9-2.3 0-1.3-1-2.2-2.6-2.2-1.7 0-2.8 1-2.9 2.6H6.3C6.4 4.9 8.6 3 12 3zm-1.5 14.3h3V21h-3z',
  'g-battery': 'M4 7h14v3h2v4h-2v3H4zm2 2v6h5V9z',
  'g-maintenance':
    'M14.7 3.2a5 5 0 0 0-5.9 6.5L3 15.5 3 19l2 2h3.5l5.8-5.8a5 5 0 0 0 6.5-5.9l-3 3-3.3-.9-.9-3.3z',
};
