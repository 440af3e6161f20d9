// What travels on the backbone (docs/backbone.md): subjects, message ids and bodies. One stream holds
// every collector's telemetry; a message is a run of poll batches (samples) or of device events from one
// collector, numbered so that the centre can put them back in order and take each one once.
import { hostname } from 'node:os';
import type { DeviceEvent, Sample } from '../core/bus.ts';

/** every telemetry subject starts with this; the stream takes `${TELEMETRY}.>` */
export const TELEMETRY = 'diemcau.telemetry';

export type Kind = 'samples' | 'events';

export const subjectOf = (collector: string, kind: Kind) => `${TELEMETRY}.${collector}.${kind}`;

/**
 * One message. `boot` names one run of the collector process and `n` counts its messages from 1 with no
 * gap, so `${c}:${boot}:${n}` is the Nats-Msg-Id and (boot, n) orders them.
 */
export interface WireMessage {
  v: 1;
  c: string;
  boot: string;
  n: number;
  /** poll batches, each as the collector published it on its bus */
  samples?: Sample[][];
  events?: DeviceEvent[];
}

export const msgId = (m: Pick<WireMessage, 'c' | 'boot' | 'n'>) => `${m.c}:${m.boot}:${m.n}`;

/** A new boot id: the start time (base 36) and a random part, so two runs never share one. */
export function newBoot(now = Date.now()): string {
  return `${now.toString(36)}${Math.floor(Math.random() * 36 ** 4)
    .toString(36)
    .padStart(4, '0')}`;
}

/**
 * The body of a message built from already-encoded parts (the spool keeps each batch or event as JSON),
 * so a batch is serialised once however often its message is retried.
 */
export function encodeBody(head: Pick<WireMessage, 'c' | 'boot' | 'n'>, kind: Kind, parts: string[]): string {
  return `{"v":1,"c":${JSON.stringify(head.c)},"boot":${JSON.stringify(head.boot)},"n":${head.n},"${kind}":[${parts.join(',')}]}`;
}

const COLLECTOR_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Reads a message body; a body that is not one (another program on the subject, a bug) is an Error. */
export function decodeBody(text: string): WireMessage {
  const m = JSON.parse(text) as WireMessage;
  if (
    m === null ||
    typeof m !== 'object' ||
    m.v !== 1 ||
    typeof m.c !== 'string' ||
    !COLLECTOR_RE.test(m.c) ||
    typeof m.boot !== 'string' ||
    !Number.isSafeInteger(m.n) ||
    m.n < 1
  )
    throw new Error('not a diemcau telemetry message (v, c, boot, n)');
  if (m.samples !== undefined) {
    if (!Array.isArray(m.samples) || !m.samples.every((b) => Array.isArray(b) && b.every(isSample)))
      throw new Error('samples: not a list of sample batches');
  } else if (m.events !== undefined) {
    if (!Array.isArray(m.events) || !m.events.every(isEvent))
      throw new Error('events: not a list of device events');
  } else throw new Error('neither samples nor events');
  return m;
}

function isSample(s: unknown): s is Sample {
  const x = s as Sample;
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof x.time === 'number' &&
    typeof x.site === 'string' &&
    typeof x.device === 'string' &&
    typeof x.metric === 'string' &&
    typeof x.value === 'number' &&
    typeof x.tags === 'object' &&
    x.tags !== null
  );
}

function isEvent(e: unknown): e is DeviceEvent {
  const x = e as DeviceEvent;
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof x.time === 'number' &&
    typeof x.kind === 'string' &&
    typeof x.site === 'string' &&
    typeof x.device === 'string'
  );
}

/**
 * A collector's name on the backbone: bus.nats.name, else its shard's districts ("cho-don_ba-be"),
 * else the host name made a subject token.
 */
export function collectorName(configured: string | undefined, shard: string | undefined): string {
  if (configured) return configured;
  const slug = (v: string) =>
    v
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/^[^a-z0-9]+/, '')
      .slice(0, 64) || 'collector';
  if (shard) return slug(shard.split(',').join('_'));
  return slug(hostname());
}
