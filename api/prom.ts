// /metrics: everything in the runtime's prom-client registry, plus what the API knows: one set of
// gauges per site labelled site/tier/district/carrier (so a Prometheus can scrape the whole network
// from here), HTTP request counts and durations, live-stream clients, and the store's health.
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { MetricsStore } from '../core/ports.ts';
import { SITE_STATES, type SiteMetrics } from './contract.ts';
import type { LiveHub } from './live.ts';

const SITE_LABELS = ['site', 'tier', 'district', 'carrier'] as const;

const SITE_VALUES: { key: keyof SiteMetrics; name: string; help: string }[] = [
  { key: 'reachable', name: 'diemcau_site_reachable', help: 'Site answers its probes (1) or not (0)' },
  { key: 'rtt_ms', name: 'diemcau_site_rtt_ms', help: 'Latest round-trip time to the site, ms' },
  { key: 'loss_pct', name: 'diemcau_site_loss_pct', help: 'Latest packet loss to the site, %' },
  { key: 'jitter_ms', name: 'diemcau_site_jitter_ms', help: 'Latest jitter to the site, ms' },
  { key: 'mos', name: 'diemcau_site_mos', help: 'Latest estimated MOS of the site link' },
  { key: 'in_call', name: 'diemcau_site_in_call', help: 'Codec in a call (1) or not (0)' },
  { key: 'mcu_port_up', name: 'diemcau_site_mcu_port_up', help: "Site's MCU port up (1) or not (0)" },
  { key: 'ups_on_battery', name: 'diemcau_site_ups_on_battery', help: 'UPS on battery (1) or mains (0)' },
  { key: 'ups_runtime_min', name: 'diemcau_site_ups_runtime_minutes', help: 'UPS runtime left, minutes' },
  { key: 'ups_charge_pct', name: 'diemcau_site_ups_charge_pct', help: 'UPS battery charge, %' },
  { key: 'ups_input_v', name: 'diemcau_site_ups_input_volts', help: 'UPS input voltage, V' },
];

function once<T>(registry: Registry, name: string, make: () => T): T | null {
  return registry.getSingleMetric(name) ? null : make();
}

export function registerApiMetrics(
  registry: Registry,
  live: LiveHub,
  store: MetricsStore,
): MiddlewareHandler {
  const labelsOf = () =>
    live
      .list()
      .map((s) => ({ s, labels: { site: s.id, tier: s.tier, district: s.district, carrier: s.carrier } }));

  once(
    registry,
    'diemcau_site_state',
    () =>
      new Gauge({
        name: 'diemcau_site_state',
        help: 'Site state as decided by the alert engine: 1 for the current state, 0 for the others',
        labelNames: [...SITE_LABELS, 'state'],
        registers: [registry],
        collect() {
          this.reset();
          for (const { s, labels } of labelsOf())
            for (const st of SITE_STATES) this.set({ ...labels, state: st }, s.state === st ? 1 : 0);
        },
      }),
  );
  once(
    registry,
    'diemcau_site_firing_alerts',
    () =>
      new Gauge({
        name: 'diemcau_site_firing_alerts',
        help: 'Alerts firing about the site',
        labelNames: SITE_LABELS,
        registers: [registry],
        collect() {
          this.reset();
          for (const { s, labels } of labelsOf()) this.set(labels, s.firing_alerts);
        },
      }),
  );
  once(
    registry,
    'diemcau_site_sample_age_seconds',
    () =>
      new Gauge({
        name: 'diemcau_site_sample_age_seconds',
        help: 'Age of the newest sample of the site (absent when never measured)',
        labelNames: SITE_LABELS,
        registers: [registry],
        collect() {
          this.reset();
          const now = Date.now();
          for (const { s, labels } of labelsOf())
            if (s.updated !== null) this.set(labels, (now - s.updated) / 1000);
        },
      }),
  );
  for (const v of SITE_VALUES) {
    once(
      registry,
      v.name,
      () =>
        new Gauge({
          name: v.name,
          help: v.help,
          labelNames: SITE_LABELS,
          registers: [registry],
          collect() {
            this.reset();
            for (const { s, labels } of labelsOf()) {
              const x = s.metrics[v.key];
              if (x !== undefined) this.set(labels, x);
            }
          },
        }),
    );
  }
  once(
    registry,
    'diemcau_live_clients',
    () =>
      new Gauge({
        name: 'diemcau_live_clients',
        help: 'Clients connected to the live stream',
        registers: [registry],
        collect() {
          this.set(live.clientCount());
        },
      }),
  );
  once(
    registry,
    'diemcau_live_events_total',
    () =>
      new Counter({
        name: 'diemcau_live_events_total',
        help: 'Events published on the live stream',
        registers: [registry],
        collect() {
          this.reset();
          this.inc(live.counters.events);
        },
      }),
  );
  once(
    registry,
    'diemcau_live_dropped_clients_total',
    () =>
      new Counter({
        name: 'diemcau_live_dropped_clients_total',
        help: 'Live clients dropped because they could not keep up',
        registers: [registry],
        collect() {
          this.reset();
          this.inc(live.counters.dropped);
        },
      }),
  );
  once(
    registry,
    'diemcau_store_healthy',
    () =>
      new Gauge({
        name: 'diemcau_store_healthy',
        help: 'Metrics store accepting writes (1) or spooling (0)',
        labelNames: ['kind'],
        registers: [registry],
        collect() {
          const h = store.health();
          this.reset();
          this.set({ kind: h.kind }, h.ok ? 1 : 0);
        },
      }),
  );
  once(
    registry,
    'diemcau_store_spooled',
    () =>
      new Gauge({
        name: 'diemcau_store_spooled',
        help: 'Samples waiting in the spool because the store could not take them',
        registers: [registry],
        collect() {
          this.set(store.health().spooled);
        },
      }),
  );

  const requests =
    (registry.getSingleMetric('diemcau_http_requests_total') as
      | Counter<'method' | 'route' | 'status'>
      | undefined) ??
    new Counter({
      name: 'diemcau_http_requests_total',
      help: 'HTTP requests served by the API',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    });
  const duration =
    (registry.getSingleMetric('diemcau_http_request_duration_seconds') as
      | Histogram<'method' | 'route'>
      | undefined) ??
    new Histogram({
      name: 'diemcau_http_request_duration_seconds',
      help: 'Time to the response headers, by route',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });

  return async (c, next) => {
    const start = performance.now();
    await next();
    let route = '(unmatched)';
    try {
      route = routePath(c);
    } catch {}
    if (route === '*' || route === '/*') route = c.req.path.startsWith('/api/') ? '(unmatched)' : '(static)';
    requests.inc({ method: c.req.method, route, status: String(c.res.status) });
    duration.observe({ method: c.req.method, route }, (performance.now() - start) / 1000);
  };
}
