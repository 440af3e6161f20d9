// Signed "Đã kiểm tra" links (Điều 7.1.b): a technician confirms a site's test run by opening a link
// from the request message. The link carries the meeting, the site, the test run, the person and an
// expiry, signed with HMAC-SHA256 under a server secret: it cannot be guessed, altered or reused for
// another site, and it stops working when its test run is over. Nothing here reads a clock.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { StateDb } from '../storage/state-db.ts';

export const CONFIRM_SLOTS = ['T-12h', 'T-1h'] as const;
export type ConfirmSlot = (typeof CONFIRM_SLOTS)[number];

/** What a link says: who confirms which site of which meeting for which test run, until when. */
export interface ConfirmClaim {
  meeting: string;
  site: string;
  slot: ConfirmSlot;
  person: string;
  /** ms since epoch; the link is refused from this moment on */
  exp: number;
}

export type LinkRefusal = 'malformed' | 'bad_signature' | 'expired';

/** Why a link is refused, for the page a person sees (Vietnamese first). */
export const REFUSAL_TEXT: Record<LinkRefusal, { vi: string; en: string }> = {
  malformed: {
    vi: 'Đường dẫn xác nhận không đúng định dạng (có thể bị cắt khi sao chép).',
    en: 'The confirmation link is malformed (it may have been cut when copied).',
  },
  bad_signature: {
    vi: 'Đường dẫn xác nhận không hợp lệ: chữ ký không khớp (đường dẫn đã bị sửa hoặc giả mạo).',
    en: 'The confirmation link is not valid: its signature does not match (altered or forged).',
  },
  expired: {
    vi: 'Đường dẫn xác nhận đã hết hạn: lần vận hành thử này đã qua.',
    en: 'The confirmation link has expired: this test run is over.',
  },
};

const b64 = (b: Buffer) => b.toString('base64url');

function mac(secret: Buffer, body: string): Buffer {
  return createHmac('sha256', secret).update(`diemcau-readiness-confirm.v1.${body}`).digest();
}

/** The token of a link: base64url(JSON claim) "." base64url(HMAC-SHA256). */
export function signClaim(secret: Buffer, claim: ConfirmClaim): string {
  const body = b64(
    Buffer.from(
      JSON.stringify({ m: claim.meeting, s: claim.site, t: claim.slot, p: claim.person, e: claim.exp }),
    ),
  );
  return `${body}.${b64(mac(secret, body))}`;
}

/** The claim of a token signed with `secret` and not expired at `now`, or why not. */
export function verifyToken(
  secret: Buffer,
  token: string,
  now: number,
): { ok: true; claim: ConfirmClaim } | { ok: false; reason: LinkRefusal } {
  const parts = token.split('.');
  if (
    parts.length !== 2 ||
    !/^[A-Za-z0-9_-]{1,1000}$/.test(parts[0]!) ||
    !/^[A-Za-z0-9_-]{43}$/.test(parts[1]!)
  )
    return { ok: false, reason: 'malformed' };
  const [body, sig] = parts as [string, string];
  const want = mac(secret, body);
  const got = Buffer.from(sig, 'base64url');
  if (got.length !== want.length || !timingSafeEqual(got, want))
    return { ok: false, reason: 'bad_signature' };
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const r = raw as Record<string, unknown>;
  const str = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= 200;
  if (
    !str(r.m) ||
    !str(r.s) ||
    !str(r.p) ||
    !CONFIRM_SLOTS.includes(r.t as ConfirmSlot) ||
    typeof r.e !== 'number' ||
    !Number.isFinite(r.e)
  )
    return { ok: false, reason: 'malformed' };
  if (now >= r.e) return { ok: false, reason: 'expired' };
  return {
    ok: true,
    claim: {
      meeting: r.m as string,
      site: r.s as string,
      slot: r.t as ConfirmSlot,
      person: r.p as string,
      exp: r.e,
    },
  };
}

/**
 * The signing secret: the configured one (meetings.readiness.link_secret, at least 32 characters), else
 * a random 32-byte secret made once and kept in the state database, so links survive a restart.
 */
export function linkSecret(db: StateDb, configured?: string): Buffer {
  if (configured !== undefined) {
    if (configured.length < 32)
      throw new Error('meetings.readiness.link_secret: the secret must be at least 32 characters long');
    return Buffer.from(configured, 'utf8');
  }
  db.prepare('INSERT OR IGNORE INTO server_secrets (name, value, created_at) VALUES (?, ?, ?)').run(
    'readiness-link',
    randomBytes(32),
    Date.now(),
  );
  const row = db.prepare('SELECT value FROM server_secrets WHERE name = ?').get('readiness-link') as {
    value: Uint8Array;
  };
  return Buffer.from(row.value);
}
