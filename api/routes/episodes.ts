// /api/v1/episodes: fault episodes, the unit the alert engine pages, acknowledges, escalates and
// resolves (issue 12). Each carries its members (the alerts it explains), its cause history and the
// messages sent. One acknowledge for the episode and all its children; re-attribution of the cause is
// the NOC's. Technicians see the episodes touching their sites and act on those wholly their own.
import { createRoute, z } from '@hono/zod-openapi';
import type { UserRecord } from '../accounts.ts';
import { allow, auditFrom, canReadAlert, type Deps, OPERATE_ROLES, READ_ROLES } from '../context.ts';
import {
  type Alert,
  CAUSES,
  EPISODE_STATES,
  Episode,
  type EpisodeDelivery,
  EpisodeDetail,
  SEVERITIES,
} from '../contract.ts';
import { ApiFailure, forbidden, notFound } from '../errors.ts';
import { jsonBody, ok, okOr404, page, pageQuery, roles, SECURITY, subApp } from '../openapi.ts';
import { Ack, engine } from './alerts.ts';

const EpisodeQuery = z
  .object({
    state: z.enum(EPISODE_STATES).optional(),
    /** include resolved episodes (default: every state but resolved) */
    all: z.enum(['true', 'false']).optional(),
    site: z.string().max(100).optional(),
    district: z.string().max(100).optional(),
    severity: z.enum(SEVERITIES).optional(),
    ...pageQuery(500, 100),
  })
  .strict();

const EpisodeId = z.object({ id: z.string().min(1).max(100) });

const Reassign = z
  .object({
    cause: z.enum(CAUSES),
    reason: z.string().trim().min(1, 'cần lý do chuyển / a reason is required').max(1000),
  })
  .strict();

/** Technicians see the episodes touching one of their sites (as alerts); everyone else sees all. */
export function canReadEpisode(user: UserRecord, e: Pick<Episode, 'sites'>): boolean {
  if (user.role !== 'technician') return true;
  return e.sites.some((s) => user.sites.includes(s));
}

/** admin and noc act on every episode; a technician on one whose sites are all theirs (as alerts). */
export function canOperateEpisode(user: UserRecord, e: Pick<Episode, 'sites'>): boolean {
  if (user.role === 'admin' || user.role === 'noc') return true;
  if (user.role !== 'technician') return false;
  return e.sites.length > 0 && e.sites.every((s) => user.sites.includes(s));
}

/** The outbox rows the engine keeps for a message subject, when it exposes them (`deliveries`). */
type DeliveryRow = {
  id: number;
  alert_id: string | null;
  channel: string;
  recipient: string;
  person: string | null;
  kind: string;
  subject: string;
  state: EpisodeDelivery['state'];
  attempts: number;
  created_at: number;
  sent_at: number | null;
  last_error: string | null;
};
type WithDeliveries = { deliveries(about: string): DeliveryRow[] };

function hasDeliveries(e: unknown): e is WithDeliveries {
  return typeof (e as Partial<WithDeliveries> | null)?.deliveries === 'function';
}

/** An engine error about a known episode, in the API's one error format (404 / 409), else rethrown. */
function engineFailure(err: unknown, id: string): never {
  const msg = err instanceof Error ? err.message : String(err);
  if (/not found|unknown/i.test(msg)) throw notFound(`đợt sự cố "${id}"`);
  if (/resolved|closed|conflict|already/i.test(msg))
    throw new ApiFailure(409, 'conflict', `Xung đột / Conflict: ${msg}`);
  throw err;
}

export function episodeRoutes(d: Deps) {
  const { rt } = d;
  const app = subApp();

  const find = (id: string): Episode => {
    const found = engine(d).episode(id);
    if (!found) throw notFound(`đợt sự cố "${id}"`);
    return found;
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/episodes',
      summary:
        'Các đợt sự cố (mỗi đợt báo một lần, kèm cảnh báo thành phần, lịch sử nguyên nhân, tin đã gửi) / fault episodes',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: { query: EpisodeQuery },
      responses: ok(
        z.object({ items: z.array(Episode), total: z.number().int(), limit: z.number(), offset: z.number() }),
        'Danh sách, mới nhất trước / list, newest first',
      ),
    }),
    (c) => {
      const a = allow(c, ...READ_ROLES);
      const q = c.req.valid('query');
      const wide = q.all === 'true' || q.state !== undefined;
      const list = (d.alerts?.episodes({ ...(q.state && { state: q.state }), all: wide }) ?? [])
        .filter(
          (e) =>
            canReadEpisode(a.user, e) &&
            (q.state ? e.state === q.state : wide || e.state !== 'resolved') &&
            (!q.site || e.sites.includes(q.site)) &&
            (!q.district ||
              e.district === q.district ||
              e.sites.some((s) => rt.inventory.sites.get(s)?.district === q.district)) &&
            (!q.severity || e.severity === q.severity),
        )
        .sort((x, y) => y.started_at - x.started_at);
      return c.json(page(list, q), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/episodes/{id}',
      summary:
        'Một đợt sự cố, kèm đầy đủ các cảnh báo thành phần và tin đã gửi (admin, noc) / one episode with its member alerts and deliveries',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: { params: EpisodeId },
      responses: okOr404(EpisodeDetail, 'Đợt sự cố / the episode'),
    }),
    (c) => {
      const a = allow(c, ...READ_ROLES);
      const { id } = c.req.valid('param');
      const e = engine(d);
      const ep = find(id);
      if (!canReadEpisode(a.user, ep)) throw forbidden('xem đợt sự cố này');
      const alerts = ep.members
        .map((m) => e.get(m.alert))
        .filter((x): x is Alert => x !== undefined && canReadAlert(a.user, x));
      const body: EpisodeDetail = { ...ep, alerts };
      // addresses and numbers are for the NOC only (as in GET /inventory)
      if ((a.user.role === 'admin' || a.user.role === 'noc') && hasDeliveries(e)) {
        const seen = new Map<number, EpisodeDelivery>();
        for (const about of [ep.id, ...ep.members.map((m) => m.alert)])
          for (const r of e.deliveries(about))
            seen.set(r.id, {
              id: r.id,
              about: r.alert_id,
              channel: r.channel,
              recipient: r.recipient,
              person: r.person,
              kind: r.kind,
              subject: r.subject,
              state: r.state,
              attempts: r.attempts,
              created_at: r.created_at,
              sent_at: r.sent_at,
              last_error: r.last_error,
            });
        body.deliveries = [...seen.values()].sort((x, y) => x.created_at - y.created_at || x.id - y.id);
      }
      return c.json(body, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/episodes/{id}/ack',
      summary:
        'Xác nhận đợt sự cố kèm ghi chú: dừng leo thang và nhắc lại cho mọi cảnh báo thành phần / acknowledge an episode and all its children',
      security: SECURITY,
      ...roles(...OPERATE_ROLES),
      request: { params: EpisodeId, body: jsonBody(Ack) },
      responses: okOr404(Episode, 'Đã xác nhận / acknowledged'),
    }),
    (c) => {
      const a = allow(c, ...OPERATE_ROLES);
      const { id } = c.req.valid('param');
      const { comment } = c.req.valid('json');
      const ep = find(id);
      if (!canOperateEpisode(a.user, ep)) throw forbidden('xác nhận đợt sự cố của điểm cầu khác');
      if (ep.state === 'resolved')
        throw new ApiFailure(409, 'conflict', 'Đợt sự cố đã kết thúc / The episode is already resolved');
      let updated: Episode;
      try {
        updated = engine(d).acknowledgeEpisode(id, a.user.name, comment);
      } catch (err) {
        engineFailure(err, id);
      }
      auditFrom(c, rt, 'episode.ack', id, { comment, sites: ep.sites });
      return c.json(updated, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/episodes/{id}/reassign',
      summary:
        'Chuyển đơn vị xử lý: đổi nguyên nhân, ghi vào lịch sử, báo đơn vị cũ và mới (admin, noc) / re-attribute the cause',
      security: SECURITY,
      ...roles('admin', 'noc'),
      request: { params: EpisodeId, body: jsonBody(Reassign) },
      responses: okOr404(Episode, 'Đã chuyển / reassigned'),
    }),
    (c) => {
      const a = allow(c, 'admin', 'noc');
      const { id } = c.req.valid('param');
      const { cause, reason } = c.req.valid('json');
      const ep = find(id);
      if (ep.state === 'resolved')
        throw new ApiFailure(409, 'conflict', 'Đợt sự cố đã kết thúc / The episode is already resolved');
      if (ep.cause === cause)
        throw new ApiFailure(
          409,
          'conflict',
          `Đợt sự cố đã có nguyên nhân "${cause}" / The episode's cause is already "${cause}"`,
          [{ path: 'body.cause', message: 'không đổi / unchanged' }],
        );
      let updated: Episode;
      try {
        updated = engine(d).reassign(id, { cause }, a.user.name, reason);
      } catch (err) {
        engineFailure(err, id);
      }
      auditFrom(c, rt, 'episode.reassign', id, {
        from: { cause: ep.cause, owner_org: ep.owner_org, owner_person: ep.owner_person },
        to: { cause: updated.cause, owner_org: updated.owner_org, owner_person: updated.owner_person },
        reason,
      });
      return c.json(updated, 200);
    },
  );

  return app;
}
