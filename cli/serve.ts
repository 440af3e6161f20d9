// diemcau serve: loads the configuration and inventory, opens the state database and runs every
// part — storage, alerts, collector, API — on one bus.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { startAlerts } from '../alerts/index.ts';
import { callRoutes } from '../api/routes/calls.ts';
import { meetingRoutes } from '../api/routes/meetings.ts';
import { readinessPages, readinessRoutes } from '../api/routes/readiness.ts';
import { reportRoutes } from '../api/routes/reports.ts';
import { startApi } from '../api/server.ts';
import { startAssets } from '../assets/service.ts';
import { startConsumer } from '../bus/consumer.ts';
import { Standby } from '../bus/standby.ts';
import { startCollector } from '../collector/index.ts';
import { type Config, loadConfig } from '../config/config.ts';
import { Bus } from '../core/bus.ts';
import { log } from '../core/log.ts';
import type { MetricsStore } from '../core/ports.ts';
import { isActive, type Runtime, type Service } from '../core/runtime.ts';
import { FeedbackStore } from '../feedback/store.ts';
import { loadInventory, type ResolvedCredential, resolveCredentials, summarize } from '../inventory/load.ts';
import { maintenanceRecords } from '../maintenance/records.ts';
import { startObservedCalls } from '../meetings/calls-service.ts';
import { IncidentDrafter } from '../meetings/incident-drafts.ts';
import { notifyIncidents } from '../meetings/incident-notify.ts';
import { IncidentLog } from '../meetings/incidents.ts';
import { startMeetingNotices } from '../meetings/notices-service.ts';
import { notifyReadiness } from '../meetings/notify.ts';
import { startReadiness, thresholdsFrom } from '../meetings/readiness.ts';
import { jointOptions, startJointReadiness } from '../meetings/readiness-service.ts';
import { testCallsFrom } from '../meetings/readiness-test-calls.ts';
import { DbMeetings, meetingPolicy } from '../meetings/store.ts';
import { directoryFor } from '../people/directory.ts';
import { startAfterMeeting } from '../reports/after-meeting.ts';
import { dbEpisodes } from '../reports/meeting.ts';
import { deliveryOptions, startPeriodDelivery } from '../reports/period-delivery.ts';
import { startStorage } from '../storage/metrics/index.ts';
import { removeCapture } from '../storage/replication.ts';
import { openStateDb, secureDataDir } from '../storage/state-db.ts';
import { unknownDistricts } from './collect.ts';

export interface StartOptions {
  configPath?: string;
  env?: NodeJS.ProcessEnv;
  /** adjusts the loaded configuration (demo and tests: ports, data directory) */
  configure?: (config: Config) => void;
  /** runs after the runtime exists and before the collector starts (demo: the simulator) */
  before?: (
    rt: Runtime,
    ctx: { credentials: Map<string, ResolvedCredential>; meetings: DbMeetings },
  ) => Promise<Service | null>;
}

export interface Running {
  runtime: Runtime;
  meetings: DbMeetings;
  /** the metrics store the collector writes to */
  store: MetricsStore;
  url: string;
  /** two servers (bus.nats.standby): the lease, the shared state */
  standby: Standby | null;
  stop(): Promise<void>;
}

/** Builds the runtime and starts every service; used by serve, demo and end-to-end tests. */
export async function start(opts: StartOptions = {}): Promise<Running> {
  const env = opts.env ?? process.env;
  const config = loadConfig(opts.configPath, env);
  opts.configure?.(config);
  const inventory = loadInventory(config.inventory);
  const credentials = resolveCredentials(inventory, env);
  // the districts this process polls itself (remote collectors poll the others: docs/backbone.md)
  const shard = config.collector.shard?.slice('district='.length);
  const unknown = shard ? unknownDistricts(shard, inventory) : null;
  if (unknown) throw new Error(`collector.shard: ${unknown}`);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  secureDataDir(config.data_dir);
  const state = openStateDb(join(config.data_dir, 'state.db'));
  const runtime: Runtime = { config, inventory, bus: new Bus(), state, log, registry };
  runtime.bus.onError = (err) => log.error({ err }, 'bus subscriber failed');
  log.info({ inventory: config.inventory, summary: summarize(inventory) }, 'inventory loaded');

  const services: Service[] = [];
  const stop = async () => {
    for (const s of services.reverse()) {
      try {
        await s.stop();
      } catch (err) {
        log.error({ err, service: s.name }, 'service failed to stop');
      }
    }
    state.close();
  };
  try {
    // the registration policy (issue 16): clash handling, the 3-day rule's hosts, the longest meeting
    const meetings = new DbMeetings(state, inventory, Date.now, meetingPolicy(config.meetings));
    const storage = await startStorage(runtime);
    services.push(storage);
    // two servers (issue 21, bus.nats.standby): this one starts as the standby, its engine paused and its
    // outbox held, until it holds the lease in JetStream KV
    const standby = config.bus.nats?.standby ? new Standby(runtime, env) : null;
    // one server: no change capture left from a time as one of two (storage/replication.ts)
    if (!standby) removeCapture(state);
    const alerts = await startAlerts(runtime, {
      meetings,
      env,
      ...(standby && { standby: { gate: () => standby.gate() } }),
    });
    services.push(alerts);
    // the equipment register (issue 17): identity the collector reads, kept in the state database
    services.push(startAssets(runtime));
    // joint test runs (Điều 7.1.b, issue 16): technicians confirm by signed link, carriers and
    // branches told, unconfirmed sites escalated at T-30 min
    const joint = startJointReadiness(
      runtime,
      jointOptions(config, state, inventory, env, { meetings, outbox: alerts.outbox }),
    );
    services.push(joint);
    const told = notifyReadiness(alerts.outbox, inventory, log);
    // the MCU dials each site during a run when configured (issue 20, meetings.readiness.test_calls)
    const testCalls = testCallsFrom(config.meetings.readiness.test_calls, inventory, env, log);
    if (testCalls) services.push({ name: 'test-calls', stop: async () => testCalls.caller.close() });
    const readiness = startReadiness(runtime, {
      meetings,
      store: storage.store,
      alerts,
      testCalls,
      thresholds: thresholdsFrom(alerts.rules.readiness),
      onRun: (run, m) => {
        told(run, m);
        joint.onRun(run, m);
      },
    });
    services.push(readiness);
    // meetings as they happened: the calls the MCU carried (issue 14)
    const calls = startObservedCalls(runtime, { meetings, outbox: alerts.outbox });
    services.push(calls);
    // meeting notices (Điều 7.1.a, issue 16): everyone who prepares told of each registration, change
    // and cancellation, and the weekly digest of the week ahead
    const digest = config.meetings.digest;
    services.push(
      startMeetingNotices(runtime, {
        meetings,
        outbox: alerts.outbox,
        digest: digest.enabled ? { weekday: digest.weekday, hour: digest.hour } : null,
      }),
    );
    const incidents = new IncidentLog(state, inventory, meetings);
    // incidents (issue 14): the host office and the NOC told when one is logged and when restored;
    // drafts from the episodes that touch a live meeting
    incidents.onChange(
      notifyIncidents(alerts.outbox, inventory, meetings, {
        ...(config.http.public_url && { publicUrl: config.http.public_url }),
        log,
      }),
    );
    services.push(
      new IncidentDrafter(incidents, meetings, alerts, { log, active: () => isActive(runtime) }).start(),
    );
    // what the reports read: the post-meeting one and the scheduled six-month and yearly ones
    const reportDeps = {
      inventory,
      store: storage.store,
      meetings,
      incidents,
      readiness,
      calls: calls.calls,
      episodes: dbEpisodes(state),
      feedback: new FeedbackStore(state),
      maintenance: maintenanceRecords(state),
      people: directoryFor(state, inventory),
    };
    services.push(
      startAfterMeeting(runtime, reportDeps, {
        outbox: alerts.outbox,
        ...(config.http.public_url && { publicUrl: config.http.public_url }),
      }),
    );
    // the six-month and yearly reports e-mailed with their .docx when the period closes (issue 14)
    if (config.reports.delivery.enabled)
      services.push(startPeriodDelivery(runtime, reportDeps, deliveryOptions(config, alerts.outbox)));
    const before = await opts.before?.(runtime, { credentials, meetings });
    if (before) services.push(before);
    services.push(
      await startCollector(runtime, { credentials, env, ...(shard && { shard: { district: shard } }) }),
    );
    const api = await startApi(runtime, {
      store: storage.store,
      alerts,
      meetings,
      routes: [
        (d) => meetingRoutes(d, { readiness, incidents }),
        (d) => reportRoutes(d, { readiness }),
        (d) => callRoutes(d),
        (d) => readinessRoutes(d, joint, { readiness }),
      ],
      pages: [(d) => readinessPages(d, joint)],
      ...(standby && { standby: () => standby.status() }),
    });
    services.push(api);
    // remote collectors (issue 21): their samples and device events from the backbone onto this bus,
    // where storage, alerts and the live view take them as they take local ones
    if (config.bus.nats) services.push(await startConsumer(runtime, { env }));
    if (standby) {
      // a meeting's sites are read once per revision: forget them when the other server's rows arrive
      standby.onApplied((tables) => {
        if (tables.has('meeting_sites')) meetings.forgetSites();
      });
      services.push(standby.start(alerts));
    }
    log.info({ url: api.url }, 'diemcau is serving');
    return { runtime, meetings, store: storage.store, url: api.url, standby, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Resolves on SIGINT/SIGTERM. */
export function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

const HELP = `diemcau serve — chạy NOC / run the NOC: collector, storage, alerts, API and dashboard

  diemcau serve [-c diemcau.yaml]

  -c, --config FILE   configuration (default ./diemcau.yaml or DIEMCAU_CONFIG)
  -h, --help          this text
`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  // the state database holds password hashes and token digests: files for this user only
  process.umask(0o077);
  const running = await start({ ...(values.config && { configPath: values.config }) });
  process.stdout.write(`diemcau: NOC đang chạy tại ${running.url} / serving at ${running.url}\n`);
  await untilSignal();
  await running.stop();
  return 0;
}
