// The collector's spool while the centre is unreachable: poll batches and device events in the order the
// bus carried them, each kept as its JSON, bounded in bytes. Over the bound the oldest waiting entries go
// (counted and reported, never silently); the message being published is never dropped.
import type { Kind } from './wire.ts';

interface Entry {
  kind: Kind;
  json: string;
  /** samples in the entry (1 for an event) */
  items: number;
}

/** A run of entries taken for one message; it stays out of the queue until committed or given back. */
export interface Taken {
  kind: Kind;
  parts: string[];
  items: number;
  bytes: number;
}

export interface Dropped {
  samples: number;
  events: number;
}

export class Spool {
  private queue: Entry[] = [];
  /** index of the first entry still queued (the array is compacted now and then) */
  private head = 0;
  private queuedBytes = 0;
  private inflight: Taken | null = null;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly maxBytes: number,
    private readonly onDrop: (d: Dropped) => void,
  ) {}

  push(kind: Kind, json: string, items: number): void {
    this.queue.push({ kind, json, items });
    this.queuedBytes += json.length;
    if (this.bytes() > this.maxBytes) this.trim();
    for (const w of this.waiters.splice(0)) w();
  }

  /** bytes waiting, the message in flight included */
  bytes(): number {
    return this.queuedBytes + (this.inflight?.bytes ?? 0);
  }

  /** entries waiting (not the one in flight) */
  length(): number {
    return this.queue.length - this.head;
  }

  /** true when nothing is waiting and nothing is in flight */
  empty(): boolean {
    return this.length() === 0 && this.inflight === null;
  }

  /** Resolves when an entry is pushed (at once if some are waiting). */
  wait(): Promise<void> {
    if (this.length() > 0) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  /** Wakes every waiter (stopping). */
  wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /**
   * Takes the oldest run of entries of one kind, up to `maxBytes` (at least one entry), for one message.
   * The same run is returned again until it is committed: a retried message is the same message.
   */
  take(maxBytes: number): Taken | null {
    if (this.inflight) return this.inflight;
    if (this.length() === 0) return null;
    const first = this.queue[this.head]!;
    const t: Taken = { kind: first.kind, parts: [], items: 0, bytes: 0 };
    while (this.head < this.queue.length) {
      const e = this.queue[this.head]!;
      if (e.kind !== t.kind || (t.parts.length > 0 && t.bytes + t.parts.length + e.json.length > maxBytes))
        break;
      t.parts.push(e.json);
      t.items += e.items;
      t.bytes += e.json.length;
      this.queuedBytes -= e.json.length;
      this.head++;
    }
    this.compact();
    this.inflight = t;
    return t;
  }

  /** Everything waiting, the run in flight first (for a spool file at stop); the spool is empty after. */
  drain(): { inflight: Taken | null; queued: { kind: Kind; json: string; items: number }[] } {
    const out = { inflight: this.inflight, queued: this.queue.slice(this.head) };
    this.queue = [];
    this.head = 0;
    this.queuedBytes = 0;
    this.inflight = null;
    return out;
  }

  /** Puts a run back in flight (read from a spool file): it goes out before anything queued. */
  restoreInflight(t: Taken): void {
    this.inflight = t;
  }

  /** The message in flight was stored by the stream. */
  commit(): void {
    this.inflight = null;
  }

  private trim(): void {
    const dropped: Dropped = { samples: 0, events: 0 };
    while (this.bytes() > this.maxBytes && this.head < this.queue.length) {
      const e = this.queue[this.head]!;
      this.queue[this.head] = undefined as never;
      this.head++;
      this.queuedBytes -= e.json.length;
      if (e.kind === 'samples') dropped.samples += e.items;
      else dropped.events += e.items;
    }
    this.compact();
    if (dropped.samples + dropped.events > 0) this.onDrop(dropped);
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
