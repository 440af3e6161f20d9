// Two `serve` instances, active and standby (issue 21, docs/backbone.md). The active one holds a lease
// in JetStream KV (a bucket whose entries live `lease_ttl`; the holder renews every `renew`); only it runs
// the alert engine's decisions and sends the outbox. Both take telemetry, serve the API and the
// dashboard. The state both need to continue each other's episodes — the episodes and alerts rows and the
// outbox rows — is published by the active on a stream (`diemcau.state.<kind>.<id>`, the newest message
// per subject kept) and applied by the standby to its own state database. An outbox row is sent only once
// the stream holds it and the episode changes made with it, and its delivery is published as soon as the
// notifier accepted it; so a standby that takes over continues every open episode and sends what the
// active had not, each key once (up to the send a crash interrupted, resent under the same key).
import { Buffer } from 'node:buffer';
import {
  type ConsumerMessages,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamClient,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { nanos } from '@nats-io/transport-node';
import { Counter, Gauge } from 'prom-client';
import type { AlertService } from '../alerts/index.ts';
import type { OutboxRow } from '../alerts/outbox.ts';
import { parseDuration } from '../config/config.ts';
import type { Runtime, Service } from '../core/runtime.ts';
import { directoryFor } from '../people/directory.ts';
import {
  allRows,
  applyChanges,
  clearLog,
  installCapture,
  logTop,
  REPLICATED,
  type RowChange,
  readChanges,
} from '../storage/replication.ts';
import { KvLease } from './lease.ts';
import { connectUntil, type NatsConfig, natsOptions } from './nats.ts';

/** every state subject starts with this; the state stream takes `${STATE}.>` */
export const STATE = 'diemcau.state';
/** the lease's key in the bucket */
export const LEASE_KEY = 'serve';

export type Role = 'active' | 'standby';

export interface StandbyStatus {
  role: Role;
  /** this server's name */
  instance: string;
  /** who holds the lease as last seen (null: nobody, or not known yet) */
  holder: string | null;
  connected: boolean;
  /** since when this server has had its role (ms) */
  since: number;
  /** how often this server took the lease over */
  takeovers: number;
}

type Kind = 'episode' | 'alert' | 'outbox';

interface StateMessage {
  v: 1;
  from: string;
  kind: Kind;
  row: Record<string, unknown>;
  /** outbox rows: the files sent with it, base64 */
  files?: { filename: string; contentType: string; content: string }[];
}

/** A row of a shared table (storage/replication.ts): its image, or null once deleted. */
interface RowMessage {
  v: 1;
  from: string;
  kind: 'row';
  table: string;
  pk: unknown[];
  row: Record<string, unknown> | null;
}

/** tables whose rows the engine holds in memory (silences, maintenance): reload it after applying */
const ENGINE_TABLES = new Set(['silences', 'maintenance_windows', 'maintenance_plans']);
/** tables the people directory writes into the loaded inventory (people/directory.ts) */
const PEOPLE_TABLES = new Set(['people', 'site_technicians']);
/** the active publishes every shared row again this often (the stream keeps a message 31 days) */
const REFRESH_MS = 7 * 86_400_000;
/** row messages published at once */
const ROW_WINDOW = 256;

const token = (id: string) => Buffer.from(id).toString('base64url');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class Standby implements Service {
  readonly name = 'standby';
  private readonly cfg: NatsConfig;
  private readonly ha: NonNullable<NatsConfig['standby']>;
  private readonly ttlMs: number;
  private readonly renewMs: number;
  private readonly log: Runtime['log'];
  private alerts: AlertService | null = null;
  private nc: NatsConnection | null = null;
  private js: JetStreamClient | null = null;
  private messages: ConsumerMessages | null = null;
  private st: StandbyStatus;
  private lease: KvLease | null = null;
  private stopped = false;
  private abandoned = false;
  private loops: Promise<void>[] = [];
  /** the highest outbox row id the stream holds (the outbox sends nothing above it) */
  private gateId = 0;
  private appliedSeq = 0;
  /** replication marks: episodes and alerts changed since, outbox rows above */
  private changedSince = 0;
  private outboxMark = 0;
  private firstCycle = true;
  /** shared rows: all of them due on the next round (after a take-over, then weekly) */
  private snapshotDue = true;
  private snapshotAt = 0;
  /** row messages read, applied together in one transaction */
  private pendingRows: RowChange[] = [];
  private pendingSeq = 0;
  private flushScheduled = false;
  private appliedListeners: ((tables: ReadonlySet<string>) => void)[] = [];
  private chain: Promise<void> = Promise.resolve();
  private offDelivery: (() => void) | null = null;
  private offSending: (() => void) | null = null;
  private reloadTimer: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;
  private readonly roleGauge: Gauge;
  private readonly published: Counter;
  private readonly applied: Counter;

  constructor(
    private readonly rt: Runtime,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.cfg = rt.config.bus.nats as NatsConfig;
    if (!this.cfg.standby) throw new Error('bus.nats.standby is not configured');
    this.ha = this.cfg.standby;
    this.ttlMs = parseDuration(this.ha.lease_ttl);
    this.renewMs = parseDuration(this.ha.renew);
    this.log = rt.log.child({ part: 'standby', instance: this.ha.instance });
    // the shared tables: every table decided (a clear error otherwise), their changes captured; the
    // services that write them on their own run on the active server only (core/runtime.ts)
    installCapture(rt.state);
    rt.active = () => this.st.role === 'active' && !this.abandoned;
    if (!rt.config.meetings.readiness.link_secret)
      this.log.warn(
        'standby: meetings.readiness.link_secret is not set — each server signs the readiness links with its own secret, so a link sent by one is refused by the other; set the same secret on both (docs/backbone.md)',
      );
    this.st = {
      role: 'standby',
      instance: this.ha.instance,
      holder: null,
      connected: false,
      since: Date.now(),
      takeovers: 0,
    };
    this.roleGauge = new Gauge({
      name: 'diemcau_ha_active',
      help: '1 while this serve holds the lease (runs the alert engine and the outbox), 0 as the standby',
      registers: [rt.registry],
    });
    this.roleGauge.set(0);
    this.published = new Counter({
      name: 'diemcau_ha_state_published_total',
      help: 'state messages (episodes, alerts, outbox rows, rows of shared tables) published for the standby, by kind',
      labelNames: ['kind'],
      registers: [rt.registry],
    });
    this.applied = new Counter({
      name: 'diemcau_ha_state_applied_total',
      help: "state messages from the active server applied to this server's state database, by kind",
      labelNames: ['kind'],
      registers: [rt.registry],
    });
  }

  /** the outbox's gate: rows above this id are not on the stream yet */
  gate(): number {
    return this.st.role === 'active' ? this.gateId : 0;
  }

  status(): StandbyStatus {
    return { ...this.st };
  }

  /**
   * Called with the tables whose rows were just applied from the other server, and with every shared
   * table when this server takes over: for what holds those rows in memory (serve wires the meetings).
   */
  onApplied(cb: (tables: ReadonlySet<string>) => void): () => void {
    this.appliedListeners.push(cb);
    return () => {
      this.appliedListeners = this.appliedListeners.filter((x) => x !== cb);
    };
  }

  private tellApplied(tables: ReadonlySet<string>): void {
    for (const l of this.appliedListeners)
      try {
        l(tables);
      } catch (err) {
        this.log.error({ err }, 'standby: a listener of applied rows failed');
      }
  }

  /** Connects and starts the lease, the replication and the applying of the other's state. */
  start(alerts: AlertService): this {
    this.alerts = alerts;
    this.loops.push(this.run().catch((err) => this.log.error({ err }, 'standby: stopped')));
    return this;
  }

  private async run(): Promise<void> {
    const options = natsOptions(this.cfg, {
      name: `diemcau-serve ${this.ha.instance}`,
      baseDir: this.rt.config.baseDir,
      env: this.env,
    });
    const nc = await connectUntil(
      options,
      () => this.stopped,
      (err, attempt) => {
        if (attempt === 1 || attempt % 60 === 0)
          this.log.warn({ err: String(err), attempt }, 'standby: backbone unreachable, staying standby');
      },
    );
    if (!nc) return;
    this.nc = nc;
    this.st.connected = true;
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') this.st.connected = false;
        else if (s.type === 'reconnect') this.st.connected = true;
      }
    })();
    this.js = jetstream(nc);
    for (let backoff = 500; !this.stopped; backoff = Math.min(backoff * 2, 5000)) {
      try {
        await this.ensureStream();
        const kv = await new Kvm(nc).create(this.ha.bucket, {
          ttl: this.ttlMs,
          history: 1,
          replicas: this.cfg.stream.replicas,
        });
        this.lease = new KvLease(kv, LEASE_KEY, this.ha.instance, this.ttlMs, this.renewMs);
        break;
      } catch (err) {
        this.log.warn({ err: String(err) }, 'standby: state stream or lease bucket not ready, retrying');
        await sleep(backoff);
      }
    }
    if (this.stopped) return;
    this.loops.push(this.applyLoop(), this.replicateLoop());
    await this.leaseLoop();
  }

  private async ensureStream(): Promise<void> {
    const jsm = await jetstreamManager(this.nc!, { timeout: 5000 });
    const name = this.ha.state_stream;
    try {
      await jsm.streams.info(name);
      return;
    } catch (err) {
      if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)) throw err;
    }
    await jsm.streams.add({
      name,
      subjects: [`${STATE}.>`],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      // one message per episode, alert or outbox row: its newest state
      max_msgs_per_subject: 1,
      max_age: nanos(31 * 86_400_000),
      num_replicas: this.cfg.stream.replicas,
    });
  }

  // ------------------------------------------------------------------ the lease

  private async leaseLoop(): Promise<void> {
    while (!this.stopped) {
      const started = Date.now();
      try {
        await this.leaseStep();
      } catch (err) {
        this.log.error({ err }, 'standby: lease step failed');
      }
      const wait = this.renewMs - (Date.now() - started);
      if (wait > 0 && !this.stopped)
        await new Promise<void>((r) => {
          const t = setTimeout(r, wait);
          this.wake = () => {
            clearTimeout(t);
            r();
          };
        });
      this.wake = null;
    }
  }

  private async leaseStep(): Promise<void> {
    const step = await this.lease!.step();
    if (this.lease!.holder !== undefined) this.st.holder = this.lease!.holder;
    if (step.gained) return this.promote();
    if (step.lost) return this.demote(step.lost);
    if (step.retry) this.log.warn({ err: step.retry }, 'standby: lease renewal failed, retrying');
  }

  private async promote(): Promise<void> {
    const was = this.st.holder;
    this.st.holder = this.ha.instance;
    // first everything the other published: its episodes and outbox as they were when it stopped
    const last = await this.lastSeq();
    const until = Date.now() + Math.max(2000, this.ttlMs);
    while (this.appliedSeq < last && Date.now() < until && !this.stopped) await sleep(20);
    if (this.appliedSeq < last)
      this.log.error(
        { applied: this.appliedSeq, last },
        'standby: taking over before every state message was applied',
      );
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.reloadTimer = null;
    this.gateId = 0;
    this.changedSince = 0;
    this.firstCycle = true;
    this.snapshotDue = true;
    this.st.role = 'active';
    this.st.since = Date.now();
    this.st.takeovers++;
    this.roleGauge.set(1);
    this.offDelivery = this.alerts!.outbox.onDelivery((row) =>
      this.queue('outbox', row as unknown as Record<string, unknown>),
    );
    // each send is on the stream as under way before it starts: a crash mid-send is resent marked so
    this.offSending = this.alerts!.outbox.beforeSend(async (row) => {
      if (this.st.role !== 'active' || this.abandoned) throw new Error('not the active server');
      const sent = this.chain.then(() => this.publish('outbox', row as unknown as Record<string, unknown>));
      this.chain = sent.catch(() => {});
      await sent;
    });
    // the people the active edited, in the inventory the engine pages from; what else holds rows
    this.reloadPeople();
    this.tellApplied(new Set(Object.keys(REPLICATED)));
    this.alerts!.activate();
    this.log.warn(
      { previous: was, applied: this.appliedSeq },
      'standby: lease taken — this server now runs the alert engine and the outbox',
    );
  }

  private async demote(reason: string): Promise<void> {
    if (this.st.role !== 'active') return;
    this.st.role = 'standby';
    this.st.since = Date.now();
    this.roleGauge.set(0);
    this.offDelivery?.();
    this.offDelivery = null;
    this.offSending?.();
    this.offSending = null;
    await this.alerts!.deactivate();
    this.log.error({ reason }, 'standby: lease lost — alert engine and outbox stopped, now standby');
  }

  private async lastSeq(): Promise<number> {
    try {
      const jsm = await jetstreamManager(this.nc!, { timeout: 5000 });
      return (await jsm.streams.info(this.ha.state_stream)).state.last_seq;
    } catch {
      return 0;
    }
  }

  // ------------------------------------------------------------------ the active: replication

  private queue(kind: Kind, row: Record<string, unknown>): void {
    this.chain = this.chain.then(() => this.publish(kind, row)).catch(() => {});
  }

  private async publish(kind: Kind, row: Record<string, unknown>): Promise<void> {
    const id = String(kind === 'outbox' ? row.idempotency_key : row.id);
    const msg: StateMessage = { v: 1, from: this.ha.instance, kind, row };
    if (kind === 'outbox') {
      const files = this.rt.state
        .prepare(
          'SELECT filename, content_type AS contentType, content FROM outbox_attachments WHERE outbox_id = ? ORDER BY id',
        )
        .all(row.id) as { filename: string; contentType: string; content: Buffer | string }[];
      if (files.length)
        msg.files = files.map((f) => ({
          ...f,
          content: Buffer.isBuffer(f.content)
            ? f.content.toString('base64')
            : Buffer.from(f.content).toString('base64'),
        }));
    }
    await this.send(`${STATE}.${kind}.${token(id)}`, JSON.stringify(msg), kind, id);
  }

  /** Publishes until the stream holds it (or this server is no longer the active one). */
  private async send(subject: string, data: string, kind: string, id: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.js!.publish(subject, data, { timeout: 5000 });
        this.published.inc({ kind });
        return;
      } catch (err) {
        if (this.stopped || this.abandoned || this.st.role !== 'active') throw err;
        if (attempt === 1 || attempt % 30 === 0)
          this.log.warn({ err: String(err), kind, id }, 'standby: state not published, retrying');
        await sleep(500);
      }
    }
  }

  /** Rows of the shared tables, a window of them at once (each subject at most once in a batch). */
  private queueRows(changes: RowChange[]): void {
    if (changes.length === 0) return;
    this.chain = this.chain
      .then(async () => {
        for (let i = 0; i < changes.length; i += ROW_WINDOW)
          await Promise.all(
            changes.slice(i, i + ROW_WINDOW).map((c) => {
              const id = JSON.stringify(c.pk);
              const msg: RowMessage = { v: 1, from: this.ha.instance, kind: 'row', ...c };
              return this.send(
                `${STATE}.row.${c.table}.${token(id)}`,
                JSON.stringify(msg),
                'row',
                `${c.table}${id}`,
              );
            }),
          );
      })
      .catch(() => {});
  }

  /** Every 200 ms while active: changed episodes and alerts, new outbox rows; then the gate opens. */
  private async replicateLoop(): Promise<void> {
    let cleared = 0;
    while (!this.stopped) {
      await sleep(200);
      if (this.abandoned) continue;
      if (this.st.role !== 'active') {
        // the standby's own changes are not published: a take-over publishes every shared row
        if (Date.now() - cleared > 5000) {
          cleared = Date.now();
          try {
            this.rt.state.prepare('DELETE FROM repl_log').run();
          } catch (err) {
            this.log.warn({ err: String(err) }, 'standby: replication log not cleared');
          }
        }
        continue;
      }
      try {
        await this.replicate();
      } catch (err) {
        if (!this.stopped) this.log.warn({ err: String(err) }, 'standby: replication interrupted');
      }
    }
  }

  private async replicate(): Promise<void> {
    const db = this.rt.state;
    // one synchronous read: an outbox row and the episode change made with it are read together, and
    // the shared rows (a meeting with its notices) too
    const mark = Date.now();
    const snapshot = this.snapshotDue || mark - this.snapshotAt >= REFRESH_MS;
    const logged = snapshot ? { changes: allRows(db), upTo: logTop(db) } : readChanges(db);
    const eps = db.prepare('SELECT * FROM episodes WHERE updated_at >= ?').all(this.changedSince) as Record<
      string,
      unknown
    >[];
    const als = db.prepare('SELECT * FROM alerts WHERE updated_at >= ?').all(this.changedSince) as Record<
      string,
      unknown
    >[];
    const rows = (
      this.firstCycle
        ? db.prepare(`SELECT * FROM outbox WHERE state <> 'sent' ORDER BY id`).all()
        : db.prepare('SELECT * FROM outbox WHERE id > ? ORDER BY id').all(this.outboxMark)
    ) as OutboxRow[];
    const top = (db.prepare('SELECT max(id) AS m FROM outbox').get() as { m: number | null }).m ?? 0;
    // the first round after a take-over sends all open and recent ones: cheap, and the standby may lag
    if (this.firstCycle) {
      const cut = mark - 86_400_000;
      eps.splice(0, eps.length, ...eps.filter((r) => r.state !== 'resolved' || Number(r.updated_at) >= cut));
      als.splice(0, als.length, ...als.filter((r) => r.state !== 'resolved' || Number(r.updated_at) >= cut));
    }
    this.queueRows(logged.changes);
    for (const r of eps) this.queue('episode', r);
    for (const r of als) this.queue('alert', r);
    for (const r of rows) this.queue('outbox', r as unknown as Record<string, unknown>);
    await this.chain;
    if (this.st.role !== 'active') return;
    clearLog(db, logged.upTo);
    if (snapshot) {
      this.snapshotDue = false;
      this.snapshotAt = mark;
      this.log.info({ rows: logged.changes.length }, 'standby: every shared row published');
    }
    this.changedSince = mark;
    this.outboxMark = Math.max(this.outboxMark, top);
    this.firstCycle = false;
    if (top > this.gateId) {
      this.gateId = top;
      this.alerts!.outbox.kick();
    }
  }

  // ------------------------------------------------------------------ the standby: applying

  private async applyLoop(): Promise<void> {
    while (!this.stopped) {
      try {
        // ordered consumer over the whole stream (it holds only state subjects; one filter suits 2.9)
        const consumer = await this.js!.consumers.get(this.ha.state_stream, {
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: this.appliedSeq + 1,
        });
        this.messages = await consumer.consume({ max_messages: 256 });
        for await (const m of this.messages) {
          let msg: StateMessage | RowMessage | null = null;
          try {
            msg = JSON.parse(m.string()) as StateMessage | RowMessage;
          } catch (err) {
            this.log.error({ err, subject: m.subject }, 'standby: state message not readable');
          }
          // rows of shared tables are applied together, in one transaction per batch
          if (msg?.kind === 'row' && this.st.role !== 'active') {
            this.pendingRows.push({ table: msg.table, pk: msg.pk, row: msg.row });
            this.pendingSeq = m.seq;
            if (this.pendingRows.length >= 500) this.flushRows();
            else this.scheduleFlush();
            continue;
          }
          this.flushRows();
          this.appliedSeq = m.seq;
          if (this.st.role === 'active' || !msg || msg.kind === 'row') continue;
          try {
            this.apply(msg);
          } catch (err) {
            this.log.error({ err, subject: m.subject }, 'standby: state message not applied');
          }
        }
      } catch (err) {
        if (!this.stopped) this.log.warn({ err: String(err) }, 'standby: state consumer interrupted');
      }
      this.messages = null;
      if (!this.stopped) await sleep(500);
    }
  }

  private apply(msg: StateMessage): void {
    const db = this.rt.state;
    const r = msg.row;
    if (msg.kind === 'episode') {
      db.prepare(
        `INSERT INTO episodes (id, state, started_at, resolved_at, updated_at, body) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, started_at = excluded.started_at,
           resolved_at = excluded.resolved_at, updated_at = excluded.updated_at, body = excluded.body`,
      ).run(r.id, r.state, r.started_at, r.resolved_at, r.updated_at, r.body);
    } else if (msg.kind === 'alert') {
      db.prepare(
        `INSERT INTO alerts (id, fingerprint, state, started_at, resolved_at, updated_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, resolved_at = excluded.resolved_at,
           updated_at = excluded.updated_at, body = excluded.body`,
      ).run(r.id, r.fingerprint, r.state, r.started_at, r.resolved_at, r.updated_at, r.body);
    } else if (msg.kind === 'outbox') {
      // a row the active was sending when it stopped is one this server must send (same key), marked as
      // possibly a repeat: the receiver may have it already
      const state = r.state === 'sent' || r.state === 'failed' ? r.state : 'pending';
      const payload =
        r.state === 'sending'
          ? JSON.stringify({ ...(JSON.parse(String(r.payload)) as object), interrupted: 1 })
          : r.payload;
      db.transaction(() => {
        const ins = db
          .prepare(
            `INSERT OR IGNORE INTO outbox (idempotency_key, channel, recipient, person, alert_id, kind, subject, body, payload, state, attempts, created_at, next_attempt_at, sent_at, last_error)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            r.idempotency_key,
            r.channel,
            r.recipient,
            r.person,
            r.alert_id,
            r.kind,
            r.subject,
            r.body,
            payload,
            state,
            r.attempts,
            r.created_at,
            r.next_attempt_at,
            r.sent_at,
            r.last_error,
          );
        if (ins.changes > 0)
          for (const f of msg.files ?? [])
            db.prepare(
              'INSERT INTO outbox_attachments (outbox_id, filename, content_type, content) VALUES (?, ?, ?, ?)',
            ).run(ins.lastInsertRowid, f.filename, f.contentType, Buffer.from(f.content, 'base64'));
        else
          db.prepare(
            `UPDATE outbox SET state = ?, sent_at = ?, attempts = ?, last_error = ?, payload = ?, next_attempt_at = ?
             WHERE idempotency_key = ? AND state <> 'sent'`,
          ).run(state, r.sent_at, r.attempts, r.last_error, payload, r.next_attempt_at, r.idempotency_key);
      })();
    }
    this.applied.inc({ kind: msg.kind });
    if (msg.kind === 'episode' || msg.kind === 'alert') this.scheduleReload();
  }

  /** the standby's API reads the engine: show the active's episodes, silences and windows within a second */
  private scheduleReload(): void {
    if (this.reloadTimer || this.stopped) return;
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = null;
      if (this.st.role !== 'active' && this.alerts?.standby) this.alerts.reload();
    }, 500);
  }

  private reloadPeople(): void {
    try {
      directoryFor(this.rt.state, this.rt.inventory).reload();
    } catch (err) {
      this.log.error({ err }, 'standby: people not read again');
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flushRows();
    });
  }

  /** The rows read so far, in one transaction with capture off (storage/replication.ts). */
  private flushRows(): void {
    if (this.pendingRows.length === 0) return;
    const batch = this.pendingRows;
    this.pendingRows = [];
    try {
      const { applied, failed } = applyChanges(this.rt.state, batch);
      this.applied.inc({ kind: 'row' }, applied);
      for (const f of failed.slice(0, 5))
        this.log.error({ table: f.table, pk: f.pk, err: f.error }, 'standby: shared row not applied');
      if (failed.length > 5)
        this.log.error({ more: failed.length - 5 }, 'standby: more shared rows not applied');
    } catch (err) {
      this.log.error({ err, rows: batch.length }, 'standby: shared rows not applied');
    }
    this.appliedSeq = Math.max(this.appliedSeq, this.pendingSeq);
    if (batch.some((c) => ENGINE_TABLES.has(c.table))) this.scheduleReload();
    if (batch.some((c) => PEOPLE_TABLES.has(c.table))) this.reloadPeople();
    this.tellApplied(new Set(batch.map((c) => c.table)));
  }

  // ------------------------------------------------------------------ stopping

  /**
   * Stops as a crash would (tests): no more renewals, replication or sending, the lease left to
   * expire, the connection dropped.
   */
  async abandon(): Promise<void> {
    this.abandoned = true;
    this.stopped = true;
    this.offDelivery?.();
    this.offSending?.();
    // a crash waits for nothing: a send under way is left to finish or fail unseen
    void this.alerts?.deactivate();
    await this.messages?.close().catch(() => {});
    await this.nc?.close().catch(() => {});
  }

  async stop(): Promise<void> {
    const wasActive = this.st.role === 'active' && !this.abandoned;
    this.stopped = true;
    this.wake?.();
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    if (wasActive) {
      // a clean stop hands over at once: the last state published, the outbox stopped, the lease released
      await this.alerts?.deactivate();
      await this.replicate().catch(() => {});
      await this.chain;
      try {
        await this.lease?.release();
        this.log.info('standby: lease released');
      } catch (err) {
        this.log.warn({ err: String(err) }, 'standby: lease not released (the standby waits for its expiry)');
      }
    }
    this.offDelivery?.();
    this.offSending?.();
    await this.messages?.close().catch(() => {});
    await this.nc?.close().catch(() => {});
    await Promise.allSettled(this.loops);
    for (const n of [
      'diemcau_ha_active',
      'diemcau_ha_state_published_total',
      'diemcau_ha_state_applied_total',
    ])
      this.rt.registry.removeSingleMetric(n);
  }
}
