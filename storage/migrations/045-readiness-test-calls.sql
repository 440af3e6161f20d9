-- Readiness test calls dialled by the MCU (issue 20, meetings/readiness-test-calls.ts): the call's
-- verdict per site as JSON {outcome, vi, en, destination, connect_s?, loss_pct?, jitter_ms?,
-- rate_kbps?, detail?, hung_up}; NULL when the run made no test calls.
ALTER TABLE readiness_results ADD COLUMN test_call TEXT;
