// E-mail through SMTP (nodemailer). The idempotency key is the Message-ID.
import nodemailer from 'nodemailer';
import type { Person } from '../../inventory/schema.ts';
import { type Message, type Notifier, SendError } from './types.ts';

export interface EmailOptions {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  password?: string;
  from: string;
  timeoutMs: number;
}

export function messageId(key: string): string {
  return `<${key.replace(/[^A-Za-z0-9.\-_]/g, '_')}@diemcau>`;
}

export class EmailNotifier implements Notifier {
  readonly channel = 'email' as const;
  private readonly transport;

  constructor(private readonly opts: EmailOptions) {
    this.transport = nodemailer.createTransport({
      host: opts.host,
      port: opts.port,
      secure: opts.secure,
      // one kept connection: a new SMTP session costs ~100 ms even on loopback
      pool: true,
      maxConnections: 2,
      ...(opts.user && { auth: { user: opts.user, pass: opts.password ?? '' } }),
      connectionTimeout: opts.timeoutMs,
      greetingTimeout: opts.timeoutMs,
      socketTimeout: opts.timeoutMs,
      // loopback and internal relays often run without a certificate
      tls: { rejectUnauthorized: false },
    });
  }

  address(p: Person): string | null {
    return p.channels.email ?? null;
  }

  async send(to: string, m: Message): Promise<void> {
    try {
      await this.transport.sendMail({
        from: this.opts.from,
        to,
        subject: m.subject,
        text: m.text,
        messageId: messageId(m.key),
        headers: { 'X-Diemcau-Idempotency-Key': m.key, 'X-Diemcau-Kind': m.kind },
        ...(m.attachments?.length && {
          attachments: m.attachments.map((a) => ({
            filename: a.filename,
            contentType: a.contentType,
            content: a.content,
          })),
        }),
      });
    } catch (err) {
      const code = (err as { responseCode?: number }).responseCode;
      // 5xx other than 552 (size) is permanent for this address
      throw new SendError(`SMTP: ${(err as Error).message}`, !(code && code >= 500 && code !== 552));
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
