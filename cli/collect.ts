// diemcau collect: the collector alone, optionally one shard (districts), for scale-out.
// Samples go to the metrics store configured in diemcau.yaml (the same InfluxDB as `serve`), or, with
// bus.nats configured, to the backbone's stream for the centre (docs/backbone.md), which stores them.
//   diemcau collect [--config FILE] [--shard district=cho-don,ba-be|core | --claim district=A …] [--once]
import { createServer } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { type BackbonePublisher, startPublisher } from '../bus/publisher.ts';
import { type ShardClaims, startShardClaims } from '../bus/shards.ts';
import { collectorName } from '../bus/wire.ts';
import { startCollector } from '../collector/index.ts';
import type { DeviceStatus } from '../collector/poller.ts';
import { loadConfig } from '../config/config.ts';
import { Bus } from '../core/bus.ts';
import { log } from '../core/log.ts';
import type { Runtime, Service } from '../core/runtime.ts';
import { type LoadedInventory, loadInventory, parseAddress, resolveCredentials } from '../inventory/load.ts';
import { startStorage } from '../storage/metrics/index.ts';
import { openStateDb, secureDataDir } from '../storage/state-db.ts';

const HELP = `diemcau collect — chạy riêng bộ thu thập (collector), có thể theo phân vùng huyện
Run the collector alone, optionally for one shard.

  --config, -c FILE        diemcau.yaml (default ./diemcau.yaml or DIEMCAU_CONFIG)
  --shard district=A,B     only the sites of these districts ("core" = the MCU)
                           (default collector.shard, else every device)
  --claim district=A[,B]   (repeatable) shards it may claim through the backbone's KV
                           leases, its own first (default bus.nats.shards; needs bus.nats)
  --once                   poll every device once, print the samples as JSON lines, exit
  --metrics ADDR:PORT      serve /metrics (Prometheus) and /healthz there
                           (default collector.metrics_listen, "off")
`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string', short: 'c' },
      shard: { type: 'string' },
      claim: { type: 'string', multiple: true },
      once: { type: 'boolean', default: false },
      metrics: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  let shard: { district?: string } | undefined;
  if (values.shard) {
    const m = /^district=([a-z0-9,-]+)$/.exec(values.shard);
    if (!m) {
      process.stderr.write(
        `diemcau collect: --shard "${values.shard}" không hợp lệ / invalid: use --shard district=<district id>[,<id>…]\n`,
      );
      return 2;
    }
    shard = { district: m[1]! };
  }
  if (values.metrics && values.metrics !== 'off') {
    const { port } = parseAddress(values.metrics, Number.NaN);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      process.stderr.write(
        `diemcau collect: --metrics "${values.metrics}" không hợp lệ / invalid: use ADDRESS:PORT, e.g. 127.0.0.1:9465\n`,
      );
      return 2;
    }
  }
  const config = loadConfig(values.config);
  const inventory = loadInventory(config.inventory);
  if (!shard && config.collector.shard)
    shard = { district: config.collector.shard.slice('district='.length) };
  if (shard?.district) {
    const unknown = unknownDistricts(shard.district, inventory);
    if (unknown) {
      process.stderr.write(`diemcau collect: ${unknown}\n`);
      return 2;
    }
  }
  const claimList = values.claim?.length ? values.claim : shard ? undefined : config.bus.nats?.shards;
  if (claimList) {
    const bad = claimList.find((c) => !/^district=[a-z0-9-]+(,[a-z0-9-]+)*$/.test(c));
    const problem = bad
      ? `--claim "${bad}" không hợp lệ / invalid: use --claim district=<district id>[,<id>…]`
      : values.shard
        ? '--claim và --shard không dùng cùng nhau / --claim and --shard exclude each other'
        : values.once
          ? '--once không dùng với --claim / --once polls a fixed shard, not claimed ones'
          : !config.bus.nats
            ? 'nhận phân vùng cần bus.nats / claiming shards needs bus.nats (the leases are in JetStream KV)'
            : claimList.map((c) => unknownDistricts(c.slice('district='.length), inventory)).find(Boolean);
    if (problem) {
      process.stderr.write(`diemcau collect: ${problem}\n`);
      return 2;
    }
  }
  const credentials = resolveCredentials(inventory);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const bus = new Bus();
  bus.onError = (err) => log.error({ err }, 'bus subscriber failed');

  if (values.once) {
    const rt: Runtime = {
      config: {
        ...config,
        collector: {
          ...config.collector,
          trap_listen: 'off',
          icmp: { ...config.collector.icmp, enabled: false },
          rtp: { ...config.collector.rtp, enabled: false },
        },
      },
      inventory,
      bus,
      state: undefined as never,
      // stdout carries the samples: logs go to stderr
      log: pino(
        { level: process.env.DIEMCAU_LOG_LEVEL ?? 'warn', base: { app: 'diemcau' } },
        pino.destination(2),
      ),
      registry,
    };
    bus.onSamples((batch) => {
      for (const s of batch) process.stdout.write(`${JSON.stringify(s)}\n`);
    });
    // device events are what went wrong; identity reads (the asset register's) and the MCU's call
    // records (the observed calls') are not
    bus.onEvent((e) => {
      if (e.kind !== 'identity' && e.kind !== 'call_record') process.stderr.write(`${JSON.stringify(e)}\n`);
    });
    const c = await startCollector(rt, { ...(shard && { shard }), credentials, autostart: false });
    await Promise.all(c.status().devices.map((d) => c.pollNow(d.id)));
    const down = c.status().devices.filter((d) => !d.reachable);
    await c.stop();
    return down.length > 0 ? 1 : 0;
  }

  // the data directory is the service's alone (as for serve): 0700, its files 0600
  process.umask(0o077);
  secureDataDir(config.data_dir);
  const state = openStateDb(join(config.data_dir, 'state.db'));
  const rt: Runtime = { config, inventory, bus, state, log, registry };
  const services: Service[] = [];
  try {
    let publisher: BackbonePublisher | null = null;
    if (config.bus.nats) {
      // a remote collector: the centre stores what it receives; this one publishes (and spools)
      publisher = await startPublisher(rt, {
        name: collectorName(config.bus.nats.name, claimList ? undefined : shard?.district),
        // on disk: a restart or a crash during an outage keeps the backlog (docs/backbone.md)
        spoolFile: join(config.data_dir, 'spool', 'backbone.db'),
        legacySpoolFile: join(config.data_dir, 'backbone-spool.json'),
      });
      services.push(publisher);
      log.info(
        { collector: publisher.collector, stream: config.bus.nats.stream.name },
        'publishing to the backbone',
      );
    } else services.push(await startStorage(rt));
    let devices: () => DeviceStatus[];
    let claims: ShardClaims | null = null;
    if (claimList && publisher) {
      // claimed shards: one collector per shard held; the trap receiver is a fixed collector's (one port)
      const perShard: Runtime = {
        ...rt,
        config: { ...config, collector: { ...config.collector, trap_listen: 'off' } },
      };
      const c = await startShardClaims(rt, {
        name: publisher.collector,
        shards: claimList,
        start: (s) => startCollector(perShard, { shard: s, credentials }),
      });
      claims = c;
      services.push(c);
      devices = () => c.pollers().flatMap((p) => p.status().devices);
    } else {
      const collector = await startCollector(rt, { ...(shard && { shard }), credentials });
      services.push(collector);
      devices = () => collector.status().devices;
    }
    const [listen, from] = values.metrics
      ? [values.metrics, '--metrics']
      : [config.collector.metrics_listen, 'collector.metrics_listen'];
    if (listen !== 'off')
      services.push(await serveMetrics(listen, from, registry, devices, publisher, claims));
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  } finally {
    for (const s of services.reverse()) await s.stop();
    state.close();
  }
  return 0;
}

/** The message naming a shard's districts missing from the inventory (and the known ones), or null. */
export function unknownDistricts(districts: string, inventory: LoadedInventory): string | null {
  const unknown = districts.split(',').filter((d) => d !== 'core' && !inventory.districts.has(d));
  if (unknown.length === 0) return null;
  return `huyện không có trong inventory / unknown district: ${unknown.join(', ')} (known: ${[...inventory.districts.keys()].join(', ')}, core)`;
}

/** /metrics (the collector's self-metrics, prom-client) and /healthz, for a collector running alone. */
async function serveMetrics(
  listen: string,
  from: string,
  registry: Registry,
  devices: () => DeviceStatus[],
  publisher: BackbonePublisher | null = null,
  claims: ShardClaims | null = null,
): Promise<Service> {
  const { host, port } = parseAddress(listen, 9465);
  const server = createServer((req, res) => {
    const answer = async () => {
      if (req.method !== 'GET') return void res.writeHead(405, { allow: 'GET' }).end();
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/metrics') {
        const text = await registry.metrics();
        return void res.writeHead(200, { 'content-type': registry.contentType }).end(text);
      }
      if (path === '/healthz') {
        const list = devices();
        const body = {
          status: 'ok',
          devices: list.length,
          reachable: list.filter((d) => d.reachable).length,
          ...(publisher && { backbone: publisher.status() }),
          ...(claims && { shards: claims.status() }),
        };
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      }
      res
        .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
        .end('not found: /metrics, /healthz\n');
    };
    answer().catch((err) => {
      log.error({ err }, 'collector metrics endpoint failed');
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  const refused = (err: Error) =>
    new Error(`${from} ${listen}: cannot listen (${err.message}); use ADDRESS:PORT, e.g. 127.0.0.1:9465`);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(refused(err)));
    try {
      server.listen(port, host, () => resolve());
    } catch (err) {
      // a port out of range is thrown, not emitted
      reject(refused(err as Error));
    }
  });
  log.info({ listen }, 'collector metrics: /metrics, /healthz');
  return { name: 'collector-metrics', stop: () => new Promise<void>((r) => server.close(() => r())) };
}
