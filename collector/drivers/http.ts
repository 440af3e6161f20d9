// JSON or XML over HTTP(S) for the management-API drivers: keep-alive connections, basic
// authentication, a deadline per request, the operator's CA for TLS (never "accept any"), a bounded body.
import http from 'node:http';
import https from 'node:https';
import { apiAgent, PinMismatch } from './tls.ts';

export interface JsonClientOptions {
  /** base URL, e.g. https://pexip-mgr.example */
  url: string;
  user: string;
  password: string;
  timeoutMs: number;
  /** PEM of the CA that signs the server's certificate (default: the system's CAs) */
  ca?: string | Buffer;
  /** largest body accepted (default 8 MiB) */
  maxBytes?: number;
  /** where the credentials are in the inventory, named when the device refuses them (default mcu.credentials) */
  credentialsField?: string;
  /** where the CA is in the inventory, named when the certificate is not trusted (default mcu.ca_file) */
  caField?: string;
  /** the server certificate's pinned SHA-256 fingerprint (collector/drivers/tls.ts) */
  pinSha256?: string;
  /** where the pin is in the inventory, named when the server shows another certificate */
  pinField?: string;
}

/** Why a request failed: the device did not answer (unreachable) or answered wrongly (bad_response). */
export class DriverError extends Error {
  override name = 'DriverError';
  constructor(
    readonly kind: 'unreachable' | 'bad_response',
    message: string,
    /** the HTTP status when the server answered with an error status */
    readonly status?: number,
  ) {
    super(message);
  }
}

export class JsonClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly auth: string;
  requests = 0;

  constructor(private readonly o: JsonClientOptions) {
    this.base = new URL(o.url);
    this.auth = `Basic ${Buffer.from(`${o.user}:${o.password}`).toString('base64')}`;
    this.agent = apiAgent(this.base, {
      ...(o.ca && { ca: o.ca }),
      ...(o.pinSha256 && { pinSha256: o.pinSha256 }),
    });
  }

  /** The URL of a path or of a `next` link, refused when it leaves the server. */
  resolve(pathOrUrl: string): URL {
    const u = new URL(pathOrUrl, this.base);
    if (u.origin !== this.base.origin)
      throw new DriverError(
        'bad_response',
        `liên kết tới máy chủ khác / link leaves the server: ${u.origin}`,
      );
    return u;
  }

  /** GET a JSON document. */
  async get(pathOrUrl: string): Promise<unknown> {
    const { text, path } = await this.fetchText(pathOrUrl, 'application/json');
    try {
      return JSON.parse(text);
    } catch {
      throw new DriverError(
        'bad_response',
        `trả lời không phải JSON / reply is not JSON (${text.length} bytes, starts "${text.slice(0, 40)}"): GET ${path}`,
      );
    }
  }

  /** GET a document as text (XML: the caller parses it). */
  async getText(pathOrUrl: string, accept = 'text/xml'): Promise<string> {
    return (await this.fetchText(pathOrUrl, accept)).text;
  }

  private fetchText(pathOrUrl: string, accept: string): Promise<{ text: string; path: string }> {
    const url = this.resolve(pathOrUrl);
    const mod = url.protocol === 'https:' ? https : http;
    this.requests++;
    return new Promise((resolve, reject) => {
      const fail = (kind: DriverError['kind'], message: string, status?: number) => {
        reject(new DriverError(kind, message, status));
        req.destroy();
      };
      const timer = setTimeout(
        () =>
          fail(
            'unreachable',
            `không trả lời trong ${this.o.timeoutMs / 1000} giây / no reply within ${this.o.timeoutMs} ms: GET ${url.pathname}`,
          ),
        this.o.timeoutMs,
      );
      const req = mod.get(
        url,
        { agent: this.agent, headers: { authorization: this.auth, accept } },
        (res) => {
          const status = res.statusCode ?? 0;
          if (status === 401 || status === 403) {
            res.resume();
            clearTimeout(timer);
            return fail(
              'bad_response',
              `HTTP ${status}: bị từ chối, kiểm tra tài khoản / refused, check the credentials (${this.o.credentialsField ?? 'mcu.credentials'}): GET ${url.pathname}`,
              status,
            );
          }
          if (status < 200 || status >= 300) {
            res.resume();
            clearTimeout(timer);
            return fail(
              'bad_response',
              `HTTP ${status} ${res.statusMessage ?? ''}: GET ${url.pathname}`.trim(),
              status,
            );
          }
          const chunks: Buffer[] = [];
          let size = 0;
          const max = this.o.maxBytes ?? 8 * 1024 * 1024;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > max) {
              clearTimeout(timer);
              fail('bad_response', `trả lời quá lớn / reply over ${max} bytes: GET ${url.pathname}`);
            } else chunks.push(c);
          });
          res.on('error', (err) => {
            clearTimeout(timer);
            fail('unreachable', `${err.message}: GET ${url.pathname}`);
          });
          res.on('end', () => {
            clearTimeout(timer);
            resolve({ text: Buffer.concat(chunks).toString('utf8'), path: url.pathname });
          });
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new DriverError('unreachable', connectProblem(err, url, this.o)));
      });
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Why a connection failed, in the words a technician acts on (the inventory field to check). */
export function connectProblem(
  err: NodeJS.ErrnoException,
  url: URL,
  o: { caField?: string; pinField?: string },
): string {
  if (err instanceof PinMismatch)
    return `chứng chỉ TLS khác chứng chỉ đã ghim (${o.pinField ?? 'mcu.pin_sha256'}) / TLS certificate is not the pinned one: SHA-256 ${err.seen}`;
  if (err.code?.startsWith('ERR_TLS') || /certificate|self.signed|UNABLE_TO_VERIFY/i.test(err.message))
    return `chứng chỉ TLS không được tin cậy (${o.caField ?? 'mcu.ca_file'}) / TLS certificate not trusted: ${err.message}`;
  return `không kết nối được / cannot connect: ${err.code ?? err.message}: ${url.origin}`;
}
