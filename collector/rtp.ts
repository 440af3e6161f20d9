// RTP/UDP jitter probe (RFC 3550 headers) and the reflector that echoes it at a site.
// The probe sends a short G.711-like stream (default 50 packets every 20 ms, 160-byte payload),
// the reflector sends each packet back unchanged, and the probe measures on the returning stream:
// round-trip time, RFC 3550 interarrival jitter (A.8), loss, reordering, duplicates, and an
// E-model MOS estimate (device-oids.md §8.4).
//
// Jitter is computed from the time each packet was actually sent (carried in its payload), not from
// its nominal place in the schedule: a busy event loop sends late, and that lateness is the probe's,
// not the path's. How late the probe sent is reported apart (`sendLagMs`).
// Datagrams that come back but are not this probe's packets (garbage, truncated, another protocol
// answering on the port) are counted as `invalid`: a far end that answers only those is not a
// reflector (`misconfigured`), which is not the same as a dead link.
import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';

const MAGIC = 0x44435052; // "DCPR"
const HEADER = 12;
const CLOCK_HZ = 8000;

export interface RtpProbeOptions {
  packets: number;
  intervalMs: number;
  /** wait for late answers after the last packet was sent */
  timeoutMs?: number;
  payloadBytes?: number;
}

export interface RtpResult {
  sent: number;
  received: number;
  lossPct: number;
  duplicates: number;
  reordered: number;
  /** mean round-trip time of the packets that came back (ms); null when none did */
  rttMs: number | null;
  rttMinMs: number | null;
  rttMaxMs: number | null;
  /** RFC 3550 interarrival jitter of the returning stream, in ms (transit from the real send times) */
  jitterMs: number | null;
  mos: number | null;
  /** datagrams answered that are not a reply to this probe (short, wrong magic, SSRC or sequence) */
  invalid: number;
  /** the far end answered, but not with this probe's packets: not a reflector (or not ours) */
  misconfigured: boolean;
  /** how late each packet left against its schedule (ms): the probe host's own timer wobble */
  sendLagMs: number[];
  /** packets read right after the probe host stood still: left out of the jitter estimate */
  hostStalled: number;
  /** sequence numbers (0-based) of the packets the jitter estimate used, in arrival order */
  jitterSeqs: number[];
}

/**
 * MOS by the simplified E-model (PingPlotter/NetBeez, device-oids.md §8.4).
 * `latencyMs` is the one-way delay: the probe passes half the measured round trip.
 */
export function mosFrom(latencyMs: number, jitterMs: number, lossPct: number): number {
  const eff = latencyMs + 2 * jitterMs + 10;
  let r = eff < 160 ? 93.2 - eff / 40 : 93.2 - (eff - 120) / 10;
  r -= 2.5 * lossPct;
  r = Math.max(0, Math.min(100, r));
  const mos = 1 + 0.035 * r + 0.000007 * r * (r - 60) * (100 - r);
  return Math.round(Math.max(1, Math.min(4.5, mos)) * 100) / 100;
}

/**
 * RFC 3550 A.8 interarrival jitter over packets in arrival order. `arrival` and `sent` are in the same
 * unit (the probe passes RTP clock units; RFC 3550 uses the sender's timestamp, here the real send time).
 */
export class JitterEstimator {
  private prevTransit: number | null = null;
  j = 0;
  add(arrival: number, sent: number): void {
    const transit = arrival - sent;
    if (this.prevTransit !== null) {
      const d = Math.abs(transit - this.prevTransit);
      this.j += (d - this.j) / 16;
    }
    this.prevTransit = transit;
  }
}

/**
 * Watches this thread's event loop while probes run: a tick every millisecond. A packet read right
 * after the loop (or the whole process) stood still was timestamped late by the host, not by the
 * path: it is left out of the jitter estimate (still counted for loss and RTT).
 */
const STALL_MS = 3;
const loopWatch = {
  users: 0,
  timer: null as NodeJS.Timeout | null,
  lastTick: 0,
  lastGap: 0,
  acquire(): void {
    if (this.users++ > 0) return;
    this.lastTick = performance.now();
    this.lastGap = 0;
    this.timer = setInterval(() => {
      const now = performance.now();
      this.lastGap = now - this.lastTick;
      this.lastTick = now;
    }, 1);
  },
  release(): void {
    if (--this.users > 0 || !this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
  },
  /** the host could not read packets on time just before `now` */
  stalled(now: number): boolean {
    const sinceTick = now - this.lastTick;
    return sinceTick > STALL_MS || (this.lastGap > STALL_MS && sinceTick < 1);
  },
};

export function rtpProbe(host: string, port: number, opts: RtpProbeOptions): Promise<RtpResult> {
  const packets = opts.packets;
  const payload = Math.max(16, opts.payloadBytes ?? 160);
  const ssrc = randomInt(1, 2 ** 32 - 1);
  const tsBase = randomInt(0, 2 ** 31);
  const seqBase = randomInt(0, 2 ** 15);
  const samplesPerPacket = Math.round((opts.intervalMs * CLOCK_HZ) / 1000);
  const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const seen = new Set<number>();
  const rtts: number[] = [];
  const sendLagMs: number[] = [];
  let invalid = 0;
  let hostStalled = 0;
  const jitterSeqs: number[] = [];
  let duplicates = 0;
  let reordered = 0;
  let highest = -1;
  const jitter = new JitterEstimator();
  const t0 = performance.now();

  loopWatch.acquire();
  return new Promise<RtpResult>((resolve, reject) => {
    let timer: NodeJS.Timeout | null = null;
    let finishTimer: NodeJS.Timeout | null = null;
    let sent = 0;
    let startedAt = 0;
    let closed = false;
    const finish = () => {
      if (closed) return;
      closed = true;
      loopWatch.release();
      if (timer) clearTimeout(timer);
      if (finishTimer) clearTimeout(finishTimer);
      sock.close();
      const received = seen.size;
      // answers that are all (or mostly) not ours: the far end is something else than a reflector
      const misconfigured = invalid > 0 && invalid >= received;
      const lossPct = sent > 0 ? ((sent - received) / sent) * 100 : 100;
      const rttMs = rtts.length > 0 ? rtts.reduce((a, b) => a + b, 0) / rtts.length : null;
      const jitterMs = jitterSeqs.length > 1 ? (jitter.j * 1000) / CLOCK_HZ : null;
      resolve({
        sent,
        received,
        lossPct: Math.round(lossPct * 100) / 100,
        duplicates,
        reordered,
        rttMs: rttMs === null ? null : Math.round(rttMs * 1000) / 1000,
        rttMinMs: rtts.length > 0 ? Math.min(...rtts) : null,
        rttMaxMs: rtts.length > 0 ? Math.max(...rtts) : null,
        jitterMs: jitterMs === null ? null : Math.round(jitterMs * 1000) / 1000,
        mos: rttMs === null ? null : mosFrom(rttMs / 2, jitterMs ?? 0, lossPct),
        invalid,
        misconfigured,
        sendLagMs,
        hostStalled,
        jitterSeqs,
      });
    };
    sock.on('error', (err: NodeJS.ErrnoException) => {
      // nothing listening at the far end: ICMP port unreachable comes back as ECONNREFUSED
      // on a connected socket; that is loss, not a failure of the probe
      if (closed || err.code === 'ECONNREFUSED') return;
      closed = true;
      loopWatch.release();
      if (timer) clearTimeout(timer);
      if (finishTimer) clearTimeout(finishTimer);
      try {
        sock.close();
      } catch {
        // already closed
      }
      reject(err);
    });
    sock.on('message', (msg) => {
      const now = performance.now();
      if (
        msg.length < HEADER + 12 ||
        msg[0]! >> 6 !== 2 ||
        msg.readUInt32BE(8) !== ssrc ||
        msg.readUInt32BE(HEADER) !== MAGIC
      ) {
        invalid++;
        return;
      }
      const seq = (msg.readUInt16BE(2) - seqBase + 65536) % 65536;
      const sentAt = msg.readDoubleBE(HEADER + 4);
      // a sequence never sent, or a send time that is not one of ours: not a reply to this probe
      if (seq >= sent || !(sentAt >= t0 && sentAt <= now)) {
        invalid++;
        return;
      }
      if (seen.has(seq)) {
        duplicates++;
        return;
      }
      seen.add(seq);
      if (seq < highest) reordered++;
      else highest = seq;
      rtts.push(now - sentAt);
      // RFC 3550 transit difference from the real send time (ms → RTP clock units)
      if (loopWatch.stalled(now)) hostStalled++;
      else {
        jitter.add(((now - t0) * CLOCK_HZ) / 1000, ((sentAt - t0) * CLOCK_HZ) / 1000);
        jitterSeqs.push(seq);
      }
      if (seen.size === packets && sent === packets) finish();
    });
    sock.connect(port, host, () => {
      const send = () => {
        if (closed) return;
        if (sent >= packets) {
          if (timer) clearTimeout(timer);
          timer = null;
          finishTimer = setTimeout(finish, opts.timeoutMs ?? 1000);
          return;
        }
        const buf = Buffer.alloc(HEADER + payload, 0xd5); // 0xD5 = PCMU silence
        buf[0] = 0x80; // V=2, no padding, no extension, no CSRC
        buf[1] = sent === 0 ? 0x80 : 0x00; // marker on the first packet, PT 0 (PCMU)
        buf.writeUInt16BE((seqBase + sent) % 65536, 2);
        // the RTP timestamp follows the nominal sampling clock, not the send time
        buf.writeUInt32BE((tsBase + sent * samplesPerPacket) % 2 ** 32, 4);
        buf.writeUInt32BE(ssrc, 8);
        buf.writeUInt32BE(MAGIC, HEADER);
        const at = performance.now();
        if (sent === 0) startedAt = at;
        sendLagMs.push(Math.max(0, at - (startedAt + sent * opts.intervalMs)));
        buf.writeDoubleBE(at, HEADER + 4);
        sent++;
        sock.send(buf, (err) => {
          if (err && !closed) sock.emit('error', err);
        });
        // the next packet is due at its place in the schedule: a late send does not push the rest
        timer = setTimeout(send, Math.max(0, startedAt + sent * opts.intervalMs - performance.now()));
      };
      send();
    });
  });
}

export interface Reflector {
  address: { host: string; port: number };
  packets(): number;
  close(): Promise<void>;
}

/** Echoes every UDP datagram back to its sender unchanged. */
export function startReflector(host: string, port: number): Promise<Reflector> {
  const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  let count = 0;
  sock.on('message', (msg, rinfo) => {
    count++;
    sock.send(msg, rinfo.port, rinfo.address);
  });
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(port, host, () => {
      sock.off('error', reject);
      sock.on('error', () => {
        // a send to a vanished client: nothing to do
      });
      const a = sock.address();
      resolve({
        address: { host: a.address, port: a.port },
        packets: () => count,
        close: () => new Promise((r) => sock.close(() => r())),
      });
    });
  });
}
