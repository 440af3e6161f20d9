// The durable outbox: every notification is a row in the state database before it is sent;
// a worker sends due rows, retries with exponential backoff while a channel is down, and logs
// every attempt. Rows left 'sending' by a killed process are sent again at start (same key, so
// the receiver can drop the repeat).

import type { Logger } from '../core/log.ts';
import type { StateDb } from '../storage/state-db.ts';
import type { Attachment, Channel, Message, MessageKind, Notifier } from './notify/types.ts';
import { SendError } from './notify/types.ts';

export interface OutboxItem {
  key: string;
  channel: Channel;
  recipient: string;
  person: string | null;
  alertId: string | null;
  kind: MessageKind;
  subject: string;
  body: string;
  short: string;
  payload: Record<string, unknown>;
  /** files to send with it (e-mail), kept in outbox_attachments until the row is deleted */
  attachments?: Attachment[];
}

export interface OutboxRow {
  id: number;
  idempotency_key: string;
  channel: Channel;
  recipient: string;
  person: string | null;
  alert_id: string | null;
  kind: MessageKind;
  subject: string;
  body: string;
  payload: string;
  state: 'pending' | 'sending' | 'sent' | 'failed';
  attempts: number;
  created_at: number;
  next_attempt_at: number;
  sent_at: number | null;
  last_error: string | null;
}

export interface DeliveryAttempt {
  outbox_id: number;
  at: number;
  attempt: number;
  ok: number;
  detail: string;
}

export interface OutboxOptions {
  retryBaseMs: number;
  retryMaxMs: number;
  pollMs: number;
  /** give up after this many attempts (a permanent error gives up at once) */
  maxAttempts?: number;
  log: Logger;
  /**
   * The highest row id that may be sent (issue 21): a row goes out only once the standby has it
   * (bus/standby.ts); absent: every row.
   */
  gate?: () => number;
}

export class Outbox {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  /** a standby server's outbox (issue 21): rows are recorded, none is sent until `start()` */
  private held = false;
  private readonly listeners: ((row: OutboxRow) => void)[] = [];
  private before: ((row: OutboxRow) => Promise<void>) | null = null;

  constructor(
    private readonly db: StateDb,
    private readonly notifiers: Map<Channel, Notifier>,
    private readonly o: OutboxOptions,
  ) {}

  has(channel: Channel): boolean {
    return this.notifiers.has(channel);
  }

  notifier(channel: Channel): Notifier | undefined {
    return this.notifiers.get(channel);
  }

  /** Records items (idempotently: a key already present is ignored) and wakes the worker. */
  enqueue(items: OutboxItem[]): number {
    if (items.length === 0) return 0;
    const now = Date.now();
    const ins = this.db.prepare(
      `INSERT OR IGNORE INTO outbox (idempotency_key, channel, recipient, person, alert_id, kind, subject, body, payload, created_at, next_attempt_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const file = items.some((i) => i.attachments?.length)
      ? this.db.prepare(
          'INSERT INTO outbox_attachments (outbox_id, filename, content_type, content) VALUES (?, ?, ?, ?)',
        )
      : null;
    let n = 0;
    this.db.transaction(() => {
      for (const i of items) {
        const r = ins.run(
          i.key,
          i.channel,
          i.recipient,
          i.person,
          i.alertId,
          i.kind,
          i.subject,
          i.body,
          JSON.stringify({ ...i.payload, short: i.short }),
          now,
          now,
        );
        n += r.changes;
        if (r.changes > 0 && file)
          for (const a of i.attachments ?? [])
            file.run(r.lastInsertRowid, a.filename, a.contentType, a.content);
      }
    })();
    this.kick();
    return n;
  }

  /** Starts the worker; first returns rows a killed process left half-sent to the queue. */
  start(): void {
    const n = this.db
      .prepare(
        `UPDATE outbox SET state = 'pending', next_attempt_at = ?, payload = json_set(payload, '$.interrupted', 1) WHERE state = 'sending'`,
      )
      .run(Date.now()).changes;
    if (n > 0) this.o.log.warn({ rows: n }, 'outbox: resending notifications interrupted by a restart');
    // delivered notifications and their log are kept for a year
    this.db
      .prepare(`DELETE FROM outbox WHERE state = 'sent' AND sent_at < ?`)
      .run(Date.now() - 366 * 86_400_000);
    this.stopped = false;
    this.held = false;
    this.timer = setInterval(() => this.kick(), this.o.pollMs);
    this.timer.unref?.();
    this.kick();
  }

  kick(): void {
    if (this.stopped || this.held) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.again && !this.stopped) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Sends every due row once (channels in parallel, in order within a channel). */
  async drain(): Promise<void> {
    const rows = this.db
      .prepare(
        `SELECT * FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? AND id <= ? ORDER BY id LIMIT 500`,
      )
      .all(Date.now(), this.o.gate?.() ?? Number.MAX_SAFE_INTEGER) as OutboxRow[];
    const byChannel = new Map<string, OutboxRow[]>();
    for (const r of rows) byChannel.set(r.channel, [...(byChannel.get(r.channel) ?? []), r]);
    await Promise.all(
      [...byChannel.entries()].map(async ([channel, list]) => {
        for (const row of list) {
          if (this.stopped || this.held) return;
          const ok = await this.sendRow(channel as Channel, row);
          if (!ok) return; // the channel is down: keep order, try again after the backoff
        }
      }),
    );
  }

  private async sendRow(channel: Channel, row: OutboxRow): Promise<boolean> {
    const notifier = this.notifiers.get(channel);
    const attempt = row.attempts + 1;
    this.db.prepare(`UPDATE outbox SET state = 'sending', attempts = ? WHERE id = ?`).run(attempt, row.id);
    const payload = JSON.parse(row.payload) as Record<string, unknown>;
    const { short, interrupted, ...rest } = payload;
    const msg: Message = {
      ...(interrupted === 1 && { resent: true }),
      key: row.idempotency_key,
      kind: row.kind,
      subject: row.subject,
      text: row.body,
      short: typeof short === 'string' ? short : row.subject,
      payload: rest,
    };
    const files = this.db
      .prepare(
        'SELECT filename, content_type AS contentType, content FROM outbox_attachments WHERE outbox_id = ? ORDER BY id',
      )
      .all(row.id) as Attachment[];
    if (files.length) msg.attachments = files;
    if (this.before) {
      try {
        await this.before({ ...row, state: 'sending', attempts: attempt });
      } catch (err) {
        // not known to be under way anywhere else: not sent, not an attempt; the next round tries again
        this.db
          .prepare(`UPDATE outbox SET state = 'pending', attempts = ?, next_attempt_at = ? WHERE id = ?`)
          .run(row.attempts, Date.now() + this.o.retryBaseMs, row.id);
        this.o.log.warn({ channel, key: row.idempotency_key, err: String(err) }, 'notification held back');
        return false;
      }
    }
    try {
      if (!notifier) throw new SendError(`channel ${channel} is not configured`, false);
      await notifier.send(row.recipient, msg);
      const at = Date.now();
      this.db.transaction(() => {
        this.db
          .prepare(`UPDATE outbox SET state = 'sent', sent_at = ?, last_error = NULL WHERE id = ?`)
          .run(at, row.id);
        this.log(row.id, at, attempt, true, 'accepted');
      })();
      this.emit(row.id);
      return true;
    } catch (err) {
      const at = Date.now();
      const retryable = !(err instanceof SendError) || err.retryable;
      const give = !retryable || (this.o.maxAttempts !== undefined && attempt >= this.o.maxAttempts);
      const delay = Math.min(this.o.retryMaxMs, this.o.retryBaseMs * 2 ** (attempt - 1));
      const detail = (err as Error).message;
      this.db.transaction(() => {
        this.db
          .prepare(`UPDATE outbox SET state = ?, next_attempt_at = ?, last_error = ? WHERE id = ?`)
          .run(give ? 'failed' : 'pending', at + delay, detail, row.id);
        this.log(row.id, at, attempt, false, detail);
      })();
      this.o.log.warn(
        { channel, key: row.idempotency_key, attempt, err: detail, give_up: give },
        'notification not sent',
      );
      this.emit(row.id);
      return !retryable;
    }
  }

  private log(id: number, at: number, attempt: number, ok: boolean, detail: string) {
    this.db
      .prepare(`INSERT INTO delivery_log (outbox_id, at, attempt, ok, detail) VALUES (?, ?, ?, ?, ?)`)
      .run(id, at, attempt, ok ? 1 : 0, detail);
  }

  private emit(id: number) {
    if (this.listeners.length === 0) return;
    const row = this.db.prepare('SELECT * FROM outbox WHERE id = ?').get(id) as OutboxRow;
    for (const l of this.listeners) l(row);
  }

  /**
   * Awaited before each send (issue 21): the active server publishes the row as 'sending', so the one
   * that takes over after a crash knows which send was under way and marks its repeat as resent. A
   * throw holds the row back until the next round.
   */
  beforeSend(cb: (row: OutboxRow) => Promise<void>): () => void {
    this.before = cb;
    return () => {
      if (this.before === cb) this.before = null;
    };
  }

  onDelivery(cb: (row: OutboxRow) => void): () => void {
    this.listeners.push(cb);
    return () => {
      const i = this.listeners.indexOf(cb);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  rows(filter: { alertId?: string; state?: OutboxRow['state'] } = {}): OutboxRow[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.alertId) {
      where.push('alert_id = ?');
      args.push(filter.alertId);
    }
    if (filter.state) {
      where.push('state = ?');
      args.push(filter.state);
    }
    return this.db
      .prepare(`SELECT * FROM outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`)
      .all(...args) as OutboxRow[];
  }

  attempts(outboxId: number): DeliveryAttempt[] {
    return this.db
      .prepare('SELECT * FROM delivery_log WHERE outbox_id = ? ORDER BY id')
      .all(outboxId) as DeliveryAttempt[];
  }

  /** Resolves when nothing is pending or sending (or the timeout passes). */
  async idle(timeoutMs = 30_000): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const n = (
        this.db.prepare(`SELECT count(*) AS n FROM outbox WHERE state IN ('pending', 'sending')`).get() as {
          n: number;
        }
      ).n;
      if (n === 0 && !this.running) return true;
      this.kick();
      await new Promise((r) => setTimeout(r, 20));
    }
    return false;
  }

  /** Stops sending (a server that lost its lease, issue 21); `start()` resumes. */
  async halt(): Promise<void> {
    this.held = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    for (const n of this.notifiers.values()) await n.close();
  }
}
