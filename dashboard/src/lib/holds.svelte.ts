// Silences and maintenance windows, for "silenced / in maintenance until when" beside a site's
// episode. Fetched when a screen first needs them and again when an episode names one not yet known.
import type { MaintenanceWindow, Silence } from '../../../api/contract.ts';
import { get, pickList } from './api.ts';

export const holds = $state<{ silences: Silence[]; maintenance: MaintenanceWindow[] }>({
  silences: [],
  maintenance: [],
});

let loading: Promise<void> | null = null;
let lastAt = 0;

/** Loads the holds (at most every 10 s); `suppressedBy` (silence:<id> / maintenance:<id>) not known yet forces it. */
export function ensureHolds(suppressedBy?: string | null): void {
  if (loading) return;
  const [kind, id] = (suppressedBy ?? '').split(':');
  const known =
    !suppressedBy ||
    (kind === 'maintenance'
      ? holds.maintenance.some((m) => m.id === id)
      : holds.silences.some((s) => s.id === id));
  if (lastAt && known) return;
  if (Date.now() - lastAt < 10_000) return;
  lastAt = Date.now();
  loading = Promise.all([
    get<unknown>('/silences').catch(() => null),
    get<unknown>('/maintenance').catch(() => null),
  ])
    .then(([s, m]) => {
      if (s) holds.silences = pickList<Silence>(s, 'silences');
      if (m) holds.maintenance = pickList<MaintenanceWindow>(m, 'maintenance');
    })
    .finally(() => {
      loading = null;
    });
}
