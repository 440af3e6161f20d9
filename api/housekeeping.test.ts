// The state database does not grow without end: expired sessions go, and the audit log keeps
// `http.audit_retention` (default 400 days).
import { describe, expect, it } from 'vitest';
import { openStateDb } from '../storage/state-db.ts';
import {
  audit,
  createSession,
  createUser,
  findSession,
  housekeep,
  listAudit,
  SESSION_MAX_MS,
} from './accounts.ts';
import { LoginGuard } from './login-guard.ts';

describe('api housekeeping', () => {
  it('deletes expired sessions and audit entries past the retention, and keeps the rest', async () => {
    const state = openStateDb(':memory:');
    await createUser(state, { name: 'truc-ban', role: 'noc' });
    const old = createSession(state, 'truc-ban', { ip: '127.0.0.1', userAgent: 'test' });
    const now = Date.now() + SESSION_MAX_MS + 1000;
    const day = 86400_000;
    audit(state, { time: now - 401 * day, actor: 'truc-ban', action: 'alert.ack', target: 'a-1' });
    audit(state, { time: now - 399 * day, actor: 'truc-ban', action: 'alert.ack', target: 'a-2' });
    const before = listAudit(state, { limit: 100, offset: 0 }).total;

    const n = housekeep(state, now, 400 * day);
    expect(n.audit).toBe(1);
    expect(listAudit(state, { limit: 100, offset: 0 }).total).toBe(before - 1);
    expect(
      listAudit(state, { action: 'alert.ack', limit: 10, offset: 0 }).items.map((e) => e.target),
    ).toEqual(['a-2']);
    expect(n.sessions).toBe(1);
    // gone from the table, not only expired: looked up at a time it was still valid
    expect(findSession(state, old.id, now - SESSION_MAX_MS)).toBeNull();
    expect(housekeep(state, now, 400 * day)).toEqual({ sessions: 0, audit: 0, limits: 0 });
    state.close();
  });

  it('deletes sign-in counters and lockouts that have run out, and keeps the running ones', async () => {
    const state = openStateDb(':memory:');
    const guard = new LoginGuard(state);
    for (const ip of ['10.0.0.1', '10.0.0.2']) {
      const r = await guard.reserve('lan', ip);
      if (r.ok) await r.finish(false);
    }
    const rows = () => (state.prepare('SELECT count(*) AS n FROM login_limits').get() as { n: number }).n;
    const before = rows();
    expect(before).toBeGreaterThan(0);
    expect(housekeep(state, Date.now(), 400 * 86400_000).limits).toBe(0);
    expect(housekeep(state, Date.now() + 2 * 3600_000, 400 * 86400_000).limits).toBe(before);
    expect(rows()).toBe(0);
    state.close();
  });

  it('keeps a session that has not expired', async () => {
    const state = openStateDb(':memory:');
    await createUser(state, { name: 'ky-thuat', role: 'technician', sites: ['xa-a'] });
    const s = createSession(state, 'ky-thuat', { ip: null, userAgent: null });
    expect(housekeep(state, Date.now(), 400 * 86400_000).sessions).toBe(0);
    expect(findSession(state, s.id)?.user.name).toBe('ky-thuat');
    state.close();
  });
});
