// One small interface for every channel: send an alert / resolve / acknowledgement / test.
import type { Person } from '../../inventory/schema.ts';

export const CHANNELS = ['email', 'telegram', 'zalo', 'sms', 'webhook'] as const;
export type Channel = (typeof CHANNELS)[number];

export type MessageKind =
  | 'alert'
  | 'resolve'
  | 'ack'
  | 'escalation'
  | 'reminder'
  | 'reassign'
  | 'digest'
  | 'test';

export interface Message {
  /** stable idempotency key: e-mail Message-ID, HTTP Idempotency-Key header */
  key: string;
  kind: MessageKind;
  /** one line, Vietnamese first */
  subject: string;
  /** the full text, Vietnamese first, English after */
  text: string;
  /** SMS-sized text */
  short: string;
  /** machine-readable copy for the webhook */
  payload: Record<string, unknown>;
}

export interface Notifier {
  readonly channel: Channel;
  /** where this person is reached on this channel, or null when they are not */
  address(person: Person): string | null;
  /** throws when the message was not accepted (the outbox retries) */
  send(to: string, message: Message): Promise<void>;
  close(): Promise<void>;
}

export class SendError extends Error {
  constructor(
    message: string,
    /** false: retrying cannot help (bad address, bad token) */
    readonly retryable = true,
  ) {
    super(message);
    this.name = 'SendError';
  }
}
