// Local accounts (Điều 5.6.a: operators keep their accounts secret): users with scrypt-hashed
// passwords, browser sessions, API tokens and the audit log. Only digests of secrets are stored.
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { StateDb } from '../storage/state-db.ts';
import type { Role } from './contract.ts';
import { ROLES } from './contract.ts';
import { MIN_PASSWORD_LENGTH, passwordProblem } from './password-policy.ts';

export { MIN_PASSWORD_LENGTH };

/** scrypt, a memory-hard KDF: N=2^15, r=8, p=3 (32 MiB, one of OWASP's recommended settings). */
const SCRYPT = { N: 2 ** 15, r: 8, p: 3, keylen: 32 };

function scrypt(password: string, salt: Buffer, p: { N: number; r: number; p: number; keylen: number }) {
  return new Promise<Buffer>((resolve, reject) =>
    scryptCb(
      password.normalize('NFC'),
      salt,
      p.keylen,
      { N: p.N, r: p.r, p: p.p, maxmem: 128 * p.N * p.r * 2 },
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64url');
  const key = await scrypt(password, Buffer.from(salt, 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    keylen: expected.length,
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash to compare against when the user does not exist, so both paths take the same time. */
let dummyHash: Promise<string> | null = null;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(12).toString('base64url'));
  return dummyHash;
}

/** Prepared statements, once per database and SQL text (preparing costs more than running). */
const statements = new WeakMap<StateDb, Map<string, Database.Statement>>();
function sql(db: StateDb, text: string): Database.Statement {
  let m = statements.get(db);
  if (!m) {
    m = new Map();
    statements.set(db, m);
  }
  let st = m.get(text);
  if (!st) {
    st = db.prepare(text);
    m.set(text, st);
  }
  return st;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/** 20 characters from an alphabet without look-alikes (no 0/O, 1/l/I), ~116 bits. */
export function randomPassword(length = 20): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(length * 2);
  let out = '';
  for (let i = 0; out.length < length && i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 256 - (256 % alphabet.length)) out += alphabet[b % alphabet.length];
  }
  return out.length === length ? out : randomPassword(length);
}

export interface UserRecord {
  name: string;
  role: Role;
  sites: string[];
  org: string | null;
  disabled: boolean;
  created_at: number;
  updated_at: number;
}

interface UserRow {
  name: string;
  role: string;
  sites: string;
  org: string | null;
  password_hash: string;
  disabled: number;
  created_at: number;
  updated_at: number;
}

function toRecord(row: UserRow): UserRecord {
  return {
    name: row.name,
    role: row.role as Role,
    sites: JSON.parse(row.sites) as string[],
    org: row.org,
    disabled: row.disabled !== 0,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export const USER_NAME_RE = /^[a-z0-9][a-z0-9._-]{1,63}$/;

export class AccountError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export interface NewUser {
  name: string;
  role: Role;
  /** omitted: a random one is generated and returned (print it once) */
  password?: string;
  sites?: string[];
  org?: string;
}

/** Who changes an account, from where; `siteWords`: more names a password must not contain. */
export interface ChangeOpts {
  actor?: string;
  ip?: string | null;
  siteWords?: readonly string[];
}

/** Creates a user; returns the password (the given one, or a generated one to print once). */
export async function createUser(
  state: StateDb,
  u: NewUser,
  opts: ChangeOpts = {},
): Promise<{ user: UserRecord; password: string }> {
  if (!USER_NAME_RE.test(u.name))
    throw new AccountError(
      'name',
      `tên đăng nhập "${u.name}" không hợp lệ: 2-64 ký tự a-z, 0-9, ".", "_", "-" / user name must be 2-64 characters of a-z, 0-9, ".", "_", "-"`,
    );
  if (!ROLES.includes(u.role))
    throw new AccountError(
      'role',
      `vai trò "${u.role}" không tồn tại, chọn một trong: ${ROLES.join(', ')} / unknown role`,
    );
  if (u.role === 'technician' && !u.sites?.length)
    throw new AccountError(
      'sites',
      'kỹ thuật viên cần danh sách điểm cầu (--sites a,b) / a technician needs the sites they look after',
    );
  if (u.role === 'host' && !u.org)
    throw new AccountError('org', 'người chủ trì cần cơ quan (--org X) / a host needs their organisation');
  const password = u.password ?? randomPassword();
  if (u.password !== undefined) checkPassword(password, u.name, opts.siteWords);
  if (getUser(state, u.name))
    throw new AccountError('name', `người dùng "${u.name}" đã tồn tại / user "${u.name}" already exists`);
  const hash = await hashPassword(password);
  const now = Date.now();
  sql(
    state,
    'INSERT INTO users (name, role, sites, org, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(u.name, u.role, JSON.stringify(u.sites ?? []), u.org ?? null, hash, now, now);
  audit(state, {
    actor: opts.actor ?? 'system',
    action: 'user.create',
    target: u.name,
    detail: { role: u.role, sites: u.sites ?? [], org: u.org ?? null },
    ip: opts.ip ?? null,
  });
  return { user: getUser(state, u.name)!, password };
}

/** The password policy (api/password-policy.ts): throws an AccountError naming what is wrong. */
export function checkPassword(password: string, user: string, siteWords?: readonly string[]): void {
  const problem = passwordProblem(password, { user, ...(siteWords && { siteWords }) });
  if (problem) throw new AccountError('password', problem);
}

export function getUser(state: StateDb, name: string): UserRecord | null {
  const row = sql(state, 'SELECT * FROM users WHERE name = ?').get(name) as UserRow | undefined;
  return row ? toRecord(row) : null;
}

export function getUserWithHash(state: StateDb, name: string): (UserRecord & { hash: string }) | null {
  const row = sql(state, 'SELECT * FROM users WHERE name = ?').get(name) as UserRow | undefined;
  return row ? { ...toRecord(row), hash: row.password_hash } : null;
}

export function listUsers(state: StateDb): UserRecord[] {
  return (sql(state, 'SELECT * FROM users ORDER BY name').all() as UserRow[]).map(toRecord);
}

/**
 * Sets a password (a random one when omitted, returned to print once). A given one must pass the
 * policy and differ from the current one. Ends every session of the user and, unless `keepTokens`,
 * revokes their API tokens (a password change is how a suspected leak is answered).
 */
export async function setPassword(
  state: StateDb,
  name: string,
  password: string | undefined,
  opts: ChangeOpts & { keepTokens?: boolean } = {},
): Promise<string> {
  const current = getUserWithHash(state, name);
  if (!current) throw new AccountError('name', `không có người dùng "${name}" / no user "${name}"`);
  const pw = password ?? randomPassword();
  if (password !== undefined) {
    checkPassword(pw, name, opts.siteWords);
    if (await verifyPassword(pw, current.hash))
      throw new AccountError(
        'password',
        'mật khẩu mới phải khác mật khẩu hiện tại / the new password must differ from the current one',
      );
  }
  const hash = await hashPassword(pw);
  const now = Date.now();
  let revoked = 0;
  state.transaction(() => {
    sql(state, 'UPDATE users SET password_hash = ?, updated_at = ? WHERE name = ?').run(hash, now, name);
    // a new password ends every session of that user
    sql(state, 'DELETE FROM sessions WHERE user_name = ?').run(name);
    if (!opts.keepTokens)
      revoked = sql(
        state,
        'UPDATE api_tokens SET revoked_at = ? WHERE user_name = ? AND revoked_at IS NULL',
      ).run(now, name).changes;
  })();
  audit(state, {
    actor: opts.actor ?? 'system',
    action: 'user.passwd',
    target: name,
    detail: { tokens_revoked: revoked, tokens_kept: opts.keepTokens === true },
    ip: opts.ip ?? null,
  });
  return pw;
}

export function updateUser(
  state: StateDb,
  name: string,
  patch: { role?: Role; sites?: string[]; org?: string | null; disabled?: boolean },
  opts: { actor?: string; ip?: string | null } = {},
): UserRecord {
  const u = getUser(state, name);
  if (!u) throw new AccountError('name', `không có người dùng "${name}" / no user "${name}"`);
  const next = { ...u, ...patch };
  state.transaction(() => {
    sql(
      state,
      'UPDATE users SET role = ?, sites = ?, org = ?, disabled = ?, updated_at = ? WHERE name = ?',
    ).run(next.role, JSON.stringify(next.sites), next.org, next.disabled ? 1 : 0, Date.now(), name);
    if (next.disabled || next.role !== u.role)
      sql(state, 'DELETE FROM sessions WHERE user_name = ?').run(name);
  })();
  audit(state, {
    actor: opts.actor ?? 'system',
    action: 'user.update',
    target: name,
    detail: patch,
    ip: opts.ip ?? null,
  });
  return getUser(state, name)!;
}

// ---- sessions -------------------------------------------------------------------------------

export const SESSION_IDLE_MS = 12 * 3600_000;
export const SESSION_MAX_MS = 7 * 86400_000;

export interface SessionRecord {
  user: UserRecord;
  csrf: string;
  idHash: string;
}

export function createSession(
  state: StateDb,
  user: string,
  meta: { ip: string | null; userAgent: string | null },
): { id: string; csrf: string } {
  const id = randomBytes(32).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  const now = Date.now();
  sql(
    state,
    'INSERT INTO sessions (id_hash, user_name, csrf_token, created_at, last_seen, expires_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(
    sha256(id),
    user,
    csrf,
    now,
    now,
    now + SESSION_MAX_MS,
    meta.ip,
    meta.userAgent?.slice(0, 300) ?? null,
  );
  return { id, csrf };
}

export function findSession(state: StateDb, id: string, now = Date.now()): SessionRecord | null {
  const idHash = sha256(id);
  const row = sql(
    state,
    'SELECT s.csrf_token, s.last_seen, s.expires_at, u.* FROM sessions s JOIN users u ON u.name = s.user_name WHERE s.id_hash = ?',
  ).get(idHash) as (UserRow & { csrf_token: string; last_seen: number; expires_at: number }) | undefined;
  if (!row) return null;
  if (row.expires_at <= now || row.last_seen + SESSION_IDLE_MS <= now || row.disabled) {
    sql(state, 'DELETE FROM sessions WHERE id_hash = ?').run(idHash);
    return null;
  }
  if (now - row.last_seen > 60_000)
    sql(state, 'UPDATE sessions SET last_seen = ? WHERE id_hash = ?').run(now, idHash);
  return { user: toRecord(row), csrf: row.csrf_token, idHash };
}

export function deleteSession(state: StateDb, idHash: string): void {
  sql(state, 'DELETE FROM sessions WHERE id_hash = ?').run(idHash);
}

// ---- API tokens -------------------------------------------------------------------------------

export const TOKEN_PREFIX = 'dmc_';

export interface TokenInfo {
  id: string;
  user: string;
  label: string;
  created_at: number;
  expires_at: number | null;
  last_used: number | null;
  revoked_at: number | null;
}

/** Returns the token text once; only its digest is kept. Format: dmc_<id>_<secret>. */
export function createApiToken(
  state: StateDb,
  user: string,
  label: string,
  opts: { expiresInDays?: number; actor?: string; ip?: string | null } = {},
): { token: string; info: TokenInfo } {
  if (!getUser(state, user))
    throw new AccountError('user', `không có người dùng "${user}" / no user "${user}"`);
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(24).toString('base64url');
  const now = Date.now();
  const expires = opts.expiresInDays ? now + opts.expiresInDays * 86400_000 : null;
  sql(
    state,
    'INSERT INTO api_tokens (id, user_name, label, secret_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(id, user, label, sha256(secret), now, expires);
  audit(state, {
    actor: opts.actor ?? user,
    action: 'token.create',
    target: `${user}/${id}`,
    detail: { label, expires_at: expires },
    ip: opts.ip ?? null,
  });
  return { token: `${TOKEN_PREFIX}${id}_${secret}`, info: listTokens(state, user).find((t) => t.id === id)! };
}

export function listTokens(state: StateDb, user?: string): TokenInfo[] {
  const rows = (
    user
      ? sql(state, 'SELECT * FROM api_tokens WHERE user_name = ? ORDER BY created_at').all(user)
      : sql(state, 'SELECT * FROM api_tokens ORDER BY created_at').all()
  ) as (Omit<TokenInfo, 'user'> & { user_name: string })[];
  return rows.map((r) => ({
    id: r.id,
    user: r.user_name,
    label: r.label,
    created_at: r.created_at,
    expires_at: r.expires_at,
    last_used: r.last_used,
    revoked_at: r.revoked_at,
  }));
}

export function revokeApiToken(state: StateDb, id: string): boolean {
  return (
    sql(state, 'UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(Date.now(), id)
      .changes > 0
  );
}

export function findToken(
  state: StateDb,
  token: string,
  now = Date.now(),
): { user: UserRecord; id: string } | null {
  const m = /^dmc_([0-9a-f]{12})_([A-Za-z0-9_-]{32})$/.exec(token);
  if (!m) return null;
  const row = sql(
    state,
    'SELECT t.id AS token_id, t.secret_hash, t.expires_at, t.revoked_at, t.last_used, u.* FROM api_tokens t JOIN users u ON u.name = t.user_name WHERE t.id = ?',
  ).get(m[1]) as
    | (UserRow & {
        token_id: string;
        secret_hash: string;
        expires_at: number | null;
        revoked_at: number | null;
        last_used: number | null;
      })
    | undefined;
  if (!row || row.revoked_at !== null || row.disabled) return null;
  if (row.expires_at !== null && row.expires_at <= now) return null;
  const a = Buffer.from(sha256(m[2]!));
  const b = Buffer.from(row.secret_hash);
  if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
  if (row.last_used === null || now - row.last_used > 60_000)
    sql(state, 'UPDATE api_tokens SET last_used = ? WHERE id = ?').run(now, row.token_id);
  return { user: toRecord(row), id: row.token_id };
}

// ---- login rate limiting ------------------------------------------------------------------------

export const LOGIN_WINDOW_MS = 15 * 60_000;
export const LOGIN_MAX_PER_USER = 5;
export const LOGIN_MAX_PER_IP = 20;

/** ms to wait before another attempt is allowed, or 0. */
export function loginBlockedFor(state: StateDb, user: string, ip: string, now = Date.now()): number {
  const since = now - LOGIN_WINDOW_MS;
  const check = (text: string, key: string, max: number) => {
    const rows = sql(state, text).all(key, since) as { time: number }[];
    if (rows.length < max) return 0;
    return rows[rows.length - max]!.time + LOGIN_WINDOW_MS - now;
  };
  return Math.max(
    check(
      'SELECT time FROM login_failures WHERE user_name = ? AND time > ? ORDER BY time',
      user,
      LOGIN_MAX_PER_USER,
    ),
    check('SELECT time FROM login_failures WHERE ip = ? AND time > ? ORDER BY time', ip, LOGIN_MAX_PER_IP),
    0,
  );
}

export function recordLoginFailure(state: StateDb, user: string, ip: string, now = Date.now()): void {
  sql(state, 'INSERT INTO login_failures (time, user_name, ip) VALUES (?, ?, ?)').run(
    now,
    user.slice(0, 64),
    ip,
  );
  sql(state, 'DELETE FROM login_failures WHERE time < ?').run(now - 2 * LOGIN_WINDOW_MS);
}

export function clearLoginFailures(state: StateDb, user: string): void {
  sql(state, 'DELETE FROM login_failures WHERE user_name = ?').run(user);
}

// ---- audit log -------------------------------------------------------------------------------

export interface AuditEntry {
  actor: string;
  action: string;
  target?: string | null;
  detail?: unknown;
  ip?: string | null;
  userAgent?: string | null;
  outcome?: 'ok' | 'denied' | 'failed';
  time?: number;
}

export interface AuditRecord {
  id: number;
  time: number;
  actor: string;
  action: string;
  target: string | null;
  detail: unknown;
  ip: string | null;
  user_agent: string | null;
  outcome: string;
}

/** Deletes expired sessions and audit entries older than the retention (run at start and hourly). */
export function housekeep(
  state: StateDb,
  now: number,
  auditRetentionMs: number,
): { sessions: number; audit: number; limits: number } {
  return {
    sessions: sql(state, 'DELETE FROM sessions WHERE expires_at <= ?').run(now).changes,
    audit: sql(state, 'DELETE FROM audit_log WHERE time < ?').run(now - auditRetentionMs).changes,
    // sign-in counters and lockouts that have run out (api/login-guard.ts)
    limits: sql(state, 'DELETE FROM login_limits WHERE expire IS NOT NULL AND expire < ?').run(now).changes,
  };
}

export function audit(state: StateDb, e: AuditEntry): void {
  sql(
    state,
    'INSERT INTO audit_log (time, actor, action, target, detail, ip, user_agent, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(
    e.time ?? Date.now(),
    e.actor,
    e.action,
    e.target ?? null,
    JSON.stringify(e.detail ?? {}),
    e.ip ?? null,
    e.userAgent?.slice(0, 300) ?? null,
    e.outcome ?? 'ok',
  );
}

export function listAudit(
  state: StateDb,
  q: {
    actor?: string;
    action?: string;
    outcome?: 'ok' | 'denied' | 'failed';
    since?: number;
    limit: number;
    offset: number;
  },
): { items: AuditRecord[]; total: number } {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (q.outcome) {
    where.push('outcome = ?');
    args.push(q.outcome);
  }
  if (q.actor) {
    where.push('actor = ?');
    args.push(q.actor);
  }
  if (q.action) {
    where.push('action LIKE ?');
    args.push(`${q.action}%`);
  }
  if (q.since !== undefined) {
    where.push('time >= ?');
    args.push(q.since);
  }
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = (sql(state, `SELECT count(*) AS n FROM audit_log ${w}`).get(...args) as { n: number }).n;
  const rows = sql(state, `SELECT * FROM audit_log ${w} ORDER BY id DESC LIMIT ? OFFSET ?`).all(
    ...args,
    q.limit,
    q.offset,
  ) as (Omit<AuditRecord, 'detail'> & { detail: string })[];
  return { items: rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) as unknown })), total };
}
