// startAlerts: the alert engine as a service on the runtime's bus, with its notifiers and outbox.
import { dirname, isAbsolute, resolve } from 'node:path';
import { Gauge } from 'prom-client';
import { parseDuration } from '../config/config.ts';
import type { AlertEngine, MeetingSource } from '../core/ports.ts';
import type { Runtime, Service } from '../core/runtime.ts';
import { siteHours } from '../inventory/hours.ts';
import { readSecret } from '../inventory/load.ts';
import type { SecretRef } from '../inventory/schema.ts';
import { directoryFor } from '../people/directory.ts';
import { Engine } from './engine.ts';
import { outboxMailer } from './mailer.ts';
import { EmailNotifier } from './notify/email.ts';
import { SmsNotifier, TelegramNotifier, WebhookNotifier, ZaloNotifier } from './notify/http.ts';
import type { Channel, Notifier } from './notify/types.ts';
import { Outbox } from './outbox.ts';
import { DEFAULT_RULES_FILE, loadRules, type RuleSet } from './rules.ts';

export { Engine, maintenanceActive } from './engine.ts';
export { StaticMeetings } from './meetings.ts';
export { render, renderDigest, sms } from './messages.ts';
export type { Channel, Message, Notifier } from './notify/types.ts';
export { Outbox } from './outbox.ts';
export { DEFAULT_RULES_FILE, loadRules } from './rules.ts';

export type AlertService = Engine &
  AlertEngine &
  Service & {
    outbox: Outbox;
    tickNow(): void;
    rules: RuleSet;
    /** the lease is ours (issue 21): continue the replicated episodes and send the outbox */
    activate(): void;
    /** the lease is lost: decide and send nothing more */
    deactivate(): Promise<void>;
  };

/** Builds the notifiers configured in `notify:` (secrets resolved now; a missing one is an error). */
export function buildNotifiers(rt: Runtime, env: NodeJS.ProcessEnv = process.env): Map<Channel, Notifier> {
  const n = rt.config.notify;
  const timeoutMs = parseDuration(rt.config.alerts.outbox.send_timeout);
  const configSecret = (ref: SecretRef | undefined, what: string): string | undefined => {
    if (!ref) return undefined;
    const v = readSecret(ref, rt.config.baseDir, env);
    if (v === undefined)
      throw new Error(
        `notify.${what}: secret does not resolve (${'env' in ref ? `environment variable ${ref.env} is not set` : `file ${ref.file} is missing or empty`})`,
      );
    return v;
  };
  const inventoryDir = dirname(rt.inventory.file);
  const personSecret = (ref: unknown) => readSecret(ref as SecretRef, inventoryDir, env);
  const out = new Map<Channel, Notifier>();
  if (n.email) {
    const password = configSecret(n.email.password, 'email.password');
    out.set(
      'email',
      new EmailNotifier({
        host: n.email.host,
        port: n.email.port,
        secure: n.email.secure,
        ...(n.email.user && { user: n.email.user }),
        ...(password && { password }),
        from: n.email.from,
        timeoutMs,
      }),
    );
  }
  if (n.telegram)
    out.set(
      'telegram',
      new TelegramNotifier(
        { baseUrl: n.telegram.base_url, token: configSecret(n.telegram.token, 'telegram.token')!, timeoutMs },
        personSecret,
      ),
    );
  if (n.zalo)
    out.set(
      'zalo',
      new ZaloNotifier(
        {
          baseUrl: n.zalo.base_url,
          accessToken: configSecret(n.zalo.access_token, 'zalo.access_token')!,
          timeoutMs,
        },
        personSecret,
      ),
    );
  if (n.sms) {
    const token = configSecret(n.sms.token, 'sms.token');
    out.set('sms', new SmsNotifier({ url: n.sms.url, ...(token && { token }), timeoutMs }, personSecret));
  }
  if (n.webhook) {
    const secret = configSecret(n.webhook.secret, 'webhook.secret');
    out.set('webhook', new WebhookNotifier({ url: n.webhook.url, ...(secret && { secret }), timeoutMs }));
  }
  return out;
}

export async function startAlerts(
  rt: Runtime,
  deps: {
    meetings: MeetingSource;
    now?: () => number;
    env?: NodeJS.ProcessEnv;
    tickMs?: number;
    /**
     * a two-server deployment (issue 21, bus/standby.ts): start as the standby (engine paused, outbox
     * held), and send only the outbox rows the standby already has
     */
    standby?: { gate: () => number };
  },
): Promise<AlertService> {
  const a = rt.config.alerts;
  const file = a.rules
    ? isAbsolute(a.rules)
      ? a.rules
      : resolve(rt.config.baseDir, a.rules)
    : DEFAULT_RULES_FILE;
  const rules = loadRules(file, {
    sites: new Set(rt.inventory.sites.keys()),
    districts: new Set(rt.inventory.districts.keys()),
  });
  const log = rt.log.child({ service: 'alerts' });
  const outbox = new Outbox(rt.state, buildNotifiers(rt, deps.env), {
    retryBaseMs: parseDuration(a.outbox.retry_base),
    retryMaxMs: parseDuration(a.outbox.retry_max),
    pollMs: parseDuration(a.outbox.poll),
    log,
    ...(deps.standby && { gate: deps.standby.gate }),
  });
  if (deps.standby) void outbox.halt();
  const now = deps.now ?? Date.now;
  // the people directory (issue 17): seeded and applied to the inventory before the pager reads it,
  // on the engine's clock; a site technician's replacement is told to Sở TT&TT through this outbox
  directoryFor(rt.state, rt.inventory, { mailer: outboxMailer(outbox, rt.inventory), now });
  const forMax = Math.max(0, ...rules.rules.map((r) => r.for + (r.window ? r.window.size * r.window.of : 0)));
  const clearMax = Math.max(0, ...rules.rules.map((r) => Math.max(r.clear_for, r.window?.recover ?? 0)));
  const settleMs = a.settle
    ? parseDuration(a.settle)
    : Math.max(120_000, clearMax + parseDuration(rt.config.collector.interval) + 10_000);
  const inventoryDir = dirname(rt.inventory.file);
  const env = deps.env ?? process.env;
  const phone = (person: string) => {
    const ref = rt.inventory.people.get(person)?.channels.phone;
    return ref ? readSecret(ref as SecretRef, inventoryDir, env) : undefined;
  };
  const hours = siteHours(rt.config.operations, rt.inventory);
  const engine = new Engine(rt.inventory, rt.state, outbox, {
    rules,
    hours: (site, t) => hours.inHours(site, t),
    meetings: deps.meetings,
    now,
    groupWaitMs: parseDuration(a.group_wait),
    digestIntervalMs: parseDuration(a.digest_interval),
    escalateAfterMs: parseDuration(a.escalate_after),
    escalateAfterInMeetingMs: parseDuration(a.escalate_after_in_meeting),
    renotifyInMeetingMs: parseDuration(a.renotify_in_meeting),
    readinessWindowMs: parseDuration(a.readiness_window),
    settleMs,
    districtOutage: {
      minSites: a.district_outage.min_sites,
      minFraction: a.district_outage.min_fraction,
      windowMs: parseDuration(a.district_outage.window),
    },
    phone,
    flap: { count: a.flap.count, windowMs: parseDuration(a.flap.window), holdMs: parseDuration(a.flap.hold) },
    ...(a.dashboard_url && { dashboardUrl: a.dashboard_url }),
    restoreGraceMs: Math.max(120_000, 2 * forMax + 60_000),
    log,
  });
  if (deps.standby) engine.pause();
  const offSamples = rt.bus.onSamples((s) => engine.ingest(s));
  const offEvents = rt.bus.onEvent((e) => engine.ingestEvent(e));
  const gauge = new Gauge({
    name: 'diemcau_alerts_open',
    help: 'Open fault episodes by state',
    labelNames: ['state'],
    registers: [rt.registry],
    collect() {
      this.reset();
      for (const ep of engine.episodes()) this.inc({ state: ep.state });
    },
  });
  void gauge;
  const outboxGauge = new Gauge({
    name: 'diemcau_notifications',
    help: 'Notifications in the outbox by channel and state',
    labelNames: ['channel', 'state'],
    registers: [rt.registry],
    collect() {
      this.reset();
      const rows = rt.state
        .prepare('SELECT channel, state, count(*) AS n FROM outbox GROUP BY channel, state')
        .all() as {
        channel: string;
        state: string;
        n: number;
      }[];
      for (const r of rows) this.set({ channel: r.channel, state: r.state }, r.n);
    },
  });
  void outboxGauge;
  if (!deps.standby) outbox.start();
  const timer = setInterval(() => {
    try {
      engine.tick();
    } catch (err) {
      log.error({ err }, 'alert tick failed');
    }
  }, deps.tickMs ?? 1000);
  timer.unref?.();
  log.info({ rules: rules.rules.length, file, channels: [...buildChannelsList(outbox)] }, 'alerts started');
  const service = engine as AlertService;
  Object.assign(service, {
    name: 'alerts',
    outbox,
    rules,
    tickNow: () => engine.tick(),
    activate() {
      engine.takeOver();
      outbox.start();
    },
    async deactivate() {
      engine.pause();
      await outbox.halt();
    },
    async stop() {
      clearInterval(timer);
      engine.dispose();
      offSamples();
      offEvents();
      rt.registry.removeSingleMetric('diemcau_alerts_open');
      rt.registry.removeSingleMetric('diemcau_notifications');
      await outbox.stop();
    },
  });
  return service;
}

function buildChannelsList(outbox: Outbox): string[] {
  return (['email', 'telegram', 'zalo', 'sms', 'webhook'] as const).filter((c) => outbox.has(c));
}
