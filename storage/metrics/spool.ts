// On-disk spool for points the database could not take: append-only segment files of InfluxDB
// line protocol (one point per line), named by a growing sequence number, replayed oldest first.
// Each append is one write(2) followed by fdatasync, so what `flush()` reported as spooled
// survives a crash of the process. Bounded: past `maxBytes` the oldest segments are dropped,
// and the caller is told how many points were lost (it raises the alarm).
import {
  closeSync,
  fdatasyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

interface Segment {
  seq: number;
  path: string;
  bytes: number;
  lines: number;
}

export interface SpoolStats {
  points: number;
  bytes: number;
  segments: number;
}

const NAME = /^(\d{12})\.lp$/;

export class Spool {
  private readonly segments: Segment[] = [];
  private active: { seg: Segment; fd: number } | null = null;
  private nextSeq = 1;
  private points = 0;
  private bytes = 0;

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
    /** a segment is closed and a new one started past this size */
    readonly segmentBytes = Math.max(4096, Math.min(8 * 1024 * 1024, Math.floor(maxBytes / 8))),
  ) {
    mkdirSync(dir, { recursive: true });
    const names = readdirSync(dir)
      .filter((f) => NAME.test(f))
      .sort();
    for (const name of names) {
      const seq = Number(NAME.exec(name)![1]);
      const path = join(dir, name);
      let data = readFileSync(path);
      // a torn last line (the process died mid-append): cut it off
      const lastNl = data.lastIndexOf(10);
      if (lastNl !== data.length - 1) {
        const fd = openSync(path, 'r+');
        ftruncateSync(fd, lastNl + 1);
        closeSync(fd);
        data = data.subarray(0, lastNl + 1);
      }
      if (data.length === 0) {
        unlinkSync(path);
        continue;
      }
      let lines = 0;
      for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, i + 1)) lines++;
      this.segments.push({ seq, path, bytes: data.length, lines });
      this.points += lines;
      this.bytes += data.length;
      this.nextSeq = seq + 1;
    }
  }

  get empty(): boolean {
    return this.points === 0;
  }

  stats(): SpoolStats {
    return { points: this.points, bytes: this.bytes, segments: this.segments.length };
  }

  /** Appends lines (each without its newline); returns how many older points were dropped to make room. */
  append(lines: readonly string[]): number {
    if (lines.length === 0) return 0;
    const data = Buffer.from(lines.join('\n') + '\n', 'utf8');
    let dropped = 0;
    while (this.bytes + data.length > this.maxBytes && this.segments.length > 0) {
      if (this.segments[0] === this.active?.seg) this.roll();
      dropped += this.remove(this.segments[0]!.seq);
    }
    if (!this.active || this.active.seg.bytes >= this.segmentBytes) this.open();
    const { seg, fd } = this.active!;
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off, data.length - off);
    fdatasyncSync(fd);
    seg.bytes += data.length;
    seg.lines += lines.length;
    this.bytes += data.length;
    this.points += lines.length;
    return dropped;
  }

  /** The oldest segment's lines (closing it for appends first), or null when empty. */
  oldest(): { seq: number; lines: string[] } | null {
    const seg = this.segments[0];
    if (!seg) return null;
    if (this.active?.seg === seg) this.roll();
    const text = readFileSync(seg.path, 'utf8');
    const lines = text.split('\n');
    lines.pop(); // after the final newline
    return { seq: seg.seq, lines };
  }

  /** Deletes a replayed (or dropped) segment; returns its number of points. */
  remove(seq: number): number {
    const i = this.segments.findIndex((s) => s.seq === seq);
    if (i === -1) return 0;
    const seg = this.segments[i]!;
    if (this.active?.seg === seg) this.roll();
    unlinkSync(seg.path);
    this.segments.splice(i, 1);
    this.points -= seg.lines;
    this.bytes -= seg.bytes;
    return seg.lines;
  }

  close(): void {
    this.roll();
  }

  private open(): void {
    this.roll();
    const seq = this.nextSeq++;
    const path = join(this.dir, `${String(seq).padStart(12, '0')}.lp`);
    const fd = openSync(path, 'a');
    const seg: Segment = { seq, path, bytes: 0, lines: 0 };
    this.segments.push(seg);
    this.active = { seg, fd };
  }

  private roll(): void {
    if (!this.active) return;
    closeSync(this.active.fd);
    this.active = null;
  }
}
