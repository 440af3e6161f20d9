-- Sign-in limits (api/login-guard.ts, rate-limiter-flexible's SQLite store): attempts reserved per
-- address and per (user name, address) before the password is hashed, lockout counts for the
-- exponential delay. Replaces login_failures, which counted failures only after the hash.
CREATE TABLE login_limits (
  key TEXT PRIMARY KEY,
  points INTEGER NOT NULL DEFAULT 0,
  expire INTEGER
);
DROP TABLE login_failures;
