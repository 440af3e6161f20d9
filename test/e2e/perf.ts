// What the page itself can say about its performance, for test/e2e/map-perf.ts and bench/dashboard.ts:
// frames (requestAnimationFrame) and long tasks (PerformanceObserver 'longtask') over a window, and the
// JS heap through the DevTools protocol.
// The page-side code is sent as strings, not functions: tsx's name-keeping helpers do not exist in the page.
import type { Page } from 'playwright-core';

export interface FrameStats {
  /** length of the window, ms */
  ms: number;
  /** frames painted per second over the window (rAF callbacks; 60 at most on a 60 Hz display) */
  fps: number;
  /** fewest frames in one whole second of the window (the window's first second onwards) */
  min_fps_1s: number;
  /** longest gap between two frames, ms */
  worst_frame_ms: number;
  /** tasks of 50 ms or more, as Chromium reports them */
  long_tasks: number;
  longest_task_ms: number;
}

const START = `(() => {
  const w = { long: [], frames: 0, worst: 0, t0: performance.now(), stop: false, perSecond: [] };
  w.obs = new PerformanceObserver((l) => { for (const e of l.getEntries()) w.long.push(e.duration); });
  w.obs.observe({ type: 'longtask', buffered: false });
  let last = w.t0;
  w.done = new Promise((resolve) => {
    const f = (now) => {
      w.frames++; w.worst = Math.max(w.worst, now - last); last = now;
      const sec = Math.floor((now - w.t0) / 1000);
      while (w.perSecond.length <= sec) w.perSecond.push(0);
      w.perSecond[sec]++;
      if (!w.stop && (w.until === undefined || now < w.until)) requestAnimationFrame(f);
      else {
        w.obs.disconnect();
        const ms = now - w.t0;
        const whole = w.perSecond.slice(0, Math.max(1, Math.floor(ms / 1000)));
        resolve({ ms: Math.round(ms), fps: Math.round((w.frames * 1000) / ms), min_fps_1s: Math.min(...whole),
          worst_frame_ms: Math.round(w.worst),
          long_tasks: w.long.length, longest_task_ms: Math.round(Math.max(0, ...w.long)) });
      }
    };
    requestAnimationFrame(f);
  });
  return w;
})`;

/** Starts counting frames and long tasks in the page; `stop()` ends the window and returns the counts. */
export async function watchFrames(page: Page): Promise<{ stop(): Promise<FrameStats> }> {
  await page.evaluate(`void (window.__diemcauWatch = ${START}())`);
  return {
    stop: () =>
      page.evaluate(
        '(() => { const w = window.__diemcauWatch; w.stop = true; return w.done; })()',
      ) as Promise<FrameStats>,
  };
}

/** Frames and long tasks over the next `ms` milliseconds. */
export function framesFor(page: Page, ms: number): Promise<FrameStats> {
  return page.evaluate(
    `(() => { const w = ${START}(); w.until = w.t0 + ${ms}; return w.done; })()`,
  ) as Promise<FrameStats>;
}

/** JS heap of the page after a full garbage collection (DevTools protocol), bytes. */
export async function jsHeapAfterGc(page: Page): Promise<{ used: number; total: number }> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.collectGarbage');
    const h = await cdp.send('Runtime.getHeapUsage');
    return { used: h.usedSize, total: h.totalSize };
  } finally {
    await cdp.detach();
  }
}
