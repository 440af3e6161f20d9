// A CSS media query as reactive state, for layouts that render different markup, not only restyle it.
function media(q: string): { readonly matches: boolean } {
  const m = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia(q) : null;
  const s = $state({ matches: m?.matches ?? false });
  m?.addEventListener('change', (e) => {
    s.matches = e.matches;
  });
  return s;
}

/** a phone held upright (390 × 844): the map page lists districts instead of drawing the province */
export const phonePortrait = media('(max-width: 600px) and (orientation: portrait)');
