// Reports: post-meeting, 6-month (Điều 14.1.c) and yearly (Điều 11.3), as JSON and as documents an
// office files (documents.ts: printable HTML, Word, PDF, CSV).
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
export { meetingDocument, periodDocument } from './documents.ts';
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
export { readinessHtml } from './readiness-html.ts';
