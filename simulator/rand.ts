// Seeded randomness: every moving value in the simulator is a function of (seed, object, time),
// so a run with the same seed and the same inventory replays the same curves.

/** FNV-1a of a string, mixed with a seed: a stable 32-bit id for an object. */
export function hashId(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** An integer hash of two integers to [0, 1). */
export function hash01(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** A PRNG (mulberry32) for sequences of draws: packet loss, jitter. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Smooth value noise in [-1, 1] over time (seconds), with knots every `period` seconds. */
export function smooth(seed: number, t: number, period = 10): number {
  const x = t / period;
  const k = Math.floor(x);
  const f = x - k;
  const a = hash01(seed, k);
  const b = hash01(seed, k + 1);
  const w = (1 - Math.cos(f * Math.PI)) / 2;
  return (a + (b - a) * w) * 2 - 1;
}

/** Two octaves of smooth noise: slow drift plus faster wobble, in [-1, 1]. */
export function wobble(seed: number, t: number): number {
  return 0.7 * smooth(seed, t, 30) + 0.3 * smooth(seed ^ 0x5bd1e995, t, 4);
}

/** A seeded number in [lo, hi) for a named property of an object. */
export function pick(seed: number, name: string, lo: number, hi: number): number {
  return lo + hash01(seed, hashId(name)) * (hi - lo);
}
