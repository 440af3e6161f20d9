// BER edge cases that an SNMP manager would trip over: sign bits, 32-bit wrap, big OID arcs.
import { describe, expect, it } from 'vitest';
import { compareOid, encInt, encOid, encU64, encValue, Reader, Tag, tlv } from './ber.ts';

const hex = (b: Buffer) => b.toString('hex');

describe('BER', () => {
  it('encodes INTEGER in minimal two’s complement and reads it back', () => {
    expect(hex(encInt(0))).toBe('020100');
    expect(hex(encInt(127))).toBe('02017f');
    expect(hex(encInt(128))).toBe('02020080');
    expect(hex(encInt(-1))).toBe('0201ff');
    expect(hex(encInt(-128))).toBe('020180');
    expect(hex(encInt(-129))).toBe('0202ff7f');
    for (const v of [0, 1, -1, 127, 128, -128, -129, 65535, -65536, 2147483647, -2147483648]) {
      expect(new Reader(encInt(v)).int()).toBe(v);
    }
  });

  it('encodes unsigned application types with a leading zero when the top bit is set, wrapping at 2^32', () => {
    expect(hex(encInt(4294967295, Tag.Counter32))).toBe('410500ffffffff');
    expect(hex(encInt(4294967296 + 5, Tag.Counter32))).toBe('410105');
    expect(hex(encInt(200, Tag.Gauge32))).toBe('420200c8');
    expect(hex(encU64(2n ** 64n - 1n))).toBe('460900ffffffffffffffff');
    expect(hex(encU64(0n))).toBe('460100');
  });

  it('encodes OIDs with multi-byte arcs and orders them like GETNEXT', () => {
    expect(hex(encOid('1.3.6.1.4.1.32473.1.1.1'))).toBe('060b2b0601040181fd59010101');
    const r = new Reader(encOid('1.3.6.1.4.1.13885.101.1.4.1.1.58.4294967295'));
    expect(r.oid().join('.')).toBe('1.3.6.1.4.1.13885.101.1.4.1.1.58.4294967295');
    expect(compareOid([1, 3, 6, 1, 2], [1, 3, 6, 1, 10])).toBeLessThan(0);
    expect(compareOid([1, 3, 6], [1, 3, 6, 0])).toBeLessThan(0);
  });

  it('uses long-form lengths beyond 127 bytes and rejects lengths past the data', () => {
    const long = tlv(Tag.Sequence, Buffer.alloc(300));
    expect(hex(long.subarray(0, 4))).toBe('3082012c');
    expect(new Reader(long).sub(Tag.Sequence).end).toBe(304);
    expect(() => new Reader(long.subarray(0, 100)).sub(Tag.Sequence)).toThrow(/length beyond data/);
    expect(hex(encValue({ t: Tag.EndOfMibView }))).toBe('8200');
    expect(hex(encValue({ t: Tag.IpAddress, v: '10.6.0.10' }))).toBe('40040a06000a');
  });
});
