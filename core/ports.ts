// Interfaces between the parts, so each can be built and tested on its own:
// storage implements MetricsStore, alerts implements AlertEngine, meetings implements MeetingSource;
// the API and reports only see these.
import type { Alert, AttendanceEvent, Cause, Episode, Silence, SiteState } from '../api/contract.ts';
import type { Sample } from './bus.ts';
import type { MetricName } from './metrics.ts';

export interface SeriesSelector {
  metric: MetricName;
  site?: string;
  device?: string;
  instance?: string;
  probe?: string;
}

export interface RangeQuery extends SeriesSelector {
  /** ms since epoch, inclusive */
  from: number;
  /** ms since epoch, exclusive */
  to: number;
}

export interface Point {
  time: number;
  value: number;
}

export interface Series {
  site: string;
  device: string;
  metric: MetricName;
  instance?: string;
  probe?: string;
  points: Point[];
}

export interface Bucket {
  time: number;
  mean: number;
  min: number;
  max: number;
  p95: number;
  count: number;
}

export interface AggregateQuery extends RangeQuery {
  bucketMs: number;
}

export interface StoreHealth {
  kind: 'influxdb' | 'sqlite';
  ok: boolean;
  spooled: number;
  lastError: string | null;
  lastWriteMs: number | null;
  /** the spool is at its size limit and its oldest points are being dropped (an alarm) */
  spoolFull?: boolean;
  /** points lost to a full spool since start */
  droppedPoints?: number;
}

export interface MetricsStore {
  /** Accepts a batch; never throws and never drops: what cannot be written now is spooled. */
  write(samples: readonly Sample[]): void;
  /** Resolves when everything accepted so far is stored (or spooled, when the database is down). */
  flush(): Promise<void>;
  raw(q: RangeQuery): Promise<Series[]>;
  aggregate(q: AggregateQuery): Promise<(Omit<Series, 'points'> & { buckets: Bucket[] })[]>;
  /** Fraction (0..1) of buckets whose mean is above (or below) a threshold — for reports. */
  fractionOfBuckets(q: AggregateQuery & { above?: number; below?: number }): Promise<number>;
  latest(selector: Partial<SeriesSelector>): Promise<Sample[]>;
  seriesForSite(site: string): Promise<Omit<Series, 'points'>[]>;
  health(): StoreHealth;
  close(): Promise<void>;
}

/** A meeting as the alert engine needs to know it (the meetings module owns the full record). */
export interface MeetingRef {
  id: string;
  title: string;
  start: number;
  end: number;
  sites: string[];
}

export interface MeetingSource {
  /** meetings live at `at` or starting within `windowMs` after it, that include the site */
  forSite(site: string, at: number, windowMs: number): MeetingRef[];
}

export interface SiteVerdict {
  state: SiteState;
  cause: Cause | null;
  /** one line for a person, Vietnamese first */
  summary: string;
  since: number;
  /** the episode that is the site's state (alerts/precedence.ts), when one is */
  episode?: string | null;
}

/** A recurring maintenance window (maintenance plans, Điều 13.3): local time Asia/Ho_Chi_Minh. */
export interface Maintenance {
  id: string;
  scope: { site?: string; district?: string; tier?: 'province' | 'district' | 'commune' };
  /** ISO weekdays 1 (Monday) … 7; empty = every day */
  weekdays: number[];
  /** local start time HH:MM */
  start: string;
  /** ms */
  duration: number;
  comment: string;
}

export interface MaintenanceWindow extends Maintenance {
  /** from the rules file (read-only here) or created by an operator */
  source: 'rules' | 'db';
  created_by?: string;
}

export interface AlertEngine {
  list(filter?: { state?: Alert['state']; site?: string }): Alert[];
  get(id: string): Alert | undefined;
  /** acknowledges the alert's episode: stops escalation and reminders for all its children; everyone already paged is told. Throws if the alert does not exist. */
  acknowledge(id: string, by: string, comment: string): Alert;
  /** fault episodes, newest first (open ones unless `all`) */
  episodes(filter?: { state?: Episode['state']; site?: string; all?: boolean }): Episode[];
  episode(id: string): Episode | undefined;
  /** one acknowledge for the episode and all its children. Throws if unknown or resolved. */
  acknowledgeEpisode(id: string, by: string, comment: string): Episode;
  /**
   * Explicit re-attribution: the episode's cause and owner change, logged in its cause history,
   * and one "chuyển đơn vị xử lý / reassigned" message goes to the old and the new owner.
   */
  reassign(id: string, to: { cause: Cause }, by: string, reason: string): Episode;
  /** a meeting's attendance: sites joining, never joining, leaving (not faults) */
  attendance(meeting: string): AttendanceEvent[];
  onEpisode(cb: (episode: Episode) => void): () => void;
  silences(): Silence[];
  addSilence(s: Omit<Silence, 'id'>): Silence;
  endSilence(id: string, by: string): void;
  maintenanceWindows(): MaintenanceWindow[];
  addMaintenance(m: Maintenance, by: string): MaintenanceWindow;
  endMaintenance(id: string): void;
  /** the alert engine's view of a site (root cause included), or null when nothing is wrong */
  verdict(site: string): SiteVerdict | null;
  onChange(cb: (alert: Alert) => void): () => void;
}
