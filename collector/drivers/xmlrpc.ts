// XML-RPC over HTTP(S) for the Cisco TelePresence drivers, through the `xmlrpc` package: the API's
// authenticationUser/authenticationPassword in every request struct, keep-alive connections, a
// deadline per call, the operator's CA for TLS (never "accept any"); a fault, an HTTP error status, a
// reply that is not XML-RPC and no reply at all become a DriverError with the reason.
import type http from 'node:http';
import xmlrpc from 'xmlrpc';
import { connectProblem, DriverError } from './http.ts';
import { apiAgent } from './tls.ts';

/** The path the Cisco TelePresence Server and MCU take XML-RPC requests on. */
export const RPC_PATH = '/RPC2';

export interface XmlRpcClientOptions {
  /** base URL without a path, e.g. https://tps.example */
  url: string;
  user: string;
  password: string;
  timeoutMs: number;
  /** PEM of the CA that signs the server's certificate (default: the system's CAs) */
  ca?: string | Buffer;
  /** the server certificate's pinned SHA-256 fingerprint (collector/drivers/tls.ts) */
  pinSha256?: string;
}

/** An XML-RPC fault answered by the device (faultCode as documented, docs/mcu-drivers.md). */
export class XmlRpcFault extends DriverError {
  constructor(
    readonly faultCode: number,
    readonly faultString: string,
    message: string,
  ) {
    super('bad_response', message);
  }
}

/** Fault codes whose meaning is "these credentials may not do this": the account, not the device. */
const CREDENTIAL_FAULTS = new Set([14, 15]);

export class XmlRpcClient {
  private readonly base: URL;
  private agent!: http.Agent;
  private client!: xmlrpc.Client;
  requests = 0;

  constructor(private readonly o: XmlRpcClientOptions) {
    this.base = new URL(o.url);
    this.renew();
  }

  /** A fresh connection pool: after a call timed out its socket may still be waiting for the reply. */
  private renew(): void {
    this.agent?.destroy();
    const secure = this.base.protocol === 'https:';
    this.agent = apiAgent(this.base, {
      ...(this.o.ca && { ca: this.o.ca }),
      ...(this.o.pinSha256 && { pinSha256: this.o.pinSha256 }),
    });
    // the package passes its options on to http(s).request: agent and ca reach the connection
    const options = {
      host: this.base.hostname.replace(/^\[|\]$/g, ''),
      port: Number(this.base.port) || (secure ? 443 : 80),
      path: RPC_PATH,
      agent: this.agent,
      ...(secure && this.o.ca && !this.o.pinSha256 && { ca: this.o.ca }),
    } as Parameters<typeof xmlrpc.createClient>[0];
    this.client = secure ? xmlrpc.createSecureClient(options) : xmlrpc.createClient(options);
  }

  /** Calls `method` with one struct: the authentication members and `params`. */
  call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    this.requests++;
    const client = this.client;
    const struct = {
      authenticationUser: this.o.user,
      authenticationPassword: this.o.password,
      ...params,
    };
    return new Promise((resolve, reject) => {
      let done = false;
      const timer = setTimeout(() => {
        done = true;
        if (this.client === client) this.renew();
        reject(
          new DriverError(
            'unreachable',
            `không trả lời trong ${this.o.timeoutMs / 1000} giây / no reply within ${this.o.timeoutMs} ms: ${method}`,
          ),
        );
      }, this.o.timeoutMs);
      client.methodCall(method, [struct], (err, value) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (err) reject(this.explain(err as CallError, method));
        else resolve(value);
      });
    });
  }

  private explain(err: CallError, method: string): DriverError {
    if (typeof err.faultCode === 'number') {
      const text = String(err.faultString ?? '');
      return new XmlRpcFault(
        err.faultCode,
        text,
        CREDENTIAL_FAULTS.has(err.faultCode)
          ? `XML-RPC fault ${err.faultCode} "${text}": bị từ chối, kiểm tra tài khoản / refused, check the credentials (mcu.credentials): ${method}`
          : `XML-RPC fault ${err.faultCode} "${text}": ${method}`,
      );
    }
    const status = err.res?.statusCode;
    if (status !== undefined && (status < 200 || status >= 300)) {
      const refused = status === 401 || status === 403;
      return new DriverError(
        'bad_response',
        refused
          ? `HTTP ${status}: bị từ chối, kiểm tra tài khoản / refused, check the credentials (mcu.credentials): ${method}`
          : `HTTP ${status}: ${method}`,
        status,
      );
    }
    if (err.message === 'Not Found')
      return new DriverError(
        'bad_response',
        `HTTP 404: không có ${RPC_PATH} / no ${RPC_PATH}: ${method}`,
        404,
      );
    if (err.code && !err.res) return new DriverError('unreachable', connectProblem(err, this.base, {}));
    const body = typeof err.body === 'string' ? err.body : '';
    return new DriverError(
      'bad_response',
      `trả lời không phải XML-RPC / reply is not XML-RPC (${err.message.split('\n')[0]}; ${body.length} bytes, starts "${body.slice(0, 40)}"): ${method}`,
    );
  }

  close(): void {
    this.agent.destroy();
  }
}

interface CallError extends Error {
  code?: string;
  faultCode?: unknown;
  faultString?: unknown;
  res?: http.IncomingMessage;
  body?: unknown;
}
