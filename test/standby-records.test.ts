// Issue 21: the standby NOC has the regulation's records too, not only the alert state. Two `diemcau
// serve` runtimes on one real `nats-server -js` and one real SMTP server. On the active: a meeting is
// registered (its notices held by a relay that refuses), a user is created, a silence and a maintenance
// window are set — through the API — and an account is added as the CLI does (straight into the state
// database). The standby shows them, lets the user sign in, refuses writes naming the active. The active
// dies: the new active shows the meeting, sends its notices (each once) and runs its readiness test, the
// user signs in there, the silence and the window hold the engine (a site outside them is paged). A
// third server that joins empty reads the whole shared state. Loopback: nats-server, SMTP and the HTTP
// servers on 127.166.0.1; the synthetic inventory on 127.167 (nothing polled answers).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../api/server.ts';
import { type Running, start } from '../cli/serve.ts';
import { generateInventory, syntheticUnits } from '../inventory/generate.ts';
import { loadInventory } from '../inventory/load.ts';
import { REPLICATED } from '../storage/replication.ts';
import { TEST_SECRETS } from './helpers/agents.ts';
import { Client, TEST_PASSWORD } from './helpers/api.ts';
import { type NatsServer, startNatsServer } from './helpers/nats-server.ts';
import { type SmtpSink, startSmtp } from './helpers/servers.ts';
import { type StandbyPair, standbyConfig, startPair, UpsFeed, until } from './helpers/standby.ts';

const HOST = '127.166.0.1';
const NEW_TECH = 'kt-so-tttt-moi';
const NEW_TECH_MAIL = 'hoang-van-moi@site.diemcau.example';
const dir = mkdtempSync(join(tmpdir(), 'diemcau-standby-records-'));
const STREAM = 'DIEMCAU_HA_RECORDS_TEST';
let nats: NatsServer;
let smtp: SmtpSink;
let a: Running | undefined;
let b: Running | undefined;
let c: Running | undefined;
let nc: NatsConnection;
let feed: UpsFeed | undefined;

const pairOf = (): StandbyPair => ({
  dir,
  host: HOST,
  natsUrl: nats.url,
  smtpPort: smtp.port,
  stream: STREAM,
  stateStream: 'DIEMCAU_STATE_RECORDS_TEST',
});
const configFile = (instance: string) => standbyConfig(pairOf(), instance);

const env = { ...process.env, ...TEST_SECRETS };

beforeAll(async () => {
  nats = await startNatsServer(undefined, HOST);
  smtp = await startSmtp(0, HOST);
  [a, b] = await startPair(
    pairOf(),
    generateInventory(syntheticUnits(40), { title: 'Thử nghiệm hồ sơ dự phòng', base: 167 }),
    env,
  );
  nc = await connect({ servers: nats.url });
}, 60_000);

afterAll(async () => {
  feed?.stop();
  await nc?.close();
  await c?.stop();
  await b?.stop();
  await a?.stop();
  await smtp?.close();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const episodeAt = (r: Running, site: string) => {
  const row = r.runtime.state
    .prepare(`SELECT id, body FROM episodes WHERE state <> 'resolved' AND body LIKE ? AND body LIKE ?`)
    .get('%"cause":"power"%', `%"sites":["${site}"]%`) as { id: string; body: string } | undefined;
  return (
    row && {
      id: row.id,
      suppressed_by: (JSON.parse(row.body) as { episode: { suppressed_by: string | null } }).episode
        .suppressed_by,
    }
  );
};
const noticeRows = (r: Running, meeting: string) =>
  (
    r.runtime.state
      .prepare('SELECT idempotency_key AS key, state FROM outbox WHERE idempotency_key LIKE ? ORDER BY 1')
      .all(`meeting/${meeting}/%`) as { key: string; state: string }[]
  ).filter((x) => x.key.includes('/email/'));
const errorOf = async (res: Response) =>
  ((await res.json()) as { error: { code: string; message: string } }).error;
/** Bắc Kạn's wall clock (UTC+7) `min` minutes from now, HH:MM */
const localClock = (min: number) =>
  new Date(Date.now() + 7 * 3_600_000 + min * 60_000).toISOString().slice(11, 16);

describe('the standby has the records too: meetings, people, holds', () => {
  let sites: string[];
  let meetingId = '';
  let silenceId = '';
  const windowId = 'bao-tri-khan-ghi';
  let admin: Client;
  let oldTechMail = '';

  beforeAll(() => {
    // the meeting's two province sites; then one site per power branch (a branch's cut is one episode):
    // the silenced one, the one in maintenance, and one outside both
    sites = ['tinh-uy', 'hdnd-tinh', 'huyen-huyen-1', 'huyen-huyen-2', 'so-tttt'];
    const inv = loadInventory(join(dir, 'inventory.yaml'));
    expect(new Set(sites.slice(2).map((s) => inv.sites.get(s)!.power)).size).toBe(3);
    oldTechMail = inv.people.get(inv.sites.get(sites[4]!)!.technician)!.channels.email!;
    expect(oldTechMail).toBeTypeOf('string');
    feed = new UpsFeed(nc, join(dir, 'inventory.yaml'), 'huyen-ghi').start();
  });

  it('what the active records reaches the standby, which shows it and refuses to change it', {
    timeout: 60_000,
  }, async () => {
    // an account added as `diemcau user add` does: straight into the active's state database
    await createUser(a!.runtime.state, { name: 'u-quan-tri', role: 'admin', password: TEST_PASSWORD });
    admin = new Client(a!.url);
    expect((await admin.login('u-quan-tri', TEST_PASSWORD)).ok).toBe(true);
    const created = await admin.request('POST', '/api/v1/users', {
      name: 'u-truc-ban',
      role: 'noc',
      password: TEST_PASSWORD,
    });
    expect(created.status).toBe(200);
    // a new technician for the control site, edited through the API (Điều 10, 13.2)
    const person = await admin.request('POST', '/api/v1/people', {
      id: NEW_TECH,
      name: 'Hoàng Văn Mới',
      title: 'Công chức văn phòng',
      email: NEW_TECH_MAIL,
    });
    expect(person.status).toBe(201);
    const replaced = await admin.request('POST', `/api/v1/sites/${sites[4]}/technician`, {
      person: NEW_TECH,
      reason: 'Cán bộ cũ chuyển công tác',
    });
    expect(replaced.status).toBe(200);

    // a meeting four days ahead; the relay refuses for now, so its notices wait in the outbox
    smtp.accepting = false;
    const day = 86_400_000;
    const t0 = Math.ceil((Date.now() + 4 * day) / 3_600_000) * 3_600_000;
    const reg = await admin.request('POST', '/api/v1/meetings', {
      title: 'Hội nghị giao ban trực tuyến quý IV',
      host_org: 'vp-ubnd-tinh',
      start: t0,
      end: t0 + 2 * 3_600_000,
      sites: [sites[0], sites[1]],
    });
    expect(reg.status).toBe(201);
    meetingId = ((await reg.json()) as { meeting: { id: string } }).meeting.id;

    // the engine's holds: a silence on one site, a maintenance window now on another
    const sil = await admin.request('POST', '/api/v1/silences', {
      matchers: { site: sites[2] },
      duration_min: 120,
      comment: 'Thay ắc quy UPS',
    });
    expect(sil.status).toBe(200);
    silenceId = ((await sil.json()) as { id: string }).id;
    const win = await admin.request('POST', '/api/v1/maintenance', {
      id: windowId,
      scope: { site: sites[3] },
      weekdays: [],
      start: localClock(-30),
      duration_min: 240,
      comment: 'Bảo trì đường truyền',
    });
    expect(win.status).toBe(200);
    await until('the notices recorded at the active', () => noticeRows(a!, meetingId).length > 0, 10_000);

    // the standby has them: the rows, the API's answers, the user's password
    const has = (sql: string, ...args: unknown[]) => b!.runtime.state.prepare(sql).get(...args) !== undefined;
    await until(
      'the records at the standby',
      () =>
        has('SELECT 1 FROM meetings WHERE id = ?', meetingId) &&
        has('SELECT 1 FROM users WHERE name = ?', 'u-truc-ban') &&
        has('SELECT 1 FROM users WHERE name = ?', 'u-quan-tri') &&
        has('SELECT 1 FROM silences WHERE id = ?', silenceId) &&
        has('SELECT 1 FROM maintenance_windows WHERE id = ?', windowId),
      10_000,
    );
    const noc = new Client(b!.url);
    expect((await noc.login('u-truc-ban', TEST_PASSWORD)).ok).toBe(true);
    const m = await noc.get(`/api/v1/meetings/${meetingId}`);
    expect(m.status).toBe(200);
    expect(((await m.json()) as { meeting: { sites: string[] } }).meeting.sites.sort()).toEqual(
      [sites[0], sites[1]].sort(),
    );
    await until(
      'the standby to list the silence',
      async () =>
        ((await (await noc.get('/api/v1/silences')).json()) as { items: { id: string }[] }).items.some(
          (s) => s.id === silenceId,
        ),
      5000,
    );
    // the audit log of the active's changes is there too
    const auditor = new Client(b!.url);
    expect((await auditor.login('u-quan-tri', TEST_PASSWORD)).ok).toBe(true);
    const audit = (await (await auditor.get('/api/v1/audit')).json()) as { items: { action: string }[] };
    expect(audit.items.map((x) => x.action)).toEqual(
      expect.arrayContaining(['meeting.register', 'user.create', 'silence.create']),
    );

    // writes to shared records are refused on the standby, naming the active
    for (const [method, path, body] of [
      [
        'POST',
        '/api/v1/meetings',
        { title: 'x', host_org: 'vp-ubnd-tinh', start: t0, end: t0 + 1, sites: [] },
      ],
      ['POST', '/api/v1/users', { name: 'u-khac', role: 'viewer' }],
      ['POST', `/api/v1/meetings/${meetingId}/cancel`, { reason: 'thử' }],
      ['DELETE', `/api/v1/maintenance/${windowId}`, undefined],
    ] as const) {
      const res = await noc.request(method, path, body);
      expect(res.status, path).toBe(503);
      expect(await errorOf(res), path).toMatchObject({
        code: 'standby',
        message: expect.stringContaining('noc-a'),
      });
    }
    expect(has('SELECT 1 FROM meetings WHERE id = ? AND cancelled_at IS NULL', meetingId)).toBe(true);
  });

  it('after the active dies the new one has the meeting, sends its notices, lets the user in and is held', {
    timeout: 90_000,
  }, async () => {
    const pending = noticeRows(a!, meetingId);
    expect(pending.length).toBeGreaterThan(0);
    expect(pending.every((r) => r.state !== 'sent')).toBe(true);
    await until(
      'the notices at the standby',
      () => noticeRows(b!, meetingId).length === pending.length,
      10_000,
    );

    await a!.standby!.abandon();
    await a!.stop();
    a = undefined;
    await until('noc-b to take the lease', () => b!.standby!.status().role === 'active', 20_000);

    // the meeting's notices go out from the new active, each once
    smtp.accepting = true;
    const noticeMails = () => smtp.mails.filter((m) => m.key.startsWith(`meeting/${meetingId}/`));
    await until('the notices from noc-b', () => noticeMails().length >= pending.length, 20_000);
    expect(new Set(noticeMails().map((m) => m.key))).toEqual(new Set(pending.map((r) => r.key)));
    expect(noticeMails()).toHaveLength(pending.length);

    // the user created on the dead server signs in on the new one, which now accepts changes
    const noc = new Client(b!.url);
    expect((await noc.login('u-truc-ban', TEST_PASSWORD)).ok).toBe(true);
    const run = await noc.request('POST', `/api/v1/meetings/${meetingId}/readiness`);
    expect(run.status).toBe(200);
    expect(((await run.json()) as { total: number }).total).toBe(2);

    // power cuts at the silenced site, the site in maintenance, and one outside both
    feed!.onBattery.set(sites[2]!, 1);
    feed!.onBattery.set(sites[3]!, 1);
    feed!.onBattery.set(sites[4]!, 1);
    await until(
      'the page for the site outside the holds',
      () => {
        const e = episodeAt(b!, sites[4]!);
        return e !== undefined && smtp.mails.some((m) => m.key.startsWith(`${e.id}.alert.`));
      },
      30_000,
    );
    await new Promise((r) => setTimeout(r, 2000));
    // the control site's page went to the technician the dead server's API named, not the file's
    const control = episodeAt(b!, sites[4]!)!;
    const pagedTo = smtp.mails.filter((m) => m.key.startsWith(`${control.id}.alert.`)).map((m) => m.to);
    expect(pagedTo.some((to) => to.includes(NEW_TECH_MAIL))).toBe(true);
    expect(pagedTo.some((to) => to.includes(oldTechMail))).toBe(false);
    const silenced = episodeAt(b!, sites[2]!);
    const maintained = episodeAt(b!, sites[3]!);
    expect(silenced?.suppressed_by).toBe(`silence:${silenceId}`);
    expect(maintained?.suppressed_by).toBe(`maintenance:${windowId}`);
    for (const e of [silenced!, maintained!])
      expect(smtp.mails.filter((m) => m.key.startsWith(`${e.id}.`))).toEqual([]);
    for (const s of [2, 3, 4]) feed!.onBattery.set(sites[s]!, 0);
  });

  it('a server that joins empty reads the whole shared state first', { timeout: 60_000 }, async () => {
    c = await start({ configPath: configFile('noc-c'), env });
    await until(
      'noc-c to see noc-b holding the lease',
      () => c!.standby!.status().holder === 'noc-b',
      15_000,
    );
    const count = (r: Running, table: string) =>
      (r.runtime.state.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    const differ = () =>
      Object.keys(REPLICATED)
        .filter((t) => count(c!, t) !== count(b!, t))
        .map((t) => `${t}: ${count(c!, t)} at noc-c, ${count(b!, t)} at noc-b`);
    await until('the shared state at noc-c', () => differ().length === 0, 15_000).catch(() => {});
    expect(differ()).toEqual([]);
    expect(count(c!, 'users')).toBe(2);
    expect(count(c!, 'readiness_runs')).toBeGreaterThan(0);
    const noc = new Client(c!.url);
    expect((await noc.login('u-truc-ban', TEST_PASSWORD)).ok).toBe(true);
    expect((await noc.get(`/api/v1/meetings/${meetingId}`)).status).toBe(200);
  });
});
