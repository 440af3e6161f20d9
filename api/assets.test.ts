// /api/v1/assets over real HTTP: the register fed by identity events on the bus (as the collector
// publishes them) into a real state database, the hand fields and their validation, the history that
// merges identity changes, the real alert engine's episodes and the maintenance log, and the budget
// export read back (CSV parsed, the Word file unzipped).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AssetsService, startAssets } from '../assets/service.ts';
import { addLogEntry, syncInventoryDevices } from '../maintenance/log.ts';
import { Fleet } from '../test/helpers/alerts.ts';
import { type Client, clientsByRole, startTestApi, type TestEnv } from '../test/helpers/api.ts';
import { documentXml, wordTables, xmlText } from '../test/helpers/documents.ts';
import { listAudit } from './accounts.ts';
import type { ApiError, Role } from './contract.ts';

let env: TestEnv;
let assets: AssetsService;
let c: Record<Role, Client>;
let fleet: Fleet;
/** the technician's commune and its codec, UPS; a device elsewhere */
let own: string;
let codec: string;
let ups: string;
let elsewhere: string;
const DAY = 86_400_000;

/** "dd/mm/yyyy" of a time, in Bắc Kạn */
const vi = (t: number) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Ho_Chi_Minh',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
  }).format(t);

async function json<T>(res: Response, status = 200): Promise<T> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return JSON.parse(text) as T;
}
const error = async (res: Response, status: number) => (await json<ApiError>(res, status)).error;

/** RFC 4180 with ";" (the Vietnamese dialect reports/csv.ts writes) */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const s = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ';') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && s[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

function identity(device: string, site: string, data: Record<string, string>, time = Date.now()) {
  env.rt.bus.publishEvent({
    time,
    kind: 'identity',
    site,
    device,
    name: 'identity',
    detail: '',
    data: { ...data, garbage: false },
  });
}

beforeAll(async () => {
  env = await startTestApi({ sites: 6, base: 59, alerts: true });
  assets = startAssets(env.rt);
  fleet = new Fleet(env.rt.inventory);
  const sites = [...env.rt.inventory.sites.values()];
  own = sites.find((s) => s.tier === 'commune')!.id;
  const devs = [...env.rt.inventory.devices.values()];
  codec = devs.find((d) => d.site?.id === own && d.kind === 'codec')!.id;
  ups = devs.find((d) => d.site?.id === own && d.kind === 'ups')!.id;
  elsewhere = devs.find((d) => d.site && d.site.id !== own && d.kind === 'codec')!.id;
  c = await clientsByRole(env, [own]);
  identity(
    codec,
    own,
    { manufacturer: 'Poly', model: 'RealPresence Group 500', serial: '8210A1', software: '6.2.2' },
    Date.now() - 3 * DAY,
  );
  identity(
    codec,
    own,
    { model: 'RealPresence Group 500', serial: '8210A1', software: '6.2.3' },
    Date.now() - DAY,
  );
  identity(ups, own, { manufacturer: 'APC', model: 'Smart-UPS 1500', firmware: 'UPS 09.3' });
}, 60_000);
afterAll(async () => {
  await assets?.stop();
  await env?.stop();
});

describe('GET /assets', () => {
  it('lists every device of the inventory with its identity; technicians their sites only', async () => {
    const all = await json<{ items: { device: string; identity: Record<string, string> }[] }>(
      await c.noc.get('/api/v1/assets'),
    );
    expect(all.items).toHaveLength(env.rt.inventory.devices.size);
    expect(all.items.find((r) => r.device === codec)!.identity).toEqual({
      manufacturer: 'Poly',
      model: 'RealPresence Group 500',
      serial: '8210A1',
      software: '6.2.3',
    });
    const mine = await json<{ items: { device: string; site: string }[] }>(
      await c.technician.get('/api/v1/assets'),
    );
    expect(mine.items.length).toBeGreaterThan(0);
    expect(mine.items.every((r) => r.site === own)).toBe(true);
    expect((await error(await c.technician.get(`/api/v1/assets/${elsewhere}`), 404)).code).toBe('not_found');
    expect((await error(await c.host.get('/api/v1/assets'), 403)).code).toBe('forbidden');
    const kind = await json<{ items: { kind: string }[] }>(await c.viewer.get('/api/v1/assets?kind=ups'));
    expect(kind.items.length).toBeGreaterThan(0);
    expect(kind.items.every((r) => r.kind === 'ups')).toBe(true);
    expect((await error(await c.viewer.get('/api/v1/assets?kind=printer'), 400)).issues?.[0]?.path).toBe(
      'query.kind',
    );
  });
});

describe('PATCH /assets/{device}', () => {
  it('refuses a date that is no calendar day, a warranty before the install, unknown fields; viewers', async () => {
    const bad = await error(
      await c.noc.request('PATCH', `/api/v1/assets/${codec}`, { install_date: '31/02/2024' }),
      400,
    );
    expect(bad.issues).toEqual([expect.objectContaining({ path: 'body.install_date' })]);
    expect(bad.issues![0]!.message).toMatch(/không phải ngày hợp lệ dạng dd\/mm\/yyyy/);
    const order = await error(
      await c.noc.request('PATCH', `/api/v1/assets/${codec}`, {
        install_date: '15/03/2021',
        warranty_end: '2020-01-01',
      }),
      400,
    );
    expect(order.message).toMatch(/Hạn bảo hành phải sau ngày lắp đặt/);
    expect(order.issues![0]!.path).toBe('body.warranty_end');
    const unknown = await error(
      await c.noc.request('PATCH', `/api/v1/assets/${codec}`, { colour: 'xanh' }),
      400,
    );
    expect(unknown.issues![0]!.path).toMatch(/body/);
    const price = await error(
      await c.noc.request('PATCH', `/api/v1/assets/${codec}`, { purchase_price: -5 }),
      400,
    );
    expect(price.issues![0]!.path).toBe('body.purchase_price');
    expect(
      (await error(await c.viewer.request('PATCH', `/api/v1/assets/${codec}`, { supplier: 'x' }), 403)).code,
    ).toBe('forbidden');
    expect(
      (await error(await c.technician.request('PATCH', `/api/v1/assets/${codec}`, { supplier: 'x' }), 403))
        .code,
    ).toBe('forbidden');
    expect(
      (await error(await c.admin.request('PATCH', '/api/v1/assets/khong-co', { supplier: 'x' }), 404)).code,
    ).toBe('not_found');
    // nothing was stored by the refused requests
    const row = await json<{ install_date: string | null; supplier: string | null }>(
      await c.noc.get(`/api/v1/assets/${codec}`),
    );
    expect(row).toMatchObject({ install_date: null, supplier: null });
  });

  it('stores dd/mm/yyyy and ISO dates; age and warranty as of today; audited', async () => {
    const ends = Date.now() + 100 * DAY;
    const row = await json<Record<string, unknown>>(
      await c.noc.request('PATCH', `/api/v1/assets/${codec}`, {
        install_date: '15/03/2019',
        warranty_end: vi(ends),
        supplier: 'Công ty CP Viễn thông Bắc Kạn',
        purchase_price: 185_000_000,
      }),
    );
    expect(row).toMatchObject({
      install_date: '2019-03-15',
      warranty: 'expiring',
      supplier: 'Công ty CP Viễn thông Bắc Kạn',
    });
    expect(row.warranty_days_left).toBeGreaterThanOrEqual(99);
    expect(row.warranty_days_left).toBeLessThanOrEqual(101);
    expect(row.age_years).toBeGreaterThan(5);
    await json(
      await c.admin.request('PATCH', `/api/v1/assets/${ups}`, {
        install_date: '2024-06-01',
        warranty_end: '01/06/2029',
      }),
    );
    const u = await json<Record<string, unknown>>(await c.viewer.get(`/api/v1/assets/${ups}`));
    expect(u).toMatchObject({ warranty: 'valid', warranty_end: '2029-06-01' });
    // a later patch of one field keeps the others; clearing with null
    const cleared = await json<Record<string, unknown>>(
      await c.noc.request('PATCH', `/api/v1/assets/${ups}`, { warranty_end: null }),
    );
    expect(cleared).toMatchObject({ install_date: '2024-06-01', warranty_end: null, warranty: 'unknown' });
    const audit = listAudit(env.rt.state, { action: 'asset.update', limit: 10, offset: 0 });
    expect(audit.items.map((a) => a.target)).toEqual(expect.arrayContaining([codec, ups]));
  });
});

describe('GET /assets/{device}/history', () => {
  it('merges the identity change, the power episode at its site and the maintenance log, newest first', async () => {
    syncInventoryDevices(env.rt.state, env.rt.inventory);
    addLogEntry(env.rt.state, {
      at: Date.now() - 2 * DAY,
      site: own,
      devices: [codec],
      done: 'Cập nhật phần mềm codec',
      parts: '',
      by: 'Nguyễn Văn A',
      created_by: 'u-noc',
    });
    // the UPS on battery at the site: the real engine opens a power episode there
    const deadline = Date.now() + 20_000;
    for (;;) {
      env.rt.bus.publish(
        [...env.rt.inventory.sites.keys()].flatMap((s) =>
          fleet.healthy(s, Date.now(), s === own ? { ups: { ups_on_battery: 1, ups_runtime_min: 40 } } : {}),
        ),
      );
      env.alerts!.tickNow();
      if (env.alerts!.episodes().some((e) => e.sites.includes(own) && e.cause === 'power')) break;
      if (Date.now() > deadline) throw new Error('no power episode');
      await new Promise((r) => setTimeout(r, 250));
    }
    // the episode's members name the device whose readings held them: the UPS, not the codec
    const power = env.alerts!.episodes().find((e) => e.sites.includes(own) && e.cause === 'power')!;
    expect(power.members.map((m) => m.device)).toContain(ups);
    expect(power.members.map((m) => m.device)).not.toContain(codec);
    const upsHistory = await json<{ items: { kind: string }[] }>(
      await c.noc.get(`/api/v1/assets/${ups}/history`),
    );
    expect(upsHistory.items.map((i) => i.kind)).toContain('episode');
    const h = await json<{
      items: { kind: string; at: number; change?: Record<string, string>; entry?: { done: string } }[];
    }>(await c.technician.get(`/api/v1/assets/${codec}/history`));
    expect(h.items.map((i) => i.kind)).toEqual(['episode', 'identity', 'maintenance']);
    expect(h.items[1]!.change).toMatchObject({
      field: 'software',
      kind: 'upgrade',
      before: '6.2.2',
      after: '6.2.3',
    });
    expect(h.items[2]!.entry!.done).toBe('Cập nhật phần mềm codec');
    const times = h.items.map((i) => i.at);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const row = await json<{ faults_12m: number }>(await c.noc.get(`/api/v1/assets/${codec}`));
    expect(row.faults_12m).toBe(1);
    const other = await json<{ faults_12m: number }>(await c.noc.get(`/api/v1/assets/${elsewhere}`));
    expect(other.faults_12m).toBe(0);
  });
});

describe('GET /assets/export', () => {
  it('CSV: Vietnamese headers, dd/mm/yyyy, the warranty ending within a year named', async () => {
    const res = await c.viewer.get('/api/v1/assets/export?format=csv');
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="Danh-muc-thiet-bi/);
    const rows = parseCsv(await res.text());
    const head = rows[0]!;
    expect(head).toEqual(
      expect.arrayContaining([
        'Thiết bị',
        'Model',
        'Số sê-ri',
        'Ngày lắp đặt',
        'Hết bảo hành',
        'Số sự cố 12 tháng',
      ]),
    );
    expect(rows.length).toBe(1 + env.rt.inventory.devices.size);
    const col = (name: string) => head.indexOf(name);
    const mine = rows.find((r) => r[col('Thiết bị')] === codec)!;
    expect(mine[col('Ngày lắp đặt')]).toBe('15/03/2019');
    expect(mine[col('Hết bảo hành')]).toBe(vi(Date.now() + 100 * DAY));
    expect(mine[col('Tình trạng bảo hành')]).toMatch(/^Hết bảo hành trong 12 tháng \(còn \d+ ngày\)$/);
    expect(mine[col('Model')]).toBe('RealPresence Group 500');
    expect(mine[col('Số sự cố 12 tháng')]).toBe('1');
    // oldest first: the codec installed in 2019 heads the list
    expect(rows[1]![col('Thiết bị')]).toBe(codec);
    expect((await error(await c.viewer.get('/api/v1/assets/export?format=xls'), 400)).issues?.[0]?.path).toBe(
      'query.format',
    );
  });

  it('Word: the administrative document with the expiring warranties first, in bold', async () => {
    const res = await c.noc.get('/api/v1/assets/export?format=docx');
    expect(res.status).toBe(200);
    const xml = documentXml(Buffer.from(await res.arrayBuffer()));
    const text = xmlText(xml);
    expect(text).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(text).toMatch(
      /Danh mục thiết bị hệ thống hội nghị truyền hình trực tuyến phục vụ đề xuất kinh phí/,
    );
    expect(text).toContain('1 thiết bị hết bảo hành trong 12 tháng tới');
    const tables = wordTables(xml);
    const expiring = tables.find((t) => t[0]?.startsWith('STT') && t.length === 2)!;
    expect(expiring[1]).toContain(codec);
    expect(expiring[1]).toContain('15/03/2019');
    const row = [...xml.matchAll(/<w:tr[ >][\s\S]*?<\/w:tr>/g)]
      .map((m) => m[0])
      .find((r) => r.includes(codec))!;
    expect(row).toMatch(/<w:b\/>/);
  });
});
