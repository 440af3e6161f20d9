// Shards claimed through JetStream KV leases (issue 21, docs/backbone.md): `diemcau collect` with
// `bus.nats.shards` (or `--claim`) lists the shards it may poll; each is one key in the bucket
// `bus.nats.shard_lease.bucket`, held through a KvLease (lease.ts, the standby serve's lease code).
// Every `renew` a collector renews the shards it holds and tries to claim at most one it does not, in
// its list's order (its own shard first); it polls a shard — one collector per shard, started on the
// claim and stopped on the loss — only while it holds the lease. A collector that dies stops renewing:
// its shards expire after `lease_ttl` and are claimed within one more `renew`. One that comes back
// finds them held and waits (or takes a free one).
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { Gauge } from 'prom-client';
import type { Collector } from '../collector/index.ts';
import { parseDuration } from '../config/config.ts';
import type { Runtime, Service } from '../core/runtime.ts';
import { KvLease } from './lease.ts';
import { connectUntil, type NatsConfig, natsOptions } from './nats.ts';

export interface ShardClaimsStatus {
  connected: boolean;
  /** this collector's name (the leases' owner) */
  name: string;
  /** every shard it may claim, with its holder as last read (null: nobody; undefined: not read yet) */
  shards: { shard: string; holder: string | null; polling: boolean }[];
  /** claims this collector made (at its start and takeovers) */
  claims: number;
}

export interface ShardClaims extends Service {
  status(): ShardClaimsStatus;
  /** the shards this collector polls now */
  held(): string[];
  /** their collectors */
  pollers(): Collector[];
  /** Stops as a crash would (tests): polling stops, no renewal, no release, the connection dropped. */
  abandon(): Promise<void>;
}

export interface ShardClaimsOptions {
  /** this collector's name on the backbone: the leases' owner */
  name: string;
  /** the shards it may claim, "district=A[,B…]", its own first */
  shards: string[];
  /** starts the polling of one shard (collect: startCollector with the shard) */
  start(shard: { district: string }): Promise<Collector>;
  env?: NodeJS.ProcessEnv;
}

/** a shard's key in the bucket: "district=cho-don,ba-be" → "district.cho-don_ba-be" */
export const shardKey = (shard: string) => shard.replace('=', '.').replaceAll(',', '_');

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function startShardClaims(rt: Runtime, opts: ShardClaimsOptions): Promise<ShardClaims> {
  const cfg = rt.config.bus.nats as NatsConfig;
  const ttlMs = parseDuration(cfg.shard_lease.lease_ttl);
  const renewMs = parseDuration(cfg.shard_lease.renew);
  const log = rt.log.child({ part: 'shards', collector: opts.name });
  const options = natsOptions(cfg, {
    name: `diemcau-collect ${opts.name} (shards)`,
    baseDir: rt.config.baseDir,
    env: opts.env,
  });
  const shards = [...new Set(opts.shards)];
  const leases = new Map<string, KvLease>();
  const polling = new Map<string, Collector>();
  let nc: NatsConnection | null = null;
  let connected = false;
  let stopped = false;
  let claims = 0;
  let wake: (() => void) | null = null;

  const gauge = new Gauge({
    name: 'diemcau_shards_held',
    help: 'shards this collector holds the lease of and polls',
    registers: [rt.registry],
    collect() {
      this.set(polling.size);
    },
  });
  void gauge;

  const release = async (shard: string, reason: string) => {
    const c = polling.get(shard);
    polling.delete(shard);
    await c?.stop();
    log.error({ shard, reason }, 'shard lease lost: this collector stopped polling it');
  };

  const step = async () => {
    const started = Date.now();
    const mine = shards.filter((s) => leases.get(s)?.held);
    // renew what is held first, in parallel, so a claim attempt cannot delay a renewal
    await Promise.all(
      mine.map(async (s) => {
        const r = await leases.get(s)!.step();
        if (r.lost) await release(s, r.lost);
        else if (r.retry) log.warn({ shard: s, err: r.retry }, 'shard lease renewal failed, retrying');
      }),
    );
    // then at most one claim, in the list's order: two collectors started together each take their own
    for (const s of shards) {
      // a slow server must not hold the next renewals back: the rest of the list waits for the next step
      if (stopped || Date.now() - started > renewMs / 2) return;
      const lease = leases.get(s)!;
      if (lease.held) continue;
      const r = await lease.step();
      if (!r.gained) continue;
      claims++;
      try {
        polling.set(s, await opts.start({ district: s.slice('district='.length) }));
        log.warn({ shard: s }, 'shard claimed: this collector polls it');
      } catch (err) {
        log.error({ err, shard: s }, 'shard claimed but its polling did not start: lease released');
        await lease.release().catch(() => {});
      }
      return;
    }
  };

  const run = async () => {
    nc = await connectUntil(
      options,
      () => stopped,
      (err, attempt) => {
        if (attempt === 1 || attempt % 60 === 0)
          log.warn({ err: String(err), attempt }, 'shards: backbone unreachable, no shard claimed');
      },
    );
    if (!nc) return;
    connected = true;
    const conn = nc;
    void (async () => {
      for await (const s of conn.status()) {
        if (s.type === 'disconnect') connected = false;
        else if (s.type === 'reconnect') connected = true;
      }
    })();
    for (let backoff = 500; !stopped; backoff = Math.min(backoff * 2, 5000)) {
      try {
        const kv = await new Kvm(conn).create(cfg.shard_lease.bucket, {
          ttl: ttlMs,
          history: 1,
          replicas: cfg.stream.replicas,
        });
        for (const s of shards) leases.set(s, new KvLease(kv, shardKey(s), opts.name, ttlMs, renewMs));
        break;
      } catch (err) {
        log.warn({ err: String(err) }, 'shards: lease bucket not ready, retrying');
        await sleep(backoff);
      }
    }
    while (!stopped) {
      const started = Date.now();
      try {
        await step();
      } catch (err) {
        log.error({ err }, 'shards: lease step failed');
      }
      const wait = renewMs - (Date.now() - started);
      if (wait > 0 && !stopped)
        await new Promise<void>((r) => {
          const t = setTimeout(r, wait);
          wake = () => {
            clearTimeout(t);
            r();
          };
        });
      wake = null;
    }
  };
  const loop = run().catch((err) => log.error({ err }, 'shards: stopped'));
  log.info({ shards, lease_ttl: cfg.shard_lease.lease_ttl, renew: cfg.shard_lease.renew }, 'claiming shards');

  const halt = async () => {
    stopped = true;
    wake?.();
    await loop;
    await Promise.all([...polling.values()].map((c) => c.stop()));
  };

  return {
    name: 'shard-claims',
    held: () => shards.filter((s) => polling.has(s)),
    pollers: () => [...polling.values()],
    status: () => ({
      connected,
      name: opts.name,
      shards: shards.map((s) => ({
        shard: s,
        holder: leases.get(s)?.holder ?? null,
        polling: polling.has(s),
      })),
      claims,
    }),
    async abandon() {
      await halt();
      for (const l of leases.values()) l.drop();
      polling.clear();
      await nc?.close().catch(() => {});
      rt.registry.removeSingleMetric('diemcau_shards_held');
    },
    async stop() {
      await halt();
      polling.clear();
      // a clean stop hands the shards over at once: polling stopped above, then the leases deleted
      for (const l of leases.values())
        await l
          .release()
          .catch((err) => log.warn({ err: String(err), shard: l.key }, 'shard lease not released'));
      await nc?.close().catch(() => {});
      rt.registry.removeSingleMetric('diemcau_shards_held');
    },
  };
}
