// The keyboard on the map (issue 15): Tab and Shift+Tab walk the sites needing attention, worst first
// (siteview.ts attentionOrder), and leave the map at either end; the arrow keys reach every node, the
// nearest one in that direction. The map is one stop in the page's Tab order (a roving tabindex).
import type { Point } from './layout.ts';

export type Direction = 'left' | 'right' | 'up' | 'down';

const STEP: Record<Direction, Point> = {
  left: { x: -1, y: 0 },
  right: { x: 1, y: 0 },
  up: { x: 0, y: -1 },
  down: { x: 0, y: 1 },
};

export const ARROWS: Record<string, Direction> = {
  ArrowLeft: 'left',
  ArrowRight: 'right',
  ArrowUp: 'up',
  ArrowDown: 'down',
};

/**
 * The node an arrow key moves to: among those ahead in that direction (within 60° either side of it),
 * the one nearest, counting a sideways step double; null when nothing lies that way.
 */
export function nearestInDirection(
  from: Point,
  dir: Direction,
  nodes: Iterable<[string, Point]>,
  self?: string,
): string | null {
  const d = STEP[dir];
  let best: string | null = null;
  let bestScore = Infinity;
  for (const [id, p] of nodes) {
    if (id === self) continue;
    const dx = p.x - from.x;
    const dy = p.y - from.y;
    const ahead = dx * d.x + dy * d.y;
    const side = Math.abs(dx * d.y - dy * d.x);
    // ahead of it, and no further sideways than √3 × ahead (60°)
    if (ahead <= 0 || side > ahead * Math.sqrt(3)) continue;
    const score = ahead + 2 * side;
    if (score < bestScore) {
      bestScore = score;
      best = id;
    }
  }
  return best;
}

/**
 * Where Tab (or Shift+Tab) goes from the focused node: the next site needing attention in the worst-first
 * path, or null to let the browser leave the map. From a node off the path (reached with the arrows),
 * Tab joins the path at its worst site and Shift+Tab leaves.
 */
export function nextOnPath(path: readonly string[], current: string | null, back: boolean): string | null {
  const i = current === null ? -1 : path.indexOf(current);
  if (i < 0) return back ? null : (path[0] ?? null);
  return path[i + (back ? -1 : 1)] ?? null;
}
