// The centre's end of the backbone: a durable consumer on the telemetry stream; every message is put
// on the local bus, exactly as a local poll's batch or device event, and acknowledged after the bus has
// taken it. The stream drops a re-published message within its duplicate window (Nats-Msg-Id); past it,
// this end drops any message a collector's run has already delivered (its numbers only grow).
import { type ConsumerMessages, type JsMsg, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Counter } from 'prom-client';
import type { Runtime, Service } from '../core/runtime.ts';
import { connectUntil, ensureConsumer, ensureStream, type NatsConfig, natsOptions } from './nats.ts';
import { decodeBody } from './wire.ts';

export interface ConsumerStatus {
  connected: boolean;
  /** messages put on the local bus */
  received: number;
  /** messages already delivered (a re-publish stored twice), acknowledged and skipped */
  duplicates: number;
  /** messages missing between two of one collector's run (the stream's limits discarded them) */
  missing: number;
  /** messages that were not diemcau telemetry, terminated */
  bad: number;
}

export interface BackboneConsumer extends Service {
  status(): ConsumerStatus;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function startConsumer(
  rt: Runtime,
  opts: { env?: NodeJS.ProcessEnv } = {},
): Promise<BackboneConsumer> {
  const base = rt.config.bus.nats as NatsConfig;
  // two servers (bus.nats.standby): each reads every message through its own durable consumer
  const cfg = base.standby ? { ...base, consumer: `${base.consumer}-${base.standby.instance}` } : base;
  const log = rt.log.child({ part: 'backbone' });
  const options = natsOptions(cfg, {
    name: `diemcau-serve ${cfg.consumer}`,
    baseDir: rt.config.baseDir,
    env: opts.env,
  });
  const counter = (name: string, help: string, labelNames: string[] = []) =>
    new Counter({ name, help, labelNames, registers: [rt.registry] });
  const receivedTotal = counter(
    'diemcau_backbone_received_messages_total',
    'telemetry messages from remote collectors put on the local bus, by kind',
    ['kind'],
  );
  const receivedSamples = counter(
    'diemcau_backbone_received_samples_total',
    'samples from remote collectors put on the local bus',
  );
  const duplicateTotal = counter(
    'diemcau_backbone_received_duplicates_total',
    'telemetry messages already delivered (a re-publish past the duplicate window), skipped',
  );
  const missingTotal = counter(
    'diemcau_backbone_missing_messages_total',
    "messages missing from a collector's sequence (discarded by the stream's limits before they were read)",
  );
  const badTotal = counter(
    'diemcau_backbone_bad_messages_total',
    'messages on the telemetry subjects that are not diemcau telemetry',
  );

  /** the last message number delivered per collector run (`c:boot`) */
  const seen = new Map<string, number>();
  const st: ConsumerStatus = { connected: false, received: 0, duplicates: 0, missing: 0, bad: 0 };

  const handle = (m: JsMsg) => {
    let msg: ReturnType<typeof decodeBody>;
    try {
      msg = decodeBody(m.string());
    } catch (err) {
      st.bad++;
      badTotal.inc();
      log.error(
        { subject: m.subject, seq: m.seq, err: String(err) },
        'backbone: not a telemetry message, dropped',
      );
      m.term();
      return;
    }
    const run = `${msg.c}:${msg.boot}`;
    const last = seen.get(run) ?? 0;
    if (msg.n <= last) {
      st.duplicates++;
      duplicateTotal.inc();
      m.ack();
      return;
    }
    if (last > 0 && msg.n > last + 1) {
      st.missing += msg.n - last - 1;
      missingTotal.inc(msg.n - last - 1);
      log.error(
        { collector: msg.c, after: last, next: msg.n },
        "backbone: messages missing from a collector's sequence (the stream's limits discarded them)",
      );
    }
    seen.set(run, msg.n);
    if (msg.samples) {
      let n = 0;
      for (const batch of msg.samples) {
        rt.bus.publish(batch);
        n += batch.length;
      }
      receivedSamples.inc(n);
      receivedTotal.inc({ kind: 'samples' });
    } else if (msg.events) {
      for (const e of msg.events) rt.bus.publishEvent(e);
      receivedTotal.inc({ kind: 'events' });
    }
    st.received++;
    // the local bus has taken it (its subscribers ran): only now is it done for the stream
    m.ack();
  };

  let stopped = false;
  let nc: NatsConnection | null = null;
  let messages: ConsumerMessages | null = null;

  const loop = async () => {
    nc = await connectUntil(
      options,
      () => stopped,
      (err, attempt) => {
        if (attempt === 1 || attempt % 60 === 0)
          log.warn(
            { err: String(err), servers: cfg.servers, attempt },
            'backbone unreachable: remote collectors unseen',
          );
      },
    );
    if (!nc) return;
    if (stopped) return void (await nc.close().catch(() => {}));
    st.connected = true;
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') {
          st.connected = false;
          log.warn({ server: s.server }, 'backbone link down: remote collectors spool until it returns');
        } else if (s.type === 'reconnect') {
          st.connected = true;
          log.info({ server: s.server }, 'backbone link back');
        }
      }
    })();
    log.info(
      { server: nc.getServer(), stream: cfg.stream.name, consumer: cfg.consumer },
      'backbone connected',
    );
    let backoff = 500;
    while (!stopped) {
      try {
        const jsm = await jetstreamManager(nc, { timeout: 5000 });
        await ensureStream(jsm, cfg);
        await ensureConsumer(jsm, cfg);
        const consumer = await jetstream(nc).consumers.get(cfg.stream.name, cfg.consumer);
        messages = await consumer.consume({ max_messages: 256 });
        backoff = 500;
        for await (const m of messages) handle(m);
      } catch (err) {
        if (stopped) break;
        log.warn({ err: String(err) }, 'backbone consumer interrupted: resuming');
      }
      messages = null;
      if (!stopped) {
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  };
  const running = loop().catch((err) => log.error({ err }, 'backbone consumer stopped'));

  return {
    name: 'backbone-consumer',
    status: () => ({ ...st }),
    async stop() {
      stopped = true;
      await messages?.close().catch(() => {});
      if (nc) await (nc as NatsConnection).close().catch(() => {});
      await running;
    },
  };
}
