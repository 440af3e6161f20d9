// Minimal BER (X.690) codec for SNMP messages: just what an agent needs to read requests and
// write responses, reports and traps. Kept lean on purpose: one simulator process answers
// thousands of devices, so a request is decoded and a response encoded without intermediate objects.

export const Tag = {
  Integer: 0x02,
  OctetString: 0x04,
  Null: 0x05,
  Oid: 0x06,
  Sequence: 0x30,
  IpAddress: 0x40,
  Counter32: 0x41,
  Gauge32: 0x42,
  TimeTicks: 0x43,
  Opaque: 0x44,
  Counter64: 0x46,
  NoSuchObject: 0x80,
  NoSuchInstance: 0x81,
  EndOfMibView: 0x82,
  GetRequest: 0xa0,
  GetNextRequest: 0xa1,
  GetResponse: 0xa2,
  SetRequest: 0xa3,
  GetBulkRequest: 0xa5,
  InformRequest: 0xa6,
  TrapV2: 0xa7,
  Report: 0xa8,
} as const;

export class BerError extends Error {}

/** A value as served: an ASN.1 application type and its JS value. */
export type Value =
  | { t: 0x02 | 0x41 | 0x42 | 0x43; v: number }
  | { t: 0x04; v: string | Buffer }
  | { t: 0x06; v: string }
  | { t: 0x40; v: string }
  | { t: 0x46; v: bigint }
  | { t: 0x05 | 0x80 | 0x81 | 0x82 };

// ---------------------------------------------------------------- reading

export class Reader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  peek(): number {
    if (this.pos >= this.end) throw new BerError('unexpected end of data');
    return this.buf[this.pos]!;
  }

  /** Reads a tag and length; returns the tag and leaves pos at the content start. */
  header(): { tag: number; len: number; start: number } {
    if (this.pos + 2 > this.end) throw new BerError('truncated header');
    const tag = this.buf[this.pos++]!;
    let len = this.buf[this.pos++]!;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n === 0 || n > 4 || this.pos + n > this.end) throw new BerError('bad length');
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + this.buf[this.pos++]!;
    }
    if (this.pos + len > this.end) throw new BerError('length beyond data');
    return { tag, len, start: this.pos };
  }

  expect(tag: number): { len: number; start: number } {
    const h = this.header();
    if (h.tag !== tag) throw new BerError(`expected tag 0x${tag.toString(16)}, got 0x${h.tag.toString(16)}`);
    return h;
  }

  /** Enters a constructed value: returns a reader over its content and skips it here. */
  sub(tag: number): Reader {
    const h = this.expect(tag);
    this.pos = h.start + h.len;
    return new Reader(this.buf, h.start, h.start + h.len);
  }

  int(): number {
    const h = this.expect(Tag.Integer);
    return this.intContent(h.start, h.len);
  }

  private intContent(start: number, len: number): number {
    if (len === 0 || len > 6) throw new BerError('bad integer length');
    let v = 0;
    for (let i = 0; i < len; i++) v = v * 256 + this.buf[start + i]!;
    if (this.buf[start]! & 0x80) v -= 256 ** len;
    this.pos = start + len;
    return v;
  }

  /** Returns a view (not a copy) of an OCTET STRING's content. */
  octets(): Buffer {
    const h = this.expect(Tag.OctetString);
    this.pos = h.start + h.len;
    return this.buf.subarray(h.start, h.start + h.len);
  }

  oid(): number[] {
    const h = this.expect(Tag.Oid);
    const out: number[] = [];
    let v = 0;
    for (let i = h.start; i < h.start + h.len; i++) {
      const b = this.buf[i]!;
      v = v * 128 + (b & 0x7f);
      if (!(b & 0x80)) {
        if (out.length === 0) {
          const first = v < 40 ? 0 : v < 80 ? 1 : 2;
          out.push(first, v - first * 40);
        } else out.push(v);
        v = 0;
      }
    }
    this.pos = h.start + h.len;
    return out;
  }

  /** Skips any one TLV. */
  skip(): void {
    const h = this.header();
    this.pos = h.start + h.len;
  }
}

// ---------------------------------------------------------------- writing

function lenBytes(n: number): number[] {
  if (n < 0x80) return [n];
  if (n < 0x100) return [0x81, n];
  if (n < 0x10000) return [0x82, n >> 8, n & 0xff];
  return [0x83, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

/** A tag-length-value from already-encoded parts. */
export function tlv(tag: number, ...parts: Buffer[]): Buffer {
  let len = 0;
  for (const p of parts) len += p.length;
  const head = Buffer.from([tag, ...lenBytes(len)]);
  return Buffer.concat([head, ...parts], head.length + len);
}

export function encInt(v: number, tag: number = Tag.Integer): Buffer {
  const bytes: number[] = [];
  if (tag === Tag.Integer) {
    let x = Math.trunc(v);
    // two's complement, minimal
    do {
      bytes.unshift(x & 0xff);
      x = Math.floor(x / 256);
    } while (!((x === 0 && !(bytes[0]! & 0x80)) || (x === -1 && bytes[0]! & 0x80)));
  } else {
    let x = Math.max(0, Math.trunc(v)) % 4294967296;
    do {
      bytes.unshift(x & 0xff);
      x = Math.floor(x / 256);
    } while (x > 0);
    if (bytes[0]! & 0x80) bytes.unshift(0);
  }
  return Buffer.from([tag, bytes.length, ...bytes]);
}

export function encU64(v: bigint): Buffer {
  const bytes: number[] = [];
  let x = BigInt.asUintN(64, v);
  do {
    bytes.unshift(Number(x & 0xffn));
    x >>= 8n;
  } while (x > 0n);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return Buffer.from([Tag.Counter64, bytes.length, ...bytes]);
}

export function encOctets(v: string | Buffer, tag: number = Tag.OctetString): Buffer {
  return tlv(tag, typeof v === 'string' ? Buffer.from(v, 'utf8') : v);
}

export function parseOid(text: string): number[] {
  const parts = text.split('.').map(Number);
  if (parts.length < 2 || parts.some((p) => !Number.isInteger(p) || p < 0))
    throw new BerError(`bad OID "${text}"`);
  return parts;
}

export function encOid(oid: number[] | string): Buffer {
  const arcs = typeof oid === 'string' ? parseOid(oid) : oid;
  const bytes: number[] = [];
  const push = (n: number) => {
    const tmp = [n & 0x7f];
    n = Math.floor(n / 128);
    while (n > 0) {
      tmp.unshift((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    bytes.push(...tmp);
  };
  push(arcs[0]! * 40 + (arcs[1] ?? 0));
  for (let i = 2; i < arcs.length; i++) push(arcs[i]!);
  return Buffer.from([Tag.Oid, ...lenBytes(bytes.length), ...bytes]);
}

const NULLS: Record<number, Buffer> = {
  [Tag.Null]: Buffer.from([Tag.Null, 0]),
  [Tag.NoSuchObject]: Buffer.from([Tag.NoSuchObject, 0]),
  [Tag.NoSuchInstance]: Buffer.from([Tag.NoSuchInstance, 0]),
  [Tag.EndOfMibView]: Buffer.from([Tag.EndOfMibView, 0]),
};

export function encValue(val: Value): Buffer {
  switch (val.t) {
    case Tag.Integer:
    case Tag.Counter32:
    case Tag.Gauge32:
    case Tag.TimeTicks:
      return encInt(val.v, val.t);
    case Tag.OctetString:
      return encOctets(val.v);
    case Tag.Oid:
      return encOid(val.v);
    case Tag.IpAddress:
      return tlv(Tag.IpAddress, Buffer.from(val.v.split('.').map(Number)));
    case Tag.Counter64:
      return encU64(val.v);
    default:
      return NULLS[val.t]!;
  }
}

export function oidToString(oid: number[]): string {
  return oid.join('.');
}

/** Lexicographic OID order (SNMP GETNEXT order). */
export function compareOid(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
