// SNMP sessions (one per device, reused across polls) and value decoding for net-snmp varbinds.
import snmp, { type Session, type User, type Varbind } from 'net-snmp';
import type { ResolvedCredential } from '../inventory/load.ts';

export const T = {
  Integer: 2,
  OctetString: 4,
  Null: 5,
  OID: 6,
  IpAddress: 64,
  Counter: 65,
  Gauge: 66,
  TimeTicks: 67,
  Opaque: 68,
  Counter64: 70,
  NoSuchObject: 128,
  NoSuchInstance: 129,
  EndOfMibView: 130,
} as const;

export type ErrorKind = 'timeout' | 'auth' | 'snmp_error' | 'bad_response' | 'wrong_type' | 'internal';

/** An SNMP failure sorted by kind for the self-metrics and the device status. */
export class SnmpError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export function classify(err: unknown): SnmpError {
  if (err instanceof SnmpError) return err;
  const e = err as { name?: string; message?: string };
  const msg = e?.message ?? String(err);
  if (e?.name === 'RequestTimedOutError') return new SnmpError('timeout', 'no answer (timeout)');
  if (e?.name === 'RequestFailedError') return new SnmpError('snmp_error', `agent error: ${msg}`);
  if (/Wrong Digest|Unknown User|Decryption|Unsupported Security|authentication/i.test(msg))
    return new SnmpError('auth', `SNMPv3: ${msg}`);
  if (e?.name === 'ResponseInvalidError') return new SnmpError('bad_response', msg);
  return new SnmpError('internal', msg);
}

export interface SessionOptions {
  timeoutMs: number;
  retries: number;
}

const AUTH: Record<string, number> = {
  md5: snmp.AuthProtocols.md5!,
  sha: snmp.AuthProtocols.sha!,
  sha256: snmp.AuthProtocols.sha256!,
  sha512: snmp.AuthProtocols.sha512!,
};
const PRIV: Record<string, number> = {
  des: snmp.PrivProtocols.des!,
  aes: snmp.PrivProtocols.aes!,
  aes256b: snmp.PrivProtocols.aes256b!,
  aes256r: snmp.PrivProtocols.aes256r!,
};

/** The SNMPv3 user of a credential, for a session or a trap receiver's authorizer. */
export function v3User(cred: ResolvedCredential): User {
  return {
    name: cred.user ?? '',
    level: cred.priv
      ? snmp.SecurityLevel.authPriv
      : cred.auth
        ? snmp.SecurityLevel.authNoPriv
        : snmp.SecurityLevel.noAuthNoPriv,
    ...(cred.auth && {
      authProtocol: AUTH[cred.auth.protocol] ?? snmp.AuthProtocols.sha!,
      authKey: cred.auth.key,
    }),
    ...(cred.priv && {
      privProtocol: PRIV[cred.priv.protocol] ?? snmp.PrivProtocols.aes!,
      privKey: cred.priv.key,
    }),
  };
}

/** A promise-shaped session to one agent. */
export class SnmpClient {
  /** open while a poll uses it (SNMPv2c) or for the client's life (SNMPv3: its engine discovery) */
  private session: Session | null = null;
  /** set when the socket reports an error (for example an undecodable datagram) */
  lastSocketError: string | null = null;

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly cred: ResolvedCredential,
    private readonly opts: SessionOptions,
  ) {}

  private use(): Session {
    this.session ??= this.open();
    return this.session;
  }

  /** Opens the socket now, so that the time of a request is taken after its socket exists. */
  prepare(): void {
    this.use();
  }

  private open(): Session {
    const base = {
      port: this.port,
      timeout: this.opts.timeoutMs,
      retries: this.opts.retries,
      transport: this.host.includes(':') ? ('udp6' as const) : ('udp4' as const),
      backwardsGetNexts: false,
    };
    let s: Session;
    if (this.cred.version === '3') {
      s = snmp.createV3Session(this.host, v3User(this.cred), base);
    } else {
      s = snmp.createSession(this.host, this.cred.community ?? 'public', {
        ...base,
        version: snmp.Version2c,
      });
    }
    // net-snmp emits 'error' for datagrams it cannot decode; without a listener that would
    // throw out of the socket handler and take the process down.
    s.on('error', (err: unknown) => {
      this.lastSocketError = err instanceof Error ? err.message : String(err);
    });
    return s;
  }

  /** A fresh socket at the next request (after an agent restart, SNMPv3 engine boots change). */
  reset(retries?: number): void {
    this.close();
    if (retries !== undefined) this.opts.retries = retries;
  }

  /**
   * Between polls an SNMPv2c client holds no socket: a session is a UDP socket and ~1.4 KB of heap,
   * 10,000 of them for nothing between polls. SNMPv3 keeps its session (its engine ID, boots and time
   * would otherwise be discovered again at every poll).
   */
  idle(): void {
    if (this.cred.version !== '3') this.close();
  }

  setRetries(retries: number): void {
    if (this.opts.retries === retries) return;
    this.reset(retries);
  }

  get(oids: string[]): Promise<Varbind[]> {
    return new Promise((resolve, reject) => {
      try {
        this.use().get(oids, (err, vbs) => (err ? reject(classify(err)) : resolve(vbs)));
      } catch (err) {
        reject(classify(err));
      }
    });
  }

  getBulk(oids: string[], nonRepeaters: number, maxRepetitions: number): Promise<(Varbind | Varbind[])[]> {
    return new Promise((resolve, reject) => {
      try {
        this.use().getBulk(oids, nonRepeaters, maxRepetitions, (err, vbs) =>
          err ? reject(classify(err)) : resolve(vbs),
        );
      } catch (err) {
        reject(classify(err));
      }
    });
  }

  close(): void {
    const s = this.session;
    this.session = null;
    try {
      s?.close();
    } catch {
      // already closed
    }
  }
}

export function isException(vb: Varbind | undefined): boolean {
  return !vb || vb.type === T.NoSuchObject || vb.type === T.NoSuchInstance || vb.type === T.EndOfMibView;
}

/** Counter64 arrives as a big-endian Buffer of variable length. */
export function bufferToBigInt(b: Uint8Array): bigint {
  let v = 0n;
  for (const byte of b) v = (v << 8n) | BigInt(byte);
  return v;
}

/** Integer value of a counter-like varbind, exact (bigint); null when the type does not fit. */
export function toBigInt(vb: Varbind): bigint | null {
  switch (vb.type) {
    case T.Counter64:
      if (Buffer.isBuffer(vb.value)) return bufferToBigInt(vb.value);
      if (typeof vb.value === 'number' || typeof vb.value === 'bigint') return BigInt(vb.value);
      return null;
    case T.Counter:
    case T.Gauge:
    case T.TimeTicks:
    case T.Integer:
      return typeof vb.value === 'number' && Number.isFinite(vb.value) ? BigInt(Math.trunc(vb.value)) : null;
    default:
      return null;
  }
}

const NUMERIC_TEXT = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*%?\s*$/;

/**
 * Number of any numeric varbind; numeric strings (Polycom HDX reports its statistics as
 * DisplayString) are parsed. null when the value is not a number.
 */
export function toNumber(vb: Varbind): number | null {
  switch (vb.type) {
    case T.Integer:
    case T.Counter:
    case T.Gauge:
    case T.TimeTicks:
      return typeof vb.value === 'number' && Number.isFinite(vb.value) ? vb.value : null;
    case T.Counter64: {
      const b = toBigInt(vb);
      return b === null ? null : Number(b);
    }
    case T.OctetString:
    case T.Opaque: {
      const text = Buffer.isBuffer(vb.value) ? vb.value.toString('latin1') : String(vb.value ?? '');
      return NUMERIC_TEXT.test(text) ? Number.parseFloat(text.replace('%', '')) : null;
    }
    default:
      return null;
  }
}

export function toText(vb: Varbind): string {
  if (Buffer.isBuffer(vb.value)) return vb.value.toString('utf8');
  return String(vb.value ?? '');
}

export function typeName(type: number): string {
  for (const [k, v] of Object.entries(T)) if (v === type) return k;
  return `type ${type}`;
}

/** True when `oid` lies strictly under `prefix` (dotted strings, no leading dot). */
export function under(oid: string, prefix: string): boolean {
  return oid.length > prefix.length && oid.startsWith(prefix) && oid.charCodeAt(prefix.length) === 46;
}
