// /metrics: everything in the runtime's prom-client registry, plus what the API knows: one set of
// gauges per site labelled site/tier/district/carrier (so a Prometheus can scrape the whole network
// from here), HTTP request counts and durations, live-stream clients, and the store's health.
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { LIVE_METRICS, METRICS, QUALITY_METRICS, QUALITY_SOURCES, statesOf } from '../core/metrics.ts';
import type { MetricsStore } from '../core/ports.ts';
import { SITE_STATES } from './contract.ts';
import type { LiveHub } from './live.ts';

const SITE_LABELS = ['site', 'tier', 'district', 'carrier'] as const;
const IS_QUALITY = new Set<string>(QUALITY_METRICS);

/** one gauge per live metric of core/metrics.ts, named after it: diemcau_site_<metric> */
const SITE_VALUES = LIVE_METRICS.map((key) => {
  const m = METRICS[key];
  const states = statesOf(key);
  const help = `${m.en}${m.unit ? `, ${m.unit}` : ''}${
    states
      ? ` (${Object.entries(states)
          .map(([v, n]) => `${v} ${n.en}`)
          .join(', ')})`
      : ''
  }${IS_QUALITY.has(key) ? ` — one series per source (${Object.keys(QUALITY_SOURCES).join(', ')})` : ''}`;
  return { key, name: `diemcau_site_${key}`, help, quality: IS_QUALITY.has(key) };
});

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
    once(registry, v.name, () =>
      v.quality
        ? // loss, jitter, RTT, MOS: each source's own figure, never mixed (source="mcu|codec|path")
          new Gauge({
            name: v.name,
            help: v.help,
            labelNames: [...SITE_LABELS, 'source'],
            registers: [registry],
            collect() {
              this.reset();
              for (const { s, labels } of labelsOf())
                for (const [source, f] of Object.entries(s.quality)) {
                  const x = f?.[v.key as (typeof QUALITY_METRICS)[number]];
                  if (x !== undefined) this.set({ ...labels, source }, x);
                }
            },
          })
        : new Gauge({
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
    'diemcau_site_headline_source',
    () =>
      new Gauge({
        name: 'diemcau_site_headline_source',
        help: "Whose figure is the site's headline loss/jitter/RTT/MOS: 1 for that source (precedence mcu, codec, path)",
        labelNames: [...SITE_LABELS, 'metric', 'source'],
        registers: [registry],
        collect() {
          this.reset();
          for (const { s, labels } of labelsOf())
            for (const [metric, source] of Object.entries(s.sources))
              if (source) this.set({ ...labels, metric, source }, 1);
        },
      }),
  );
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
