// Real receivers for notifier tests: an SMTP server (smtp-server) and a node:http server that
// plays Telegram, Zalo OA, an SMS gateway and a webhook receiver. Both on loopback, free ports.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Mail {
  messageId: string;
  key: string;
  subject: string;
  to: string;
  text: string;
  raw: string;
}

function decodeWords(s: string): string {
  return s.replace(/=\?utf-8\?([bq])\?([^?]*)\?=\s*/gi, (_, enc: string, data: string) =>
    enc.toLowerCase() === 'b'
      ? Buffer.from(data, 'base64').toString('utf8')
      : Buffer.from(
          data
            .replace(/_/g, ' ')
            .replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
          'latin1',
        ).toString('utf8'),
  );
}

/** A minimal RFC 5322 reader for the single-part text/plain mails nodemailer writes. */
export function parseMail(raw: string): Mail {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim());
  }
  const cte = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  let text: string;
  if (cte === 'base64') text = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  else if (cte === 'quoted-printable')
    text = Buffer.from(
      body
        .replace(/=\r\n/g, '')
        .replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
      'latin1',
    ).toString('utf8');
  else text = body;
  return {
    messageId: headers.get('message-id') ?? '',
    key: headers.get('x-diemcau-idempotency-key') ?? '',
    subject: decodeWords(headers.get('subject') ?? ''),
    to: headers.get('to') ?? '',
    text: text.replace(/\r\n/g, '\n'),
    raw,
  };
}

export interface SmtpSink {
  port: number;
  mails: Mail[];
  /** return true to keep the client waiting after DATA (no reply): simulates a hang mid-send */
  hold: (mail: Mail) => boolean;
  /** false: every message is refused with 451 (try again later) and not kept — a relay that is down */
  accepting: boolean;
  close(): Promise<void>;
}

/** `host`: the loopback address it listens on (a suite's own 127.N.x.x), default 127.0.0.1 */
export async function startSmtp(port = 0, host = '127.0.0.1'): Promise<SmtpSink> {
  const sink: SmtpSink = { port: 0, mails: [], hold: () => false, accepting: true, close: async () => {} };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    // a reverse DNS lookup of 127.0.0.1 per connection would time the resolver, not diemcau
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (!sink.accepting)
          return callback(Object.assign(new Error('try again later'), { responseCode: 451 }));
        const mail = parseMail(Buffer.concat(chunks).toString('latin1'));
        // the raw text is bytes; re-read it as UTF-8 for 8bit parts
        sink.mails.push(mail);
        if (sink.hold(mail)) return;
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  sink.port = (server.server.address() as AddressInfo).port;
  sink.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return sink;
}

export interface HttpRequestRecord {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  json: Record<string, unknown>;
}

export interface HttpSink {
  url: string;
  requests: HttpRequestRecord[];
  /** status to answer with (default: 200 with the service's success body) */
  status: number;
  close(): Promise<void>;
}

export async function startHttp(): Promise<HttpSink> {
  const sink: HttpSink = { url: '', requests: [], status: 200, close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(body);
      } catch {}
      const path = req.url ?? '';
      if (sink.status !== 200) {
        res.writeHead(sink.status).end('unavailable');
        return;
      }
      sink.requests.push({ path, headers: req.headers, body, json });
      res.setHeader('content-type', 'application/json');
      if (path.includes('/sendMessage'))
        res.end(JSON.stringify({ ok: true, result: { message_id: sink.requests.length } }));
      else if (path.includes('/oa/message'))
        res.end(JSON.stringify({ error: 0, message: 'Success', data: { message_id: 'm1' } }));
      else res.end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  sink.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sink.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return sink;
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function until(cond: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
