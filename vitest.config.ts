import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**', 'dashboard/dist/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests start real services (snmpd, influxd, Chromium) on free loopback ports; on 2 cores
    // running many files at once makes timing-sensitive network tests flaky.
    maxWorkers: 2,
  },
});
