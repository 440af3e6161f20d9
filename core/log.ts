// One logger for the process: JSON lines (pino), level from DIEMCAU_LOG_LEVEL.
import pino from 'pino';

export const log = pino({
  level: process.env.DIEMCAU_LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
  base: { app: 'diemcau' },
});

export type Logger = typeof log;
