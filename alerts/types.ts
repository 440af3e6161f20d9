import type { Alert } from '../api/contract.ts';

export type Severity = Alert['severity'];
