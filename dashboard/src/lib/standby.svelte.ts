// Two servers (issue 21, docs/backbone.md): `/healthz` says whether this one holds the lease. The
// standby shows the active's episodes but decides and sends nothing; the banner says so.
export const ha = $state<{ role: 'active' | 'standby' | null; holder: string | null }>({
  role: null,
  holder: null,
});

let timer: ReturnType<typeof setInterval> | null = null;

async function read(): Promise<void> {
  try {
    const r = await fetch('/healthz', { credentials: 'same-origin' });
    if (!r.ok) return;
    const h = (await r.json()) as { role?: 'active' | 'standby'; ha?: { holder: string | null } };
    ha.role = h.role ?? null;
    ha.holder = h.ha?.holder ?? null;
  } catch {
    // the live stream's banner covers a server that does not answer
  }
}

/** Reads the role now and every 10 s (a take-over shows within that). */
export function watchStandby(): () => void {
  void read();
  timer ??= setInterval(() => void read(), 10_000);
  return () => {
    if (timer) clearInterval(timer);
    timer = null;
  };
}
