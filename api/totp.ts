// Optional second factor for the roles that can change the most (admin, noc): TOTP (RFC 6238,
// SHA-1, 6 digits, 30 s, ±1 step), with otpauth. A code is accepted once (the last step is kept).
// Enrol: POST /auth/totp/setup {password} → secret and otpauth:// URI for the authenticator app, then
// POST /auth/totp/enable {code}. Sign-in then needs {totp}. Lost phone: an admin runs
// `diemcau user totp-reset NAME` (or POST /users/{name}/totp/reset).
import { Secret, TOTP } from 'otpauth';
import type { StateDb } from '../storage/state-db.ts';
import type { Role } from './contract.ts';

export const TOTP_ROLES: readonly Role[] = ['admin', 'noc'];
export const TOTP_CODE = /^\d{6}$/;

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

export function totpUri(user: string, secret: string): string {
  return new TOTP({ issuer: 'diemcau', label: user, secret: Secret.fromBase32(secret) }).toString();
}

/** The code for a time (tests, and the CLI's self-check). */
export function totpCode(secret: string, timestamp = Date.now()): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), timestamp });
}

/** The time step the code belongs to when it is right and newer than `lastStep`, else null. */
export function checkTotp(
  secret: string,
  code: string,
  lastStep: number | null,
  now = Date.now(),
): number | null {
  if (!TOTP_CODE.test(code)) return null;
  const delta = TOTP.validate({ token: code, secret: Secret.fromBase32(secret), timestamp: now, window: 1 });
  if (delta === null) return null;
  const step = TOTP.counter({ timestamp: now }) + delta;
  return lastStep !== null && step <= lastStep ? null : step;
}

export interface TotpState {
  secret: string | null;
  pending: string | null;
  step: number | null;
}

export function getTotp(state: StateDb, user: string): TotpState {
  const row = state
    .prepare('SELECT totp_secret, totp_pending, totp_step FROM users WHERE name = ?')
    .get(user) as
    | { totp_secret: string | null; totp_pending: string | null; totp_step: number | null }
    | undefined;
  return {
    secret: row?.totp_secret ?? null,
    pending: row?.totp_pending ?? null,
    step: row?.totp_step ?? null,
  };
}

export function setTotpPending(state: StateDb, user: string, secret: string): void {
  state.prepare('UPDATE users SET totp_pending = ? WHERE name = ?').run(secret, user);
}

export function enableTotp(state: StateDb, user: string, step: number): void {
  state
    .prepare('UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_step = ? WHERE name = ?')
    .run(step, user);
}

export function useTotpStep(state: StateDb, user: string, step: number): void {
  state.prepare('UPDATE users SET totp_step = ? WHERE name = ?').run(step, user);
}

export function resetTotp(state: StateDb, user: string): boolean {
  return (
    state
      .prepare(
        'UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_step = NULL WHERE name = ? AND (totp_secret IS NOT NULL OR totp_pending IS NOT NULL)',
      )
      .run(user).changes > 0
  );
}
