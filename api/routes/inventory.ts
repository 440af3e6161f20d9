// /api/v1/inventory: the network as declared (districts, organisations, sites), without secrets.
import { createRoute, z } from '@hono/zod-openapi';
import { CARRIERS, ORG_KINDS, TIERS } from '../../inventory/schema.ts';
import { allow, canReadSite, type Deps, READ_ROLES } from '../context.ts';
import { ok, roles, SECURITY, subApp } from '../openapi.ts';

const InventoryView = z.object({
  network: z.object({ name: z.string(), province_gso: z.string(), noc: z.string() }),
  mcu: z.object({ id: z.string(), name: z.string(), operator: z.string() }),
  districts: z.array(
    z.object({
      id: z.string(),
      gso: z.string(),
      name: z.string(),
      type: z.string(),
      power_branch: z.string(),
      lat: z.number().nullable(),
      lon: z.number().nullable(),
    }),
  ),
  organisations: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      name_en: z.string().nullable(),
      kind: z.enum(ORG_KINDS),
      carrier: z.enum(CARRIERS).nullable(),
      district: z.string().nullable(),
    }),
  ),
  /** names and roles of the people behind the organisations and sites; e-mail hidden from host and viewer */
  people: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      title: z.string().nullable(),
      org: z.string().nullable(),
      email: z.string().nullable(),
    }),
  ),
  sites: z.array(
    z.object({
      id: z.string(),
      gso: z.string(),
      name: z.string(),
      tier: z.enum(TIERS),
      district: z.string(),
      carrier: z.enum(CARRIERS),
      lat: z.number().nullable(),
      lon: z.number().nullable(),
      host_org: z.string().nullable(),
      power: z.string(),
      technician: z.string(),
      link: z.object({ carrier: z.enum(CARRIERS), circuit: z.string(), bandwidth_mbps: z.number() }),
      mcu_port: z.number().nullable(),
      devices: z.number().int(),
    }),
  ),
});

export function inventoryRoutes(d: Deps) {
  const inv = d.rt.inventory;
  const app = subApp();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/inventory',
      summary: 'Danh mục mạng: huyện, tổ chức, điểm cầu / the network inventory',
      security: SECURITY,
      ...roles(...READ_ROLES),
      responses: ok(InventoryView, 'Danh mục / inventory'),
    }),
    (c) => {
      const a = allow(c, ...READ_ROLES);
      const i = inv.inventory;
      const full = a.user.role !== 'host' && a.user.role !== 'viewer';
      return c.json(
        {
          network: i.network,
          mcu: { id: i.mcu.id, name: i.mcu.name, operator: i.mcu.operator },
          districts: i.districts.map((x) => ({
            id: x.id,
            gso: x.gso,
            name: x.name,
            type: x.type,
            power_branch: x.power_branch,
            lat: x.lat ?? null,
            lon: x.lon ?? null,
          })),
          organisations: i.organisations.map((o) => ({
            id: o.id,
            name: o.name,
            name_en: o.name_en ?? null,
            kind: o.kind,
            carrier: o.carrier ?? null,
            district: o.district ?? null,
          })),
          people: i.people.map((p) => ({
            id: p.id,
            name: p.name,
            title: p.title ?? null,
            org: p.org ?? null,
            email: full ? (p.channels.email ?? null) : null,
          })),
          sites: i.sites
            .filter((s) => canReadSite(a.user, s.id))
            .map((s) => ({
              id: s.id,
              gso: s.gso,
              name: s.name,
              tier: s.tier,
              district: s.district,
              carrier: s.link.carrier,
              lat: s.lat ?? null,
              lon: s.lon ?? null,
              host_org: s.host_org ?? null,
              power: s.power,
              technician: s.technician,
              link: s.link,
              mcu_port: s.mcu_port ?? null,
              devices: s.devices.length,
            })),
        },
        200,
      );
    },
  );
  return app;
}
