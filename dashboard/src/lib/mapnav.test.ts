import { describe, expect, it } from 'vitest';
import { nearestInDirection, nextOnPath } from './mapnav.ts';

describe('the keyboard path through sites needing attention', () => {
  const path = ['down-1', 'down-2', 'degraded-1'];
  it('Tab goes worst first and leaves the map after the last', () => {
    expect(nextOnPath(path, 'down-1', false)).toBe('down-2');
    expect(nextOnPath(path, 'down-2', false)).toBe('degraded-1');
    expect(nextOnPath(path, 'degraded-1', false)).toBeNull();
  });
  it('Shift+Tab goes back and leaves the map before the first', () => {
    expect(nextOnPath(path, 'degraded-1', true)).toBe('down-2');
    expect(nextOnPath(path, 'down-1', true)).toBeNull();
  });
  it('from a healthy node (reached with the arrows) Tab joins the path at the worst, Shift+Tab leaves', () => {
    expect(nextOnPath(path, 'ok-7', false)).toBe('down-1');
    expect(nextOnPath(path, 'ok-7', true)).toBeNull();
    expect(nextOnPath([], 'ok-7', false)).toBeNull();
  });
});

describe('the arrow keys', () => {
  const nodes = new Map([
    ['c', { x: 0, y: 0 }],
    ['e', { x: 100, y: 5 }],
    ['far-e', { x: 300, y: 0 }],
    ['ne', { x: 40, y: -60 }],
    ['s', { x: -5, y: 80 }],
    ['w', { x: -50, y: 0 }],
  ]);
  const from = nodes.get('c')!;
  it('move to the nearest node that way, sideways steps counting double', () => {
    expect(nearestInDirection(from, 'right', nodes, 'c')).toBe('e');
    expect(nearestInDirection(from, 'left', nodes, 'c')).toBe('w');
    expect(nearestInDirection(from, 'down', nodes, 'c')).toBe('s');
    expect(nearestInDirection(from, 'up', nodes, 'c')).toBe('ne');
  });
  it('stay put when nothing lies that way', () => {
    expect(nearestInDirection(nodes.get('far-e')!, 'right', nodes, 'far-e')).toBeNull();
  });
});
