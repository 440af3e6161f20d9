// Issue 15: the header's site search. Pure, so it is unit-tested.
// Typed without diacritics ("bang thanh") it finds "Bằng Thành"; a district's name finds its sites.

/** lower case, no diacritics, đ → d, runs of spaces and punctuation as one space */
export function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** "Hội trường UBND xã Bằng Thành" → "Bằng Thành": what people type */
export function shortName(name: string): string {
  return name
    .replace(/^Hội trường\s+(UBND\s+)?/i, '')
    .replace(/^(xã|thị trấn|phường|huyện|thành phố|tỉnh)\s+/i, '');
}

export interface SearchSite {
  id: string;
  name: string;
  district: string;
  districtName: string;
}

export interface SearchHit {
  site: SearchSite;
  /** lower is better */
  rank: number;
  /** matched by the district's name, not the site's */
  byDistrict: boolean;
}

/**
 * How well `q` (folded) matches `text` (folded): 0 the whole short name, 1 its start, 2 the start of a
 * word, 3 anywhere, null not at all. Every word of the query must occur.
 */
function score(q: string, full: string, short: string): number | null {
  if (short === q) return 0;
  if (short.startsWith(q)) return 1;
  const words = q.split(' ');
  const hay = ` ${full} `;
  if (hay.includes(` ${q}`)) return 2;
  if (words.every((w) => hay.includes(` ${w}`))) return 3;
  if (words.every((w) => full.includes(w))) return 4;
  return null;
}

/** The sites matching `query`, best first: by the site's own name, then by its district's; at most `limit`. */
export function searchSites(sites: readonly SearchSite[], query: string, limit = 8): SearchHit[] {
  const q = fold(query);
  if (!q) return [];
  const hits: SearchHit[] = [];
  for (const site of sites) {
    const byName = score(q, fold(site.name), fold(shortName(site.name)));
    if (byName !== null) {
      hits.push({ site, rank: byName, byDistrict: false });
      continue;
    }
    const dn = fold(site.districtName);
    const byDistrict = score(q, dn, fold(shortName(site.districtName)));
    if (byDistrict !== null) hits.push({ site, rank: 10 + byDistrict, byDistrict: true });
  }
  hits.sort((a, b) => a.rank - b.rank || a.site.name.localeCompare(b.site.name, 'vi'));
  return hits.slice(0, limit);
}
