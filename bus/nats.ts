// The connection to the NATS servers and the JetStream objects both ends need: the telemetry stream
// (file storage, limits, duplicate window) and the centre's durable consumer. Either end creates them
// when missing and brings the stream's limits to the configuration.
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { connect, type NatsConnection, type NodeConnectionOptions, nanos } from '@nats-io/transport-node';
import { type Config, parseDuration } from '../config/config.ts';
import { readSecret } from '../inventory/load.ts';
import { TELEMETRY } from './wire.ts';

export type NatsConfig = NonNullable<Config['bus']['nats']>;

/**
 * The client's options: servers, name, credentials read now (a missing secret stops the start with
 * its name), and reconnecting for ever once connected: a collector polls and spools whatever the link does.
 */
export function natsOptions(
  cfg: NatsConfig,
  opts: { name: string; baseDir: string; env?: NodeJS.ProcessEnv },
): NodeConnectionOptions {
  const env = opts.env ?? process.env;
  const need = (ref: NonNullable<NatsConfig['password']>, field: string) => {
    const v = readSecret(ref, opts.baseDir, env);
    if (!v)
      throw new Error(
        `bus.nats.${field}: ${'env' in ref ? `environment variable ${ref.env} is not set` : `file ${ref.file} is missing or empty`}`,
      );
    return v;
  };
  return {
    servers: cfg.servers,
    name: opts.name,
    ...(cfg.user && cfg.password && { user: cfg.user, pass: need(cfg.password, 'password') }),
    ...(cfg.token && { token: need(cfg.token, 'token') }),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
    reconnectJitter: 200,
    pingInterval: 10_000,
    timeout: 5000,
  };
}

/** Connects, trying again every second until it succeeds or `stopped()` says to give up (null). */
export async function connectUntil(
  options: NodeConnectionOptions,
  stopped: () => boolean,
  onFail: (err: unknown, attempt: number) => void,
): Promise<NatsConnection | null> {
  for (let attempt = 1; !stopped(); attempt++) {
    try {
      return await connect(options);
    } catch (err) {
      onFail(err, attempt);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  return null;
}

export function streamConfig(cfg: NatsConfig): Partial<StreamConfig> & { name: string } {
  return {
    name: cfg.stream.name,
    subjects: [`${TELEMETRY}.>`],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: nanos(parseDuration(cfg.stream.max_age)),
    max_bytes: cfg.stream.max_mb * 1024 * 1024,
    duplicate_window: nanos(parseDuration(cfg.stream.duplicate_window)),
    num_replicas: cfg.stream.replicas,
  };
}

/** Creates the stream, or updates its limits to the configuration's. */
export async function ensureStream(jsm: JetStreamManager, cfg: NatsConfig): Promise<void> {
  const want = streamConfig(cfg);
  let have: StreamConfig | null = null;
  try {
    have = (await jsm.streams.info(want.name)).config;
  } catch (err) {
    if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)) throw err;
  }
  if (!have) {
    await jsm.streams.add(want);
    return;
  }
  if (
    have.max_age !== want.max_age ||
    have.max_bytes !== want.max_bytes ||
    have.duplicate_window !== want.duplicate_window ||
    !have.subjects?.includes(`${TELEMETRY}.>`)
  ) {
    await jsm.streams.update(want.name, {
      max_age: want.max_age!,
      max_bytes: want.max_bytes!,
      duplicate_window: want.duplicate_window!,
      subjects: [...new Set([...(have.subjects ?? []), `${TELEMETRY}.>`])],
    });
  }
}

/** The centre's durable consumer: every telemetry message, acknowledged one by one. */
export async function ensureConsumer(jsm: JetStreamManager, cfg: NatsConfig): Promise<void> {
  await jsm.consumers.add(cfg.stream.name, {
    durable_name: cfg.consumer,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: `${TELEMETRY}.>`,
    ack_wait: nanos(30_000),
    max_ack_pending: 1000,
  });
}
