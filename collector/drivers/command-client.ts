// POST of a JSON command for the Pexip management command API (readiness test calls,
// collector/drivers/test-calls.ts): basic authentication, keep-alive, the operator's CA for TLS (never
// "accept any"), a deadline, a bounded reply. Failures are DriverErrors, worded as collector/drivers/http.ts
// words them (401/403 names the credentials, a timeout is "unreachable").
import http from 'node:http';
import https from 'node:https';
import { connectProblem, DriverError } from './http.ts';
import { apiAgent } from './tls.ts';

export interface CommandClientOptions {
  url: string;
  user: string;
  password: string;
  timeoutMs: number;
  ca?: string | Buffer;
  /** the server certificate's pinned SHA-256 fingerprint (collector/drivers/tls.ts) */
  pinSha256?: string;
  /** largest reply accepted (default 1 MiB: a command's reply is a few hundred bytes) */
  maxBytes?: number;
}

export class CommandClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly auth: string;
  requests = 0;

  constructor(private readonly o: CommandClientOptions) {
    this.base = new URL(o.url);
    this.auth = `Basic ${Buffer.from(`${o.user}:${o.password}`).toString('base64')}`;
    this.agent = apiAgent(this.base, {
      ...(o.ca && { ca: o.ca }),
      ...(o.pinSha256 && { pinSha256: o.pinSha256 }),
    });
  }

  /** POSTs `body` as JSON to `path` and parses the JSON reply. */
  post(path: string, body: unknown): Promise<unknown> {
    const url = new URL(path, this.base);
    if (url.origin !== this.base.origin)
      return Promise.reject(
        new DriverError('bad_response', `liên kết tới máy chủ khác / link leaves the server: ${url.origin}`),
      );
    const mod = url.protocol === 'https:' ? https : http;
    const data = Buffer.from(JSON.stringify(body));
    const where = `POST ${url.pathname}`;
    this.requests++;
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = (err: DriverError | null, value?: unknown) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (err) {
          reject(err);
          req.destroy();
        } else resolve(value);
      };
      const timer = setTimeout(
        () =>
          finish(
            new DriverError(
              'unreachable',
              `không trả lời trong ${this.o.timeoutMs / 1000} giây / no reply within ${this.o.timeoutMs} ms: ${where}`,
            ),
          ),
        this.o.timeoutMs,
      );
      const req = mod.request(
        url,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            authorization: this.auth,
            accept: 'application/json',
            'content-type': 'application/json',
            'content-length': data.length,
          },
        },
        (res) => {
          const status = res.statusCode ?? 0;
          const chunks: Buffer[] = [];
          let size = 0;
          const max = this.o.maxBytes ?? 1024 * 1024;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > max)
              finish(new DriverError('bad_response', `trả lời quá lớn / reply over ${max} bytes: ${where}`));
            else chunks.push(c);
          });
          res.on('error', (err) => finish(new DriverError('unreachable', `${err.message}: ${where}`)));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (status === 401 || status === 403)
              return finish(
                new DriverError(
                  'bad_response',
                  `HTTP ${status}: bị từ chối, kiểm tra tài khoản / refused, check the credentials (mcu.credentials): ${where}`,
                  status,
                ),
              );
            if (status < 200 || status >= 300)
              return finish(
                new DriverError(
                  'bad_response',
                  `HTTP ${status} ${res.statusMessage ?? ''}: ${where}${text ? ` (${text.slice(0, 120)})` : ''}`,
                  status,
                ),
              );
            try {
              finish(null, JSON.parse(text));
            } catch {
              finish(
                new DriverError(
                  'bad_response',
                  `trả lời không phải JSON / reply is not JSON (${text.length} bytes, starts "${text.slice(0, 40)}"): ${where}`,
                ),
              );
            }
          });
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        finish(new DriverError('unreachable', connectProblem(err, url, {})));
      });
      req.end(data);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
