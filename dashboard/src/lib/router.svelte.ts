// A tiny history router: paths are real URLs (the API serves index.html for every non-API path).
export const route = $state({ path: location.pathname, search: location.search });

export function go(to: string, replace = false): void {
  const url = new URL(to, location.origin);
  if (url.pathname === route.path && url.search === route.search) return;
  if (replace) history.replaceState(null, '', url.pathname + url.search);
  else history.pushState(null, '', url.pathname + url.search);
  route.path = url.pathname;
  route.search = url.search;
  window.scrollTo(0, 0);
}

/** Update query parameters without adding a history entry (filters). */
export function setQuery(params: Record<string, string | null>): void {
  const q = new URLSearchParams(route.search);
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === '') q.delete(k);
    else q.set(k, v);
  }
  const s = q.toString();
  go(route.path + (s ? `?${s}` : ''), true);
}

export function query(name: string): string | null {
  return new URLSearchParams(route.search).get(name);
}

export function installRouter(): void {
  window.addEventListener('popstate', () => {
    route.path = location.pathname;
    route.search = location.search;
  });
  // same-origin links (HTML and SVG <a>) navigate without reloading
  document.addEventListener('click', (ev) => {
    if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey)
      return;
    const a = (ev.target as Element | null)?.closest?.('a');
    if (!a) return;
    const href = a.getAttribute('href');
    if (!href?.startsWith('/') || href.startsWith('/api/') || a.getAttribute('target')) return;
    ev.preventDefault();
    go(href);
  });
}
