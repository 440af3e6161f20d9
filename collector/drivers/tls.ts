// The connection agent of a management-API client: keep-alive, and for HTTPS either the operator's CA
// (or the system's) or a pinned certificate — the SHA-256 fingerprint of the device's own certificate,
// as `openssl x509 -noout -fingerprint -sha256` prints it. Codecs and MCUs often serve a self-signed
// certificate; pinning trusts exactly that one, never "any". With a pin the socket is handed to the
// request only after the fingerprint matched, so no byte of the request (its credentials) reaches a
// server that is not the pinned one.
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { normalizePin } from '../../inventory/schema.ts';

export interface TlsTrust {
  /** PEM of the CA that signs the server's certificate (default: the system's CAs) */
  ca?: string | Buffer;
  /** the server certificate's SHA-256 fingerprint, "AB:CD:…" (64 hex digits, colons optional) */
  pinSha256?: string;
}

/** The error a pinned connection fails with when the server shows another certificate. */
export class PinMismatch extends Error {
  override name = 'PinMismatch';
  readonly code = 'ERR_TLS_PIN_MISMATCH';
  constructor(readonly seen: string) {
    super(`certificate SHA-256 ${seen} is not the pinned one`);
  }
}

/** A keep-alive agent for `url`, trusting what `trust` says (https) or plain (http, loopback tests). */
export function apiAgent(url: URL, trust: TlsTrust, maxSockets = 8): http.Agent {
  if (url.protocol !== 'https:') return new http.Agent({ keepAlive: true, maxSockets });
  if (!trust.pinSha256)
    return new https.Agent({ keepAlive: true, maxSockets, ...(trust.ca && { ca: trust.ca }) });
  const pin = normalizePin(trust.pinSha256);
  if (!pin) throw new Error(`pin_sha256 is not 64 hexadecimal digits: ${trust.pinSha256}`);
  const agent = new https.Agent({ keepAlive: true, maxSockets });
  // the callback form: the agent gives the socket to a request only once `done` is called
  agent.createConnection = (
    options: tls.ConnectionOptions,
    done?: (err: Error | null, s: Duplex) => void,
  ) => {
    const socket = tls.connect({
      ...options,
      // the chain is checked against the CA when one is given; without one the pin is the whole trust
      ...(trust.ca ? { ca: trust.ca, checkServerIdentity: () => undefined } : { rejectUnauthorized: false }),
    });
    const onError = (err: Error) => done?.(err, socket);
    socket.once('error', onError);
    socket.once('secureConnect', () => {
      socket.off('error', onError);
      const seen = socket.getPeerCertificate().fingerprint256 ?? '';
      if (seen === pin) return done?.(null, socket);
      const err = new PinMismatch(seen);
      socket.destroy();
      done?.(err, socket);
    });
    return undefined as unknown as Duplex;
  };
  return agent;
}
