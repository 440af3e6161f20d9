// The shapes the API serves and the dashboard reads: one definition for both ends (and the
// OpenAPI document). The dashboard imports types only (`import type`), so zod stays out of its bundle.
import { z } from 'zod';
import {
  LIVE_METRICS,
  type LiveMetric,
  QUALITY_METRICS,
  QUALITY_SOURCES,
  type QualityMetric,
} from '../core/metrics.ts';
import {
  ALERT_STATES,
  ATTENDANCE_EVENTS,
  CAUSES,
  EPISODE_STATES,
  SEVERITIES,
  SITE_STATES,
} from '../core/vocabulary.ts';
import { CARRIERS, TIERS } from '../inventory/schema.ts';

export type { Cause, SiteState } from '../core/vocabulary.ts';
// the domain's vocabularies live in core/vocabulary.ts; the contract serves them
export { ALERT_STATES, ATTENDANCE_EVENTS, CAUSES, EPISODE_STATES, SEVERITIES, SITE_STATES };
export const ROLES = ['admin', 'noc', 'technician', 'host', 'viewer'] as const;

export type Role = (typeof ROLES)[number];

/**
 * Latest link quality and power numbers of a site (absent = not measured yet): the metrics of
 * LIVE_METRICS (core/metrics.ts). Loss, jitter, RTT and MOS here are the headline figures
 * (`SiteStatus.sources` says whose).
 */
export const SiteMetrics = z.object(
  Object.fromEntries(LIVE_METRICS.map((m) => [m, z.number().optional()])) as Record<
    LiveMetric,
    z.ZodOptional<z.ZodNumber>
  >,
);
export type SiteMetrics = z.infer<typeof SiteMetrics>;

export const QUALITY_SOURCE_NAMES = Object.keys(QUALITY_SOURCES) as (keyof typeof QUALITY_SOURCES)[];
export const QualitySourceName = z.enum(QUALITY_SOURCE_NAMES as ['mcu', 'codec', 'path']);
export type QualitySourceName = z.infer<typeof QualitySourceName>;

/** One source's latest loss/jitter/RTT/MOS of a site, and when it measured them. */
export const QualityFigures = z.object({
  ...(Object.fromEntries(QUALITY_METRICS.map((m) => [m, z.number().optional()])) as Record<
    QualityMetric,
    z.ZodOptional<z.ZodNumber>
  >),
  time: z.number(),
  /** for the path: rtp or icmp */
  probe: z.string().optional(),
});
export type QualityFigures = z.infer<typeof QualityFigures>;

/** Each source's figures, kept apart: the MCU port's, the codec's and the path probe's. */
export const SiteQuality = z.object({
  mcu: QualityFigures.optional(),
  codec: QualityFigures.optional(),
  path: QualityFigures.optional(),
});
export type SiteQuality = z.infer<typeof SiteQuality>;

/** Which source the headline loss/jitter/RTT/MOS of `metrics` came from. */
export const QualitySources = z.object(
  Object.fromEntries(QUALITY_METRICS.map((m) => [m, QualitySourceName.optional()])) as Record<
    QualityMetric,
    z.ZodOptional<typeof QualitySourceName>
  >,
);
export type QualitySources = z.infer<typeof QualitySources>;

export const SiteStatus = z.object({
  id: z.string(),
  name: z.string(),
  gso: z.string(),
  tier: z.enum(TIERS),
  district: z.string(),
  carrier: z.enum(CARRIERS),
  lat: z.number().nullable(),
  lon: z.number().nullable(),
  state: z.enum(SITE_STATES),
  /** root cause when not ok, as the alert engine decided it */
  cause: z.enum(CAUSES).nullable(),
  /** ms since epoch when `state` last changed */
  since: z.number(),
  /** one line for a person, Vietnamese first: "Mất kết nối — nguyên nhân: đường truyền VNPT" */
  summary: z.string(),
  metrics: SiteMetrics,
  /** whose figure each headline loss/jitter/RTT/MOS in `metrics` is (precedence: mcu, codec, path) */
  sources: QualitySources,
  /** every source's own figures, kept apart */
  quality: SiteQuality,
  /** active UPS alarms (ups_alarm values, core/metrics.ts names them), from the UPS's newest poll */
  active_ups_alarms: z.array(z.number()),
  /** time of the newest sample behind `metrics` */
  updated: z.number().nullable(),
  firing_alerts: z.number().int(),
  in_meeting: z.boolean(),
  /** the open episode that is the site's state (alerts/precedence.ts, docs/alerts.md), null when none */
  episode: z.string().nullable().optional(),
});
export type SiteStatus = z.infer<typeof SiteStatus>;

export const Alert = z.object({
  id: z.string(),
  rule: z.string(),
  severity: z.enum(SEVERITIES),
  state: z.enum(ALERT_STATES),
  cause: z.enum(CAUSES).nullable(),
  /** the site the alert is about; district-wide alerts name the district hall and list `sites` */
  site: z.string().nullable(),
  sites: z.array(z.string()),
  district: z.string().nullable(),
  title: z.string(),
  /** how the root cause was decided, and the numbers behind it */
  reasoning: z.string(),
  evidence: z.record(z.string(), z.union([z.number(), z.string()])),
  owner_org: z.string().nullable(),
  started_at: z.number(),
  resolved_at: z.number().nullable(),
  acknowledged_by: z.string().nullable(),
  ack_comment: z.string().nullable(),
  suppressed_by: z.string().nullable(),
  meeting: z.string().nullable(),
  /** English title beside the Vietnamese one */
  title_en: z.string().optional(),
  /** equipment faults are owned by the site technician (a person, not an organisation) */
  owner_person: z.string().nullable().optional(),
  /** people paged so far (person ids), in order */
  notified: z.array(z.string()).optional(),
  /** escalation step reached: 0 = first contacts, then next contact, then the organisation's head */
  escalation_level: z.number().int().optional(),
  /** the condition flaps; it is held (not re-sent) until stable */
  flapping: z.boolean().optional(),
  /** the fault episode this condition belongs to (its root or a child); null when it is none */
  episode: z.string().nullable().optional(),
});
export type Alert = z.infer<typeof Alert>;

/**
 * A fault episode: what is paged, acknowledged, escalated, reminded, silenced and resolved. It
 * keeps the cause and owner decided at its onset; its children are the conditions it explains
 * (codec silent while the site is dark, a commune inside a district outage, …).
 */
export const EpisodeMember = z.object({
  /** the alert (one condition at one site) */
  alert: z.string(),
  rule: z.string(),
  site: z.string().nullable(),
  /** the device whose readings hold the condition (a probe is `${site}:icmp`/`:rtp`); null for a district */
  device: z.string().nullable().optional(),
  role: z.enum(['root', 'child']),
  /** the condition still holds */
  active: z.boolean(),
  since: z.number(),
  cleared_at: z.number().nullable(),
});
export type EpisodeMember = z.infer<typeof EpisodeMember>;

export const CauseChange = z.object({
  at: z.number(),
  cause: z.enum(CAUSES).nullable(),
  owner_org: z.string().nullable(),
  owner_person: z.string().nullable(),
  /** 'onset' for the decision at the start, else the person (or 'engine') who re-attributed it */
  by: z.string(),
  reason: z.string(),
});
export type CauseChange = z.infer<typeof CauseChange>;

export const EpisodeNotification = z.object({
  at: z.number(),
  kind: z.string(),
  /** person ids the message went to */
  to: z.array(z.string()),
  key: z.string(),
});
export type EpisodeNotification = z.infer<typeof EpisodeNotification>;

export const Episode = z.object({
  id: z.string(),
  /** the rule of the root condition (district-outage for a district) */
  rule: z.string(),
  state: z.enum(EPISODE_STATES),
  severity: z.enum(SEVERITIES),
  cause: z.enum(CAUSES).nullable(),
  owner_org: z.string().nullable(),
  owner_person: z.string().nullable(),
  title: z.string(),
  title_en: z.string(),
  /** the root cause as a person reads it, each language rendered on its own */
  reasoning: z.string(),
  reasoning_en: z.string(),
  /** the sites concerned, the root's first */
  sites: z.array(z.string()),
  district: z.string().nullable(),
  /** the first evidence (earliest member) */
  started_at: z.number(),
  /** when its root cause cleared (time to restore ends here) */
  cleared_at: z.number().nullable(),
  resolved_at: z.number().nullable(),
  acknowledged_by: z.string().nullable(),
  acknowledged_at: z.number().nullable(),
  ack_comment: z.string().nullable(),
  /** silence:<id> or maintenance:<id> while it is held back */
  suppressed_by: z.string().nullable(),
  meeting: z.string().nullable(),
  /** the root condition flaps: paged once, held until stable */
  flapping: z.boolean(),
  /** meeting now / within the readiness window; none for 24 h (NOC digest unless always paged) */
  relevance: z.enum(['meeting', 'soon', 'later', 'quiet']),
  members: z.array(EpisodeMember),
  cause_history: z.array(CauseChange),
  notifications: z.array(EpisodeNotification),
  /** people paged so far (person ids) */
  notified: z.array(z.string()),
  escalation_level: z.number().int(),
});
export type Episode = z.infer<typeof Episode>;

/** A site joining, never joining or leaving a meeting's call: not a fault, kept for the report. */
export const AttendanceEvent = z.object({
  meeting: z.string(),
  site: z.string(),
  event: z.enum(ATTENDANCE_EVENTS),
  at: z.number(),
});
export type AttendanceEvent = z.infer<typeof AttendanceEvent>;

/** A message of an episode as the outbox holds it (`GET /episodes/{id}`, admin and noc only). */
export const EpisodeDelivery = z.object({
  id: z.number(),
  /** the alert (or episode) the message was about */
  about: z.string().nullable(),
  channel: z.string(),
  /** the address or number it went to */
  recipient: z.string(),
  person: z.string().nullable(),
  kind: z.string(),
  subject: z.string(),
  state: z.enum(['pending', 'sending', 'sent', 'failed']),
  attempts: z.number().int(),
  created_at: z.number(),
  sent_at: z.number().nullable(),
  last_error: z.string().nullable(),
});
export type EpisodeDelivery = z.infer<typeof EpisodeDelivery>;

/** One episode with its member alerts in full and, for admin and noc, its deliveries. */
export const EpisodeDetail = Episode.extend({
  alerts: z.array(Alert),
  deliveries: z.array(EpisodeDelivery).optional(),
});
export type EpisodeDetail = z.infer<typeof EpisodeDetail>;

export const Silence = z.object({
  id: z.string(),
  matchers: z.object({
    site: z.string().optional(),
    district: z.string().optional(),
    tier: z.enum(TIERS).optional(),
    rule: z.string().optional(),
  }),
  starts_at: z.number(),
  ends_at: z.number(),
  comment: z.string(),
  created_by: z.string(),
});
export type Silence = z.infer<typeof Silence>;

export const MaintenanceWindow = z.object({
  id: z.string(),
  scope: z.object({
    site: z.string().optional(),
    district: z.string().optional(),
    tier: z.enum(TIERS).optional(),
  }),
  /** ISO weekdays 1 (Monday) … 7; empty = every day */
  weekdays: z.array(z.number().int()),
  /** local time (Asia/Ho_Chi_Minh) HH:MM */
  start: z.string(),
  duration_min: z.number(),
  comment: z.string(),
  source: z.enum(['rules', 'db']),
  created_by: z.string().optional(),
});
export type MaintenanceWindow = z.infer<typeof MaintenanceWindow>;

export const User = z.object({
  name: z.string(),
  role: z.enum(ROLES),
  /** technicians: the sites they may see; hosts: their organisation */
  sites: z.array(z.string()).optional(),
  org: z.string().optional(),
});
export type User = z.infer<typeof User>;

/**
 * The live stream (`GET /api/v1/live`, Server-Sent Events). Every event has a numeric id;
 * a client that reconnects with Last-Event-ID gets exactly what it missed (or a fresh snapshot
 * when that is too old). Event names and payloads:
 */
export interface LiveEvents {
  snapshot: { sites: SiteStatus[]; alerts: Alert[]; episodes?: Episode[] };
  /** a site's status changed (full replacement of that site) */
  site: SiteStatus;
  /**
   * new link-quality / power numbers, for sparklines: one event for what arrived together (a collector
   * round, or a short window), one entry per site and batch of samples, in the order they arrived; a
   * client that sees only some sites gets only theirs
   */
  metrics: { updates: SiteMetricsUpdate[] };
  /** an alert was raised, changed state, or resolved (full replacement) */
  alert: Alert;
  /** an episode was opened, changed (state, sites, owner, notifications) or resolved (full replacement) */
  episode: Episode;
  heartbeat: { time: number };
}
export type LiveEventName = keyof LiveEvents;

/**
 * One site's new numbers in a `metrics` event: `values` holds the headline figures (whose: `sources`),
 * `quality` the figures of each source that reported in this batch.
 */
export interface SiteMetricsUpdate {
  site: string;
  time: number;
  values: SiteMetrics;
  sources: QualitySources;
  quality: SiteQuality;
}

export const ApiError = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    /** for validation errors: which field, and what is wrong with it */
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ApiError = z.infer<typeof ApiError>;

// --- site page (issue 15): threshold lines and Grafana links ---

/**
 * One line of an alert rule on a chart: where the running rule (alerts.rules) draws a band of a
 * metric, as `GET /sites/{id}/metrics` returns it beside the series.
 */
export const Threshold = z.object({
  metric: z.string(),
  rule: z.string(),
  title: z.string(),
  title_en: z.string(),
  severity: z.enum(SEVERITIES),
  /** the rule fires when the value goes above (loss, jitter, RTT) or below (MOS) this line */
  direction: z.enum(['above', 'below']),
  value: z.number(),
});
export type Threshold = z.infer<typeof Threshold>;

/** A Grafana dashboard showing one site, with its variables set (`grafana.url` configured). */
export const GrafanaLink = z.object({
  /** the dashboard's uid (grafana/dashboards.ts) */
  dashboard: z.string(),
  title: z.string(),
  title_en: z.string(),
  /** without a time range: the client adds `from` and `to` (Grafana's relative times, e.g. now-24h) */
  url: z.string(),
});
export type GrafanaLink = z.infer<typeof GrafanaLink>;

// issue 15 h4: meetings, readiness, incidents and the MCU's calls as the API serves them, for the
// dashboard to import from here and nowhere else (types only: every line below is erased at build).
// Derived from the route schemas where the routes export them (api/routes/meetings.ts),
// else the domain's own types the routes serialise.
type MeetingRoutes = typeof import('./routes/meetings.ts');
/** a registered meeting (GET /meetings, /meetings/{id}) */
export type Meeting = z.infer<MeetingRoutes['MeetingSchema']>;
/** an incident of the log (GET /incidents) */
export type Incident = z.infer<MeetingRoutes['IncidentSchema']>;
/** GET /incidents/{id}: the incident with every create and edit, oldest first */
export type IncidentDetail = z.infer<MeetingRoutes['IncidentDetailSchema']>;
export type IncidentChange = IncidentDetail['history'][number];
export type IncidentStatus = Incident['status'];
export type CauseClass = Incident['cause_class'];
/** GET /incidents/draft?alert_id= (or episode_id=): what the alert or episode says, every field optional */
export type IncidentDraft = Partial<
  Pick<
    Incident,
    | 'alert_id'
    | 'episode_id'
    | 'responsible_org'
    | 'sites'
    | 'meeting_id'
    | 'started_at'
    | 'restored_at'
    | 'cause_class'
    | 'cause'
  >
>;
/** GET /meetings/host-orgs: an organisation that may host a meeting */
export interface HostOrg {
  id: string;
  name: string;
}
export type { Tier } from '../inventory/schema.ts';
export type { ReadinessRun, SiteReadiness, Slot } from '../meetings/readiness.ts';
export type { Overlap, Registered } from '../meetings/store.ts';
// end h4
// issue 16 h7: the host catalogue, meeting series, the clash policy's statuses (server side; types only)
/** GET /hosts: an organisation of the host catalogue (Điều 2.3) */
export type Host = z.infer<typeof import('./routes/hosts.ts')['HostSchema']>;
export type HostType = Host['type'];
/** GET /meetings/series/{id}: a recurring meeting's rule, skipped dates and occurrences */
export type MeetingSeries = z.infer<MeetingRoutes['SeriesSchema']>;
/** confirmed; pending (a clash waiting for the NOC); rejected */
export type MeetingStatus = Meeting['status'];
/** POST /meetings `recurrence`: weekly or monthly, until a date or a count, with skipped dates */
export type { RecurrenceInput } from '../meetings/recurrence.ts';

// end h7
// issue 16 h6: joint readiness test runs (Điều 7.1.b), types only
type ReadinessRoutes = typeof import('./routes/readiness.ts');
/** GET /meetings/{id}/readiness/sites: one site's parts (link, power/UPS, codec, confirmation) and who confirmed */
export type ReadinessSiteCheck = z.infer<ReadinessRoutes['SiteCheckSchema']>;
/** POST /meetings/{id}/readiness/sites/{site}/confirm: the technician's "Đã kiểm tra" */
export type ReadinessConfirmation = z.infer<ReadinessRoutes['ConfirmationSchema']>;
// end h6
