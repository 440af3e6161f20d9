// /api/v1/sites: every site with its current status and cause; one site with devices and contacts;
// a site's metrics over a range, downsampled to what a chart can show.
import { dirname } from 'node:path';
import { createRoute, z } from '@hono/zod-openapi';
import type { RuleSet } from '../../alerts/rules.ts';
import { METRIC_NAMES, METRICS, type MetricName, qualitySource, statesOf } from '../../core/metrics.ts';
import { describeHours, siteHours } from '../../inventory/hours.ts';
import { readSecret } from '../../inventory/load.ts';
import type { Organisation, Person, SecretRef } from '../../inventory/schema.ts';
import { CARRIERS, TIERS } from '../../inventory/schema.ts';
import { allow, canReadAlert, canReadSite, type Deps, READ_ROLES } from '../context.ts';
import { Alert, GrafanaLink, SITE_STATES, SiteStatus, Threshold } from '../contract.ts';
import { ApiFailure, forbidden, notFound } from '../errors.ts';
import { grafanaLinks } from '../grafana-links.ts';
import { ok, okOr404, page, pageQuery, roles, SECURITY, subApp } from '../openapi.ts';
import { thresholdsOf } from '../thresholds.ts';
import { QueryTime } from './meetings.ts';

/** "a,b" → ["a","b"], each checked against `values` */
function csvOf<T extends string>(values: readonly T[], what: string) {
  return z
    .string()
    .transform((s, ctx) => {
      const list = s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
      for (const v of list) {
        if (!values.includes(v as T)) {
          ctx.addIssue({
            code: 'custom',
            message: `${what} "${v}" không tồn tại; chọn trong / must be one of: ${values.join(', ')}`,
          });
          return z.NEVER;
        }
      }
      return list as T[];
    })
    .optional();
}

const SiteListQuery = z
  .object({
    tier: csvOf(TIERS, 'cấp / tier'),
    state: csvOf(SITE_STATES, 'trạng thái / state'),
    carrier: csvOf(CARRIERS, 'nhà mạng / carrier'),
    district: z.string().max(500).optional(),
    q: z.string().max(100).optional(),
    ...pageQuery(1000, 1000),
  })
  .strict();

const SiteList = z.object({
  items: z.array(SiteStatus),
  total: z.number().int(),
  limit: z.number(),
  offset: z.number(),
});

const Contact = z.object({
  id: z.string(),
  name: z.string(),
  title: z.string().nullable(),
  org: z.string().nullable(),
  /** hidden from host and viewer roles */
  email: z.string().nullable(),
  /** the number to call (the inventory's secret reference, resolved); admin and noc only */
  phone: z.string().nullable(),
});
const OrgContacts = z.object({ id: z.string(), name: z.string(), people: z.array(Contact) });

const SiteDetail = z.object({
  site: SiteStatus,
  link: z.object({ carrier: z.enum(CARRIERS), circuit: z.string(), bandwidth_mbps: z.number() }),
  mcu_port: z.number().nullable(),
  host_org: z.object({ id: z.string(), name: z.string() }).nullable(),
  devices: z.array(
    z.object({ id: z.string(), kind: z.string(), profile: z.string(), address: z.string().nullable() }),
  ),
  contacts: z.object({
    technician: Contact.nullable(),
    carrier: OrgContacts.nullable(),
    power: OrgContacts.nullable(),
    mcu: OrgContacts.nullable(),
  }),
  alerts: z.array(Alert),
  /** the site's Grafana dashboards when `grafana.url` is configured, else empty */
  grafana: z.array(GrafanaLink),
  /** operating hours (Điều 5.6): the site's own or the default, in words; within them now */
  hours: z.object({ vi: z.string(), en: z.string(), own: z.boolean(), now: z.boolean() }),
});

const SiteParam = z.object({ id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'mã điểm cầu / site id') });

const MetricsQuery = z
  .object({
    metric: csvOf(METRIC_NAMES, 'chỉ số / metric'),
    /** ms since the epoch or a date(-time), between 2000 and 2099 */
    from: QueryTime.optional(),
    to: QueryTime.optional(),
    points: z.coerce.number().int().min(2).max(2000).default(300),
    device: z.string().max(100).optional(),
  })
  .strict();

const Bucket = z.object({
  time: z.number(),
  mean: z.number(),
  min: z.number(),
  max: z.number(),
  p95: z.number(),
  count: z.number(),
});
const MetricsResult = z.object({
  site: z.string(),
  from: z.number(),
  to: z.number(),
  bucket_ms: z.number(),
  series: z.array(
    z.object({
      metric: z.string(),
      unit: z.string(),
      label: z.string(),
      /** a state metric's named values ("1": "Chạy pin / on battery"); absent for measurements */
      states: z.record(z.string(), z.string()).optional(),
      device: z.string(),
      instance: z.string().optional(),
      probe: z.string().optional(),
      /** loss/jitter/RTT/MOS: whose figure the series is (mcu port, codec, path probe), never mixed */
      source: z.enum(['mcu', 'codec', 'path']).optional(),
      buckets: z.array(Bucket),
    }),
  ),
  /** the running alert rules' lines for the metrics asked (empty without the alert engine) */
  thresholds: z.array(Threshold),
});

const MAX_SPAN_MS = 400 * 86400_000;

export function siteRoutes(d: Deps) {
  const { rt, live } = d;
  const inv = rt.inventory;
  const hours = siteHours(rt.config.operations, inv);
  const app = subApp();
  let cache = { version: -1, body: new Uint8Array(), limit: 0 };

  const inventoryDir = dirname(inv.file);
  /** what the asking role may read of a person: e-mail (not host, viewer), phone (the NOC only) */
  type Reveal = { email: boolean; phone: boolean };
  const person = (id: string | undefined, show: Reveal): z.infer<typeof Contact> | null => {
    const p: Person | undefined = id ? inv.people.get(id) : undefined;
    if (!p) return null;
    const phoneRef = p.channels.phone as SecretRef | undefined;
    return {
      id: p.id,
      name: p.name,
      title: p.title ?? null,
      org: p.org ?? null,
      email: show.email ? (p.channels.email ?? null) : null,
      // resolved as the pager resolves it (alerts/index.ts), at each request: a rotated number shows at once
      phone: show.phone && phoneRef ? (readSecret(phoneRef, inventoryDir) ?? null) : null,
    };
  };
  const org = (o: Organisation | undefined, show: Reveal) =>
    o
      ? {
          id: o.id,
          name: o.name,
          people: o.contacts.map((c) => person(c, show)).filter((x) => x !== null),
        }
      : null;
  /** the rules the alert engine runs (alerts.rules), when it runs in this process */
  const runningRules = (): RuleSet['rules'] => {
    const r = (d.alerts as { rules?: RuleSet } | null)?.rules;
    return r?.rules ?? [];
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/sites',
      summary: 'Các điểm cầu và trạng thái hiện tại / sites with current status and cause',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: { query: SiteListQuery },
      responses: ok(SiteList, 'Danh sách / list'),
    }),
    (c) => {
      const a = allow(c, ...READ_ROLES);
      const q = c.req.valid('query');
      const unfiltered =
        a.user.role !== 'technician' &&
        !q.tier &&
        !q.state &&
        !q.carrier &&
        !q.district &&
        !q.q &&
        q.offset === 0;
      if (unfiltered && q.limit >= live.list().length) {
        // the wall screens all ask for the same list: serialise it once per change
        if (cache.version !== live.version) {
          const items = live.list();
          cache = {
            version: live.version,
            body: new TextEncoder().encode(
              JSON.stringify({ items, total: items.length, limit: q.limit, offset: 0 }),
            ),
            limit: q.limit,
          };
        }
        if (cache.limit === q.limit)
          return c.body(cache.body, 200, { 'content-type': 'application/json; charset=utf-8' }) as never;
      }
      const districts = q.district?.split(',').filter(Boolean);
      const needle = q.q?.toLowerCase().normalize('NFC');
      const all = live
        .list()
        .filter(
          (s) =>
            canReadSite(a.user, s.id) &&
            (!q.tier || q.tier.includes(s.tier)) &&
            (!q.state || q.state.includes(s.state)) &&
            (!q.carrier || q.carrier.includes(s.carrier)) &&
            (!districts || districts.includes(s.district)) &&
            (!needle || s.name.toLowerCase().includes(needle) || s.id.includes(needle) || s.gso === needle),
        );
      return c.json(page(all, q), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/sites/{id}',
      summary: 'Một điểm cầu: thiết bị, liên hệ, cảnh báo / one site with devices, contacts and alerts',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: { params: SiteParam },
      responses: okOr404(SiteDetail, 'Điểm cầu / the site'),
    }),
    (c) => {
      const a = allow(c, ...READ_ROLES);
      const { id } = c.req.valid('param');
      const site = inv.sites.get(id);
      if (!site) throw notFound(`điểm cầu "${id}"`);
      if (!canReadSite(a.user, id)) throw forbidden('xem điểm cầu này');
      const full = a.user.role !== 'host' && a.user.role !== 'viewer';
      // numbers are the NOC's, as the delivery log of an episode (GET /episodes/{id})
      const show = { email: full, phone: a.user.role === 'admin' || a.user.role === 'noc' };
      const carrierOrg = [...inv.organisations.values()].find(
        (o) => o.kind === 'carrier' && o.carrier === site.link.carrier,
      );
      const alerts = d.alerts
        ? d.alerts
            .list()
            .filter(
              (x) =>
                x.state !== 'resolved' && (x.site === id || x.sites.includes(id)) && canReadAlert(a.user, x),
            )
        : [];
      return c.json(
        {
          site: live.get(id)!,
          link: site.link,
          mcu_port: site.mcu_port ?? null,
          host_org: site.host_org
            ? { id: site.host_org, name: inv.organisations.get(site.host_org)?.name ?? site.host_org }
            : null,
          devices: site.devices.map((dv) => ({
            id: dv.id,
            kind: dv.kind,
            // an SNMP device's profile, or the management API it is read through (cisco-xapi)
            profile: dv.profile ?? dv.protocol,
            address: full ? dv.address : null,
          })),
          contacts: {
            technician: person(site.technician, show),
            carrier: org(carrierOrg, show),
            power: org(inv.organisations.get(site.power), show),
            mcu: org(inv.organisations.get(inv.inventory.mcu.operator), show),
          },
          alerts,
          grafana: grafanaLinks(rt.config.grafana.url, { id, district: site.district, tier: site.tier }),
          hours: {
            ...describeHours(hours.of(id)),
            own: site.hours !== undefined,
            now: hours.inHours(id, Date.now()),
          },
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/sites/{id}/metrics',
      summary:
        'Số liệu đo của điểm cầu theo khoảng thời gian, đã gộp ≤ points điểm / metrics over a range, downsampled',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: { params: SiteParam, query: MetricsQuery },
      responses: okOr404(MetricsResult, 'Chuỗi số liệu / series'),
    }),
    async (c) => {
      const a = allow(c, ...READ_ROLES);
      const { id } = c.req.valid('param');
      const q = c.req.valid('query');
      if (!inv.sites.has(id)) throw notFound(`điểm cầu "${id}"`);
      if (!canReadSite(a.user, id)) throw forbidden('xem điểm cầu này');
      const to = q.to ?? Date.now();
      const from = q.from ?? to - 6 * 3600_000;
      if (from >= to)
        throw new ApiFailure(400, 'invalid_request', 'from phải nhỏ hơn to / from must be before to', [
          { path: 'query.from', message: 'phải nhỏ hơn to / must be less than to' },
        ]);
      if (to - from > MAX_SPAN_MS)
        throw new ApiFailure(
          400,
          'invalid_request',
          'Khoảng thời gian tối đa 400 ngày / range is at most 400 days',
          [{ path: 'query.from', message: 'quá xa / too far back' }],
        );
      // buckets aligned to multiples of bucketMs can add one at the edge: divide by points - 1
      const bucketMs = Math.max(1000, Math.ceil((to - from) / (q.points - 1)));
      const metrics: MetricName[] = q.metric?.length ? q.metric : ['rtt_ms', 'loss_pct', 'jitter_ms'];
      const series = [];
      for (const metric of metrics) {
        const res = await d.store.aggregate({
          metric,
          site: id,
          ...(q.device && { device: q.device }),
          from,
          to,
          bucketMs,
        });
        const named = statesOf(metric);
        const states =
          named && Object.fromEntries(Object.entries(named).map(([v, n]) => [v, `${n.vi} / ${n.en}`]));
        for (const s of res) {
          const source =
            metric === 'loss_pct' || metric === 'jitter_ms' || metric === 'rtt_ms' || metric === 'mos'
              ? (qualitySource(s.probe, inv.devices.get(s.device)?.kind) ?? 'path')
              : undefined;
          series.push({
            metric,
            unit: METRICS[metric].unit,
            label: `${METRICS[metric].vi} / ${METRICS[metric].en}`,
            ...(states && { states }),
            device: s.device,
            ...(s.instance !== undefined && { instance: s.instance }),
            ...(s.probe !== undefined && { probe: s.probe }),
            ...(source && { source }),
            buckets: s.buckets.slice(-q.points),
          });
        }
      }
      return c.json(
        {
          site: id,
          from,
          to,
          bucket_ms: bucketMs,
          series,
          thresholds: thresholdsOf(runningRules(), metrics),
        },
        200,
      );
    },
  );

  return app;
}
