// Issue 15, the NOC view: wall mode (`/?kiosk`, `/?kiosk&rotate=30`). Which district the rotation
// shows is decided in lib/wall.ts; the map page runs it and writes here what the slim header says.
import { query, route, setQuery } from './router.svelte.ts';
import { rotateSeconds } from './wall.ts';

/** wall mode is on: the map with `?kiosk` in its address */
export function kioskOn(): boolean {
  return route.path === '/' && query('kiosk') !== null;
}

/** the rotation's period in seconds, or null */
export function kioskRotate(): number | null {
  return kioskOn() ? rotateSeconds(query('rotate')) : null;
}

export function leaveKiosk(): void {
  setQuery({ kiosk: null, rotate: null });
}

/** what the rotation is doing, for the header */
export const rotation = $state({
  /** seconds to the next district; 0 while paused */
  nextIn: 0,
  /** paused on a critical episode */
  paused: false,
});

/** After this long without the mouse moving, the wall hides the cursor. */
export const CURSOR_IDLE_MS = 3000;

/** `idle.now` turns true once the mouse has rested CURSOR_IDLE_MS; call the returned function to stop. */
export function watchIdle(idle: { now: boolean }): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const wake = () => {
    idle.now = false;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      idle.now = true;
    }, CURSOR_IDLE_MS);
  };
  wake();
  window.addEventListener('mousemove', wake);
  window.addEventListener('pointerdown', wake);
  return () => {
    if (timer) clearTimeout(timer);
    window.removeEventListener('mousemove', wake);
    window.removeEventListener('pointerdown', wake);
    idle.now = false;
  };
}
