// Calls the simulated MCU dials out to a site (readiness test calls, collector/drivers/test-calls.ts):
// the site answers after a moment when it can (its link up, its devices powered, its codec not hung),
// else the call fails after a ring with the vendor's documented reason. Shared by the simulated
// Pexip command API (simulator/pexip.ts) and Cisco TelePresence participant.add (cisco-telepresence.ts).
import { aliasKey, type LoadedInventory } from '../inventory/load.ts';
import type { SiteSim } from './model.ts';

/** how long a site that can answer takes to connect */
export const DIAL_ANSWER_MS = 400;
/** how long the MCU rings a site that cannot answer before it gives up */
export const DIAL_FAIL_MS = 1500;

export interface DialledCall {
  /** the MCU's id of the call (Pexip participant id, Cisco participantName) */
  id: string;
  /** the address dialled, as given */
  address: string;
  /** the site the address belongs to; null when no site has it */
  site: SiteSim | null;
  conference: string;
  at: number;
}

export type DialState =
  | { state: 'connecting' }
  | { state: 'connected'; since: number }
  | {
      state: 'failed';
      /** why, in words a person reads (English, the simulator's log) */
      why: 'unknown_address' | 'site_unreachable' | 'no_power' | 'codec_hung' | 'busy';
    };

/** Why a site cannot take a call now; null when it can. */
export function cannotAnswer(
  s: SiteSim | null,
): Exclude<DialState, { state: 'connecting' | 'connected' }>['why'] | null {
  if (!s) return 'unknown_address';
  if (s.off) return 'no_power';
  if (!s.reachable()) return 'site_unreachable';
  if (s.hung) return 'codec_hung';
  return null;
}

export class DialOuts {
  private readonly calls = new Map<string, DialledCall & { connectedAt: number | null; busy: boolean }>();

  constructor(
    private readonly inv: LoadedInventory,
    private readonly sites: Map<string, SiteSim>,
    private readonly answerMs = DIAL_ANSWER_MS,
    private readonly failMs = DIAL_FAIL_MS,
  ) {}

  /** Places a call to `address` in `conference` under the MCU's id `id`. */
  dial(id: string, address: string, conference: string, now = Date.now()): DialledCall {
    const siteId = this.inv.aliases.get(aliasKey(address));
    const site = siteId ? (this.sites.get(siteId) ?? null) : null;
    // the site's codec already in one of our calls (ringing or connected) rejects another as busy
    const busy =
      site !== null &&
      [...this.calls.keys()].some((k) => {
        const st = this.calls.get(k)!.site === site ? this.state(k, now) : null;
        return st !== null && st.state !== 'failed';
      });
    const call = { id, address, site, conference, at: now, connectedAt: null, busy };
    this.calls.set(id, call);
    return call;
  }

  get(id: string): DialledCall | undefined {
    return this.calls.get(id);
  }

  /** The call's state now: connected once answered (and it stays so until hung up). */
  state(id: string, now = Date.now()): DialState | null {
    const c = this.calls.get(id);
    if (!c) return null;
    if (c.connectedAt !== null) return { state: 'connected', since: c.connectedAt };
    if (now - c.at < this.answerMs) return { state: 'connecting' };
    if (c.busy) return { state: 'failed', why: 'busy' };
    const why = cannotAnswer(c.site);
    if (why === null) {
      c.connectedAt = c.at + this.answerMs;
      return { state: 'connected', since: c.connectedAt };
    }
    return now - c.at < this.failMs ? { state: 'connecting' } : { state: 'failed', why };
  }

  /** Hangs the call up (removes it); false when there was none. */
  remove(id: string): boolean {
    return this.calls.delete(id);
  }

  /** Every call not hung up yet, oldest first. */
  list(): DialledCall[] {
    return [...this.calls.values()];
  }
}
