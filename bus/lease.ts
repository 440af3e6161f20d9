// One lease in a JetStream KV bucket whose entries live `ttl` (the bucket's max_age; nats-server 2.9 has
// no per-key TTL). The standby serve's lease (standby.ts, key "serve") and each claimed collector shard
// (shards.ts, one key per shard) are one of these. `step()` runs every `renew`: a holder updates the key
// against the revision it last wrote (compare-and-set, so a holder that lost it cannot renew it by
// mistake) and steps down once `ttl − 2 × renew` passed since its last renewal — before the entry can
// have expired for anyone else — or at once if it reads another holder; a non-holder `create`s it, which
// JetStream accepts only while the key is absent (expired, or deleted by a clean release).
import type { KV } from '@nats-io/kv';

export interface LeaseStep {
  /** this step took the lease */
  gained?: true;
  /** this step gave it up, and why */
  lost?: string;
  /** a renewal failed but the lease is still ours (the error) */
  retry?: string;
}

export class KvLease {
  private rev = 0;
  private lastRenew = 0;
  private heldNow = false;
  /** the holder as last read: a name, null (nobody), undefined (not read yet) */
  holder: string | null | undefined = undefined;

  constructor(
    private readonly kv: KV,
    readonly key: string,
    readonly owner: string,
    private readonly ttlMs: number,
    private readonly renewMs: number,
  ) {}

  get held(): boolean {
    return this.heldNow;
  }

  async step(): Promise<LeaseStep> {
    const value = JSON.stringify({ instance: this.owner, at: Date.now() });
    if (this.heldNow) {
      try {
        this.rev = await this.kv.update(this.key, value, this.rev, Math.max(200, this.renewMs / 2));
        this.lastRenew = Date.now();
        return {};
      } catch (err) {
        const holder = await this.read();
        if (holder !== undefined && holder !== this.owner) {
          this.holder = holder;
          this.heldNow = false;
          return { lost: `the lease is held by ${holder ?? 'nobody'}` };
        }
        // not renewed and not known to be lost: ours until it could expire; step down one renewal and one
        // try before that (the server counts the entry's age from when it stored it, a little earlier)
        if (Date.now() - this.lastRenew >= this.ttlMs - 2 * this.renewMs) {
          this.heldNow = false;
          return { lost: `lease not renewed for ${Date.now() - this.lastRenew} ms (${String(err)})` };
        }
        return { retry: String(err) };
      }
    }
    try {
      this.rev = await this.kv.create(this.key, value);
    } catch {
      const holder = await this.read();
      if (holder !== undefined) this.holder = holder;
      return {};
    }
    this.lastRenew = Date.now();
    this.heldNow = true;
    this.holder = this.owner;
    return { gained: true };
  }

  /** Gives the lease up at once (a clean stop): the key deleted if it is still the revision we wrote. */
  async release(): Promise<void> {
    if (!this.heldNow) return;
    this.heldNow = false;
    await this.kv.delete(this.key, { previousSeq: this.rev });
  }

  /** Forgets the lease without touching the bucket (a crash, in tests; or a holder that must stop). */
  drop(): void {
    this.heldNow = false;
  }

  /** the holder's name; null: nobody; undefined: the bucket could not be read */
  async read(): Promise<string | null | undefined> {
    try {
      const e = await this.kv.get(this.key);
      if (e?.operation !== 'PUT') return null;
      return (e.json() as { instance: string }).instance;
    } catch {
      return undefined;
    }
  }
}
