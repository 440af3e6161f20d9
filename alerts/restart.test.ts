// The process killed mid-send and restarted: every notification arrives, each with a stable
// idempotency key (Message-ID), and only the send the kill interrupted arrives twice.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openStateDb } from '../storage/state-db.ts';
import { type SmtpSink, startSmtp } from '../test/helpers/servers.ts';
import { messageId } from './notify/email.ts';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'alerts-child.ts');
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function run(args: string[]): {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: string | null; out: string }>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DIEMCAU_LOG_LEVEL: 'silent' },
  });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  const done = new Promise<{ code: number | null; signal: string | null; out: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, out })),
  );
  return { child, done };
}

describe('outbox across a crash', () => {
  it('resends only the interrupted e-mail after the process is killed mid-send', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'diemcau-restart-'));
    const smtp: SmtpSink = await startSmtp();
    cleanup.push(() => smtp.close());
    const first = run([dir, String(smtp.port), 'fault']);
    let seen = 0;
    let interrupted = '';
    smtp.hold = (mail) => {
      seen++;
      if (seen !== 4) return false;
      // the server has the whole message but has not answered: kill the sender now
      interrupted = mail.key;
      first.child.kill('SIGKILL');
      return true;
    };
    const r1 = await first.done;
    expect(r1.signal).toBe('SIGKILL');
    expect(interrupted).not.toBe('');

    const db = openStateDb(join(dir, 'state.db'));
    const rows = () =>
      db.prepare('SELECT idempotency_key AS key, state FROM outbox ORDER BY id').all() as {
        key: string;
        state: string;
      }[];
    const before = rows();
    // five codec episodes paged together: one message to the NOC listing them, one to each technician
    expect(before.length).toBe(6);
    expect(before.find((r) => r.key === interrupted)!.state).toBe('sending');
    expect(before.filter((r) => r.state === 'sent')).toHaveLength(3);

    smtp.hold = () => false;
    const second = run([dir, String(smtp.port), 'resume']);
    const r2 = await second.done;
    expect(r2.out).toContain('DONE');
    expect(r2.code).toBe(0);

    const after = rows();
    expect(after.every((r) => r.state === 'sent')).toBe(true);
    const received = smtp.mails.map((m) => m.key);
    // every notification arrived …
    expect(new Set(received)).toEqual(new Set(after.map((r) => r.key)));
    // … once, except the one the kill interrupted, which carries the same key both times
    const twice = received.filter((k, i) => received.indexOf(k) !== i);
    expect(twice).toEqual([interrupted]);
    for (const m of smtp.mails) expect(m.messageId).toBe(messageId(m.key));
    // the restarted engine did not page again for the episodes it restored
    const open = db.prepare(`SELECT count(*) AS n FROM episodes WHERE state <> 'resolved'`).get() as {
      n: number;
    };
    expect(open.n).toBe(5);
    expect(after.length).toBe(6);
    db.close();
  });
});
