// The collector's end of the backbone: every poll batch and device event on the local bus is spooled
// in order and published to the telemetry stream, one message at a time, each with its Nats-Msg-Id.
// A message is retried, the same bytes under the same id, until the stream acknowledges it; meanwhile
// new batches wait in the spool (bounded, on disk: bus/spool.ts) and go out as larger messages when the
// link returns. A message taken from the spool is recorded there with its run and number before it is
// published, so a collector killed mid-publish sends it again at its next start under the same id.
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { type JetStreamClient, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Counter, Gauge } from 'prom-client';
import { parseDuration } from '../config/config.ts';
import type { Runtime, Service } from '../core/runtime.ts';
import { connectUntil, ensureStream, type NatsConfig, natsOptions } from './nats.ts';
import { type Dropped, Spool, type Taken } from './spool.ts';
import { encodeBody, type Kind, msgId, newBoot, subjectOf } from './wire.ts';

export interface PublisherStatus {
  connected: boolean;
  /** messages the stream has stored (duplicates included) */
  published: number;
  /** of which the stream said it already had (a retry after a lost acknowledgement) */
  duplicates: number;
  /** bytes waiting in the spool, the message in flight included */
  spooledBytes: number;
  dropped: Dropped;
}

export interface BackbonePublisher extends Service {
  readonly collector: string;
  readonly boot: string;
  status(): PublisherStatus;
  /** Resolves true once everything spooled so far is stored, false after `timeoutMs`. */
  drained(timeoutMs: number): Promise<boolean>;
}

export interface PublisherOptions {
  /** the collector's name on the backbone (wire.ts collectorName) */
  name: string;
  env?: NodeJS.ProcessEnv;
  /** how long stop() waits for the spool to empty (default 3 s) */
  stopDrainMs?: number;
  /**
   * the spool's database (collect: data_dir/spool/backbone.db): every batch and event is there before it
   * counts as spooled, so a collector restarted or killed during an outage keeps its backlog; without
   * it the spool is in memory and lost with the process
   */
  spoolFile?: string;
  /**
   * the spool file of diemcau before the spool was on disk (collect: data_dir/backbone-spool.json),
   * written at a clean stop: read into the spool once, then removed
   */
  legacySpoolFile?: string;
}

/** The earlier spool file: the message in flight under its own run and number, then the waiting entries. */
interface LegacySpoolFile {
  v: 1;
  collector: string;
  inflight: { boot: string; n: number; kind: Kind; parts: string[]; items: number } | null;
  queued: { kind: Kind; json: string; items: number }[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function startPublisher(rt: Runtime, opts: PublisherOptions): Promise<BackbonePublisher> {
  const cfg = rt.config.bus.nats as NatsConfig;
  const log = rt.log.child({ part: 'backbone', collector: opts.name });
  const options = natsOptions(cfg, {
    name: `diemcau-collect ${opts.name}`,
    baseDir: rt.config.baseDir,
    env: opts.env,
  });
  const boot = newBoot();
  const timeout = parseDuration(cfg.publish_timeout);
  const maxMessage = cfg.max_message_kb * 1024;

  const published = new Counter({
    name: 'diemcau_backbone_published_messages_total',
    help: 'messages the telemetry stream stored, by kind (samples: poll batches; events: device events)',
    labelNames: ['kind'],
    registers: [rt.registry],
  });
  const duplicates = new Counter({
    name: 'diemcau_backbone_publish_duplicates_total',
    help: 'publishes the stream acknowledged as duplicates (Nats-Msg-Id seen within its duplicate window)',
    registers: [rt.registry],
  });
  const failures = new Counter({
    name: 'diemcau_backbone_publish_failures_total',
    help: 'publishes not acknowledged (link down, timeout, stream error); each is retried',
    registers: [rt.registry],
  });
  const droppedTotal = new Counter({
    name: 'diemcau_backbone_spool_dropped_total',
    help: 'samples and device events dropped because the spool reached bus.nats.spool_max_mb',
    labelNames: ['kind'],
    registers: [rt.registry],
  });
  const dropped: Dropped = { samples: 0, events: 0 };
  let lastDropLog = 0;
  const countDrop = (d: Dropped) => {
    dropped.samples += d.samples;
    dropped.events += d.events;
    if (d.samples) droppedTotal.inc({ kind: 'samples' }, d.samples);
    if (d.events) droppedTotal.inc({ kind: 'events' }, d.events);
  };
  const spool = new Spool(
    cfg.spool_max_mb * 1024 * 1024,
    (d) => {
      countDrop(d);
      if (Date.now() - lastDropLog >= 60_000) {
        lastDropLog = Date.now();
        log.error(
          { dropped, spool_max_mb: cfg.spool_max_mb },
          'backbone spool full: oldest samples dropped (the centre will miss them); raise bus.nats.spool_max_mb or restore the link',
        );
      }
    },
    { file: opts.spoolFile, collector: opts.name, log },
  );
  if (!spool.empty()) {
    const entries = spool.length() + (spool.inflight()?.parts.length ?? 0);
    log.info(
      {
        file: opts.spoolFile,
        entries,
        bytes: spool.bytes(),
        inflight: spool.inflight() && msgId({ c: opts.name, ...spool.inflight()! }),
      },
      `backbone spool: ${entries} ${entries === 1 ? 'entry' : 'entries'} of an earlier run waiting, published first`,
    );
  }
  new Gauge({
    name: 'diemcau_backbone_spool_bytes',
    help: 'bytes waiting to be published to the backbone',
    registers: [rt.registry],
    collect() {
      this.set(spool.bytes());
    },
  });
  let connected = false;
  new Gauge({
    name: 'diemcau_backbone_connected',
    help: '1 while the connection to the NATS servers is up',
    registers: [rt.registry],
    collect() {
      this.set(connected ? 1 : 0);
    },
  });

  // the earlier version's file (written at a clean stop): into the spool, its message in flight under its own id
  if (opts.legacySpoolFile && existsSync(opts.legacySpoolFile))
    readLegacy(opts.legacySpoolFile, opts.name, spool, log);

  let lastWriteLog = 0;
  /** a batch or event the spool could not write (disk full, I/O error) is counted as dropped and logged */
  const put = (kind: Kind, json: string, items: number) => {
    try {
      spool.push(kind, json, items);
    } catch (err) {
      countDrop(kind === 'samples' ? { samples: items, events: 0 } : { samples: 0, events: items });
      if (Date.now() - lastWriteLog >= 60_000) {
        lastWriteLog = Date.now();
        log.error(
          { err: String(err), file: opts.spoolFile, dropped },
          'backbone spool write failed: samples dropped (the centre will miss them); check the disk of data_dir',
        );
      }
    }
  };
  const offSamples = rt.bus.onSamples((batch) => put('samples', JSON.stringify(batch), batch.length));
  const offEvents = rt.bus.onEvent((e) => put('events', JSON.stringify(e), 1));

  let stopped = false;
  let nc: NatsConnection | null = null;
  let seq = 0;
  /** the message being published: the spool's run in flight, under its run and number */
  let current: Taken | null = null;
  let stored = 0;
  let dupes = 0;
  /** a wake-up for the loop when the link comes back */
  let linkUp: (() => void) | null = null;
  let down = false;

  const watch = async (c: NatsConnection) => {
    for await (const s of c.status()) {
      if (s.type === 'disconnect') {
        connected = false;
        log.warn({ server: s.server }, 'backbone link down: polling continues, samples are spooled');
      } else if (s.type === 'reconnect') {
        connected = true;
        log.info(
          { server: s.server, spooled_bytes: spool.bytes() },
          'backbone link back: publishing the backlog',
        );
        linkUp?.();
      }
    }
  };

  const loop = async () => {
    nc = await connectUntil(
      options,
      () => stopped,
      (err, attempt) => {
        if (attempt === 1 || attempt % 60 === 0)
          log.warn(
            { err: String(err), servers: cfg.servers, attempt },
            'backbone unreachable: polling continues, samples are spooled',
          );
      },
    );
    if (!nc) return;
    if (stopped) return void (await nc.close().catch(() => {}));
    connected = true;
    void watch(nc);
    log.info({ server: nc.getServer(), stream: cfg.stream.name }, 'backbone connected');
    const js: JetStreamClient = jetstream(nc);
    let streamReady = false;
    let backoff = 100;
    // at stop, the message in flight finishes its attempt; what is left goes to the spool file
    while (!stopped) {
      if (!connected) {
        await new Promise<void>((r) => {
          linkUp = r;
        });
        linkUp = null;
        continue;
      }
      try {
        if (!streamReady) {
          await ensureStream(await jetstreamManager(nc, { timeout }), cfg);
          streamReady = true;
        }
        if (!current) {
          // recorded with its run and number before it is published (a restored one keeps its own)
          current = spool.take(maxMessage, boot, seq + 1);
          // this run's next number is used only by a run taken now (not one restored from an earlier run)
          if (current?.boot === boot && current.n === seq + 1) seq++;
          if (!current) {
            await spool.wait();
            continue;
          }
        }
        const head = { c: opts.name, boot: current.boot, n: current.n };
        const ack = await js.publish(
          subjectOf(opts.name, current.kind),
          encodeBody(head, current.kind, current.parts),
          {
            msgID: msgId(head),
            timeout,
            retries: 0,
          },
        );
        published.inc({ kind: current.kind });
        stored++;
        if (ack.duplicate) {
          dupes++;
          duplicates.inc();
        }
        spool.commit();
        current = null;
        backoff = 100;
        if (down) {
          down = false;
          log.info({ spooled_bytes: spool.bytes() }, 'backbone publishing again');
        }
      } catch (err) {
        failures.inc();
        // the stream may be gone (deleted, a new server without the store): make sure of it again
        streamReady = false;
        if (!down) {
          down = true;
          log.warn({ err: String(err) }, 'backbone publish failed: retrying, samples are spooled');
        }
        if (stopped) break;
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 2000);
      }
    }
  };
  const running = loop().catch((err) => log.error({ err }, 'backbone publisher stopped'));

  const drained = async (timeoutMs: number) => {
    const until = Date.now() + timeoutMs;
    while (!spool.empty()) {
      if (Date.now() >= until) return false;
      await sleep(20);
    }
    return true;
  };

  return {
    name: 'backbone-publisher',
    collector: opts.name,
    boot,
    status: () => ({
      connected,
      published: stored,
      duplicates: dupes,
      spooledBytes: spool.bytes(),
      dropped: { ...dropped },
    }),
    drained,
    async stop() {
      offSamples();
      offEvents();
      await drained(opts.stopDrainMs ?? 3000);
      stopped = true;
      spool.wake();
      linkUp?.();
      await running;
      if (!spool.empty()) {
        const entries = spool.length() + (spool.inflight()?.parts.length ?? 0);
        if (opts.spoolFile)
          log.warn(
            { file: opts.spoolFile, entries, bytes: spool.bytes() },
            'backbone publisher stopping with samples unpublished: kept in the spool for the next start',
          );
        else log.error({ entries }, 'backbone publisher stopping with samples unpublished: they are lost');
      }
      spool.close();
      if (nc) await (nc as NatsConnection).close().catch(() => {});
    },
  };
}

/**
 * Reads the spool file an earlier diemcau wrote at a clean stop into the (empty) spool: its message in
 * flight keeps its run and number; then removes it. Unreadable, another collector's, or the spool not
 * empty: moved aside with an error line naming it (never read twice, never silently lost).
 */
function readLegacy(file: string, collector: string, spool: Spool, log: Runtime['log']): void {
  try {
    const f = JSON.parse(readFileSync(file, 'utf8')) as LegacySpoolFile;
    if (f.v !== 1 || f.collector !== collector)
      throw new Error(`written by collector "${f.collector}", this one is "${collector}"`);
    if (!spool.empty()) throw new Error('the spool database already holds entries of a later run');
    if (f.inflight) {
      const { boot, n, kind, parts, items } = f.inflight;
      spool.restore(kind, parts, items, boot, n);
    }
    for (const e of f.queued) spool.push(e.kind, e.json, e.items);
    rmSync(file, { force: true });
    log.info(
      { file, messages: f.queued.length + (f.inflight ? 1 : 0), bytes: spool.bytes() },
      'backbone backlog of the previous run read back into the spool',
    );
  } catch (err) {
    const aside = `${file}.bad-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(file, aside);
    log.error(
      { err: String(err), file, moved_to: aside },
      `backbone spool file ${file} unreadable: moved aside to ${aside}, its backlog is not published`,
    );
  }
}
