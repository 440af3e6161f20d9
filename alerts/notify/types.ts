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

export interface Attachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

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
  /** files sent with it (e-mail only; other channels leave them out): a report's .docx */
  attachments?: Attachment[];
  /**
   * sent again after a restart interrupted it mid-send: the receiver may already have it. Channels
   * whose API has no idempotency (Telegram, Zalo) say so in the text, with the message's key.
   */
  resent?: boolean;
}

/**
 * The text for a channel whose API cannot drop a repeat by key (Telegram, Zalo): the key at the
 * end, and a resent message marked as a possible repeat, so a person sees two copies as one.
 */
export function withKey(m: Message, limit: number): string {
  const head = m.resent
    ? '[GỬI LẠI — có thể trùng tin trước / RESENT — may repeat an earlier message]\n'
    : '';
  const tail = `\n\nMã tin / message key: ${m.key}`;
  return `${head}${m.text.slice(0, Math.max(0, limit - head.length - tail.length))}${tail}`;
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
