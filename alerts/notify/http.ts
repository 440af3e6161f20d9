// The HTTP channels: Telegram bot API, Zalo Official Account API, an SMS gateway, a JSON webhook.
import { createHmac } from 'node:crypto';
import type { Person } from '../../inventory/schema.ts';
import { type Message, type Notifier, SendError, withKey } from './types.ts';

type Resolve = (ref: unknown) => string | undefined;

async function post(
  url: string,
  body: unknown,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<{ status: number; json: unknown; text: string }> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new SendError(`${new URL(url).host}: ${(err as Error).message}`);
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {}
  if (res.status >= 500 || res.status === 429)
    throw new SendError(`HTTP ${res.status}: ${text.slice(0, 200)}`);
  if (res.status >= 400) throw new SendError(`HTTP ${res.status}: ${text.slice(0, 200)}`, false);
  return { status: res.status, json, text };
}

/** Telegram bot API: POST {base}/bot{token}/sendMessage {chat_id, text}. */
export class TelegramNotifier implements Notifier {
  readonly channel = 'telegram' as const;
  constructor(
    private readonly o: { baseUrl: string; token: string; timeoutMs: number },
    private readonly secret: Resolve,
  ) {}
  address(p: Person): string | null {
    return p.channels.telegram ? (this.secret(p.channels.telegram) ?? null) : null;
  }
  async send(to: string, m: Message): Promise<void> {
    const url = `${this.o.baseUrl.replace(/\/$/, '')}/bot${this.o.token}/sendMessage`;
    const r = await post(
      url,
      { chat_id: to, text: withKey(m, 4096), disable_web_page_preview: true },
      {},
      this.o.timeoutMs,
    );
    const ok = (r.json as { ok?: boolean } | null)?.ok;
    if (ok !== true) throw new SendError(`Telegram: ${r.text.slice(0, 200)}`);
  }
  async close(): Promise<void> {}
}

/** Zalo Official Account API v3: POST {base}/v3.0/oa/message/cs, header access_token. */
export class ZaloNotifier implements Notifier {
  readonly channel = 'zalo' as const;
  constructor(
    private readonly o: { baseUrl: string; accessToken: string; timeoutMs: number },
    private readonly secret: Resolve,
  ) {}
  address(p: Person): string | null {
    return p.channels.zalo ? (this.secret(p.channels.zalo) ?? null) : null;
  }
  async send(to: string, m: Message): Promise<void> {
    const url = `${this.o.baseUrl.replace(/\/$/, '')}/v3.0/oa/message/cs`;
    const r = await post(
      url,
      { recipient: { user_id: to }, message: { text: withKey(m, 2000) } },
      { access_token: this.o.accessToken },
      this.o.timeoutMs,
    );
    const err = (r.json as { error?: number; message?: string } | null)?.error;
    if (err !== 0) throw new SendError(`Zalo OA: ${r.text.slice(0, 200)}`);
  }
  async close(): Promise<void> {}
}

/** A configurable SMS gateway: POST {url} {to, text, idempotency_key}, Bearer token. */
export class SmsNotifier implements Notifier {
  readonly channel = 'sms' as const;
  constructor(
    private readonly o: { url: string; token?: string; timeoutMs: number },
    private readonly secret: Resolve,
  ) {}
  address(p: Person): string | null {
    return p.channels.phone ? (this.secret(p.channels.phone) ?? null) : null;
  }
  async send(to: string, m: Message): Promise<void> {
    await post(
      this.o.url,
      { to, text: m.short, idempotency_key: m.key },
      { 'Idempotency-Key': m.key, ...(this.o.token && { authorization: `Bearer ${this.o.token}` }) },
      this.o.timeoutMs,
    );
  }
  async close(): Promise<void> {}
}

/** Generic JSON webhook, one per notification (not per person); HMAC-SHA256 signature when a secret is set. */
export class WebhookNotifier implements Notifier {
  readonly channel = 'webhook' as const;
  constructor(private readonly o: { url: string; secret?: string; timeoutMs: number }) {}
  address(): string | null {
    return null;
  }
  async send(_to: string, m: Message): Promise<void> {
    const body = JSON.stringify({
      idempotency_key: m.key,
      kind: m.kind,
      subject: m.subject,
      text: m.text,
      ...m.payload,
    });
    const headers: Record<string, string> = { 'Idempotency-Key': m.key };
    if (this.o.secret)
      headers['X-Diemcau-Signature'] =
        `sha256=${createHmac('sha256', this.o.secret).update(body).digest('hex')}`;
    await post(this.o.url, body, headers, this.o.timeoutMs);
  }
  async close(): Promise<void> {}
}
