// An episode and an alert as the engine holds them: the API's shapes plus the bookkeeping of
// paging (who was told, escalation, group wait) and of restoration after a restart.
import type { Alert, Episode, EpisodeMember } from '../api/contract.ts';
import type { MeetingRef } from '../core/ports.ts';
import type { Severity } from '../core/vocabulary.ts';
import type { Explanation } from './topology.ts';

/** a member with the fingerprint of its condition (`${rule}:${site}${:instance}`) */
export interface Member extends EpisodeMember {
  fp: string;
}

/** key prefix of a codec switched off within operating hours: minor, the NOC's digest only, not a fault */
export const OFF_IN_HOURS = 'off-hours:';

/** An episode with the engine's bookkeeping. */
export interface Ep {
  e: Episode;
  explanation: Explanation;
  evidence: Record<string, number | string>;
  /** grouping key: district:<d>, power:<branch>:<n>, runtime:<meeting>, site:<fp> */
  key: string;
  members: Map<string, Member>;
  alwaysPage: boolean;
  baseSeverity: Severity;
  paged: boolean;
  digestOnly: boolean;
  notifyAt: number | null;
  level: number;
  nextEscalationAt: number | null;
  lastNotifiedAt: number | null;
  seq: number;
  /** sites whose technicians have been paged */
  pagedSites: string[];
  /** every active root is already clearing (values back, `clear_for` running): no escalation, no reminder */
  clearing: boolean;
  meetingRef: MeetingRef | null;
  /** when it was restored from the database (its members count as holding for a grace period) */
  restored: number | null;
}

/** An alert (one condition at one site) with its fingerprint. */
export interface AlertRec {
  alert: Alert;
  fp: string;
  restored: number | null;
}
