// The signed "Đã kiểm tra" links on their own: what the signature binds, the expiry boundary, and the
// server secret kept in the real state database.
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { testRuntime } from '../test/helpers/alerts.ts';
import { type ConfirmClaim, linkSecret, signClaim, verifyToken } from './confirm.ts';

const KEY = Buffer.alloc(32, 3);
const CLAIM: ConfirmClaim = {
  meeting: 'hop-1',
  site: 'xa-bang-thanh',
  slot: 'T-1h',
  person: 'kt-xa-bang-thanh',
  exp: 1_000_000,
};
const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

describe('signed confirmation links', () => {
  it('verifies its own claim until the expiry, and from that moment calls it expired', () => {
    const token = signClaim(KEY, CLAIM);
    expect(verifyToken(KEY, token, CLAIM.exp - 1)).toEqual({ ok: true, claim: CLAIM });
    expect(verifyToken(KEY, token, CLAIM.exp)).toEqual({ ok: false, reason: 'expired' });
  });

  it('binds every field: a claim changed in any of them no longer matches its signature', () => {
    const [, sig] = signClaim(KEY, CLAIM).split('.');
    const changes: Record<string, unknown>[] = [
      { m: 'hop-2' },
      { s: 'huyen-ba-be' },
      { t: 'T-12h' },
      { p: 'kt-huyen-ba-be' },
      { e: CLAIM.exp * 10 },
    ];
    for (const change of changes) {
      const body = Buffer.from(
        JSON.stringify({
          m: CLAIM.meeting,
          s: CLAIM.site,
          t: CLAIM.slot,
          p: CLAIM.person,
          e: CLAIM.exp,
          ...change,
        }),
      ).toString('base64url');
      expect(verifyToken(KEY, `${body}.${sig}`, 0), JSON.stringify(change)).toEqual({
        ok: false,
        reason: 'bad_signature',
      });
    }
    expect(verifyToken(Buffer.alloc(32, 4), signClaim(KEY, CLAIM), 0)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    for (const bad of ['', 'abc', 'a.b.c', `${'x'.repeat(10)}.short`, 'ü.ü'])
      expect(verifyToken(KEY, bad, 0), bad).toEqual({ ok: false, reason: 'malformed' });
  });

  it('keeps one random server secret in the state database, or takes a configured one of at least 32 characters', () => {
    const rt = testRuntime();
    cleanup.push(() => {
      rt.state.close();
      rmSync(rt.dir, { recursive: true, force: true });
    });
    const a = linkSecret(rt.state);
    expect(a).toHaveLength(32);
    expect(linkSecret(rt.state).equals(a)).toBe(true); // the same after a restart
    expect(() => linkSecret(rt.state, 'ngắn-quá')).toThrow(/at least 32 characters/);
    const configured = linkSecret(rt.state, 'k'.repeat(40));
    expect(configured.equals(a)).toBe(false);
  });
});
