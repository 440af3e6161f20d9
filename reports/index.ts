// Reports: post-meeting quality, 6-month (Điều 14.1.c) and yearly (Điều 11.3), as JSON and printable HTML.
export {
  type Availability,
  type CarrierAvailability,
  type CircuitAvailability,
  type Compliance,
  type ComplianceDeps,
  type ComplianceOptions,
  compliance,
  type MeetingWindow,
} from './compliance.ts';
export { complianceSection } from './compliance-html.ts';
export { meetingReportHtml, periodReportHtml, readinessHtml, TIER_LABEL } from './html.ts';
export {
  dbEpisodes,
  type EpisodeSource,
  type MeetingReport,
  meetingReport,
  type ReportDeps,
  type SiteQuality,
} from './meeting.ts';
export {
  AVAILABILITY_BUCKET_MS,
  type PeriodKind,
  type PeriodReport,
  periodBounds,
  periodReport,
  type SiteAvailability,
} from './period.ts';
