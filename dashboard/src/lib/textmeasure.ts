// Text as the browser will draw it (canvas measureText in the map's own font), so names placed on the
// map are placed by their real size, not a guess. Cached: the same names are measured again on every
// resize and status change.
import { estimateText, type Measure } from './layout.ts';

export function canvasMeasure(fontFamily: string): Measure {
  const ctx = typeof document === 'undefined' ? null : document.createElement('canvas').getContext('2d');
  if (!ctx) return estimateText;
  const cache = new Map<string, ReturnType<Measure>>();
  return (text, px, weight) => {
    const key = `${weight} ${px} ${text}`;
    let m = cache.get(key);
    if (!m) {
      ctx.font = `${weight} ${px}px ${fontFamily}`;
      const t = ctx.measureText(text);
      // the font's ascent and descent (what an SVG text's box spans), not this text's ink
      m = {
        w: t.width,
        ascent: t.fontBoundingBoxAscent || px * 0.95,
        descent: t.fontBoundingBoxDescent || px * 0.25,
      };
      if (cache.size > 4000) cache.clear();
      cache.set(key, m);
    }
    return m;
  };
}
