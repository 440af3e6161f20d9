-- Optional TOTP second factor (RFC 6238) for admin and noc accounts (api/totp.ts).
-- totp_secret: base32, set once the user confirmed a code; totp_pending: offered, not yet confirmed;
-- totp_step: the last time step used (a code is accepted once).
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_pending TEXT;
ALTER TABLE users ADD COLUMN totp_step INTEGER;
