export type { Severity } from '../core/vocabulary.ts';
