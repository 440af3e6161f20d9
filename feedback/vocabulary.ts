// The words of feedback (Điều 11.4, 15.2): its kinds, categories and statuses, Vietnamese first,
// English second. The API, the store, the reports and the dashboard derive from these lists.
import type { Named } from '../core/metrics.ts';

export const FEEDBACK_KINDS = ['difficulty', 'proposal'] as const;
export type FeedbackKind = (typeof FEEDBACK_KINDS)[number];

export const FEEDBACK_KIND_NAMES: Record<FeedbackKind, Named> = {
  difficulty: { vi: 'Khó khăn, vướng mắc', en: 'Difficulty' },
  proposal: { vi: 'Đề xuất, kiến nghị', en: 'Proposal' },
};

export const FEEDBACK_CATEGORIES = [
  'equipment',
  'link',
  'power',
  'room',
  'software',
  'training',
  'upgrade',
  'other',
] as const;
export type FeedbackCategory = (typeof FEEDBACK_CATEGORIES)[number];

export const FEEDBACK_CATEGORY_NAMES: Record<FeedbackCategory, Named> = {
  equipment: { vi: 'Thiết bị', en: 'Equipment' },
  link: { vi: 'Đường truyền', en: 'Network link' },
  power: { vi: 'Nguồn điện', en: 'Power supply' },
  room: { vi: 'Phòng họp', en: 'Meeting room' },
  software: { vi: 'Phần mềm, hệ thống', en: 'Software and systems' },
  training: { vi: 'Đào tạo, tập huấn', en: 'Training' },
  upgrade: { vi: 'Đề xuất nâng cấp', en: 'Upgrade proposal' },
  other: { vi: 'Khác', en: 'Other' },
};

/** pending: waiting for the NOC's answer; answered: the NOC answered */
export const FEEDBACK_STATUSES = ['pending', 'answered'] as const;
export type FeedbackStatus = (typeof FEEDBACK_STATUSES)[number];

export const FEEDBACK_STATUS_NAMES: Record<FeedbackStatus, Named> = {
  pending: { vi: 'Chờ trả lời', en: 'Awaiting answer' },
  answered: { vi: 'Đã trả lời', en: 'Answered' },
};
