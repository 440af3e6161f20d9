// Issue 21: two `diemcau serve` runtimes on one real `nats-server -js` and one real SMTP server. The
// first holds the lease in JetStream KV and runs the alert engine and the outbox; the second is the
// standby (its /healthz says so, engine writes are refused). A UPS at a site goes on battery (samples
// published on the telemetry stream, as a remote collector would): the active pages the episode. The
// active then dies (no renewal, no lease release, connection dropped): the standby holds the lease
// within 15 s, continues the same episode, and sends its recovery. Every recipient gets every message
// once across the failover. Loopback: the synthetic inventory on 127.94 (nothing polled answers),
// nats-server and SMTP on free 127.0.0.1 ports.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../api/server.ts';
import { type Running, start } from '../cli/serve.ts';
import { generateInventory, syntheticUnits } from '../inventory/generate.ts';
import { loadInventory } from '../inventory/load.ts';
import { TEST_SECRETS } from './helpers/agents.ts';
import { Client, TEST_PASSWORD } from './helpers/api.ts';
import { type NatsServer, startNatsServer } from './helpers/nats-server.ts';
import { type SmtpSink, startSmtp } from './helpers/servers.ts';
import { type StandbyPair, standbyConfig, startPair, UpsFeed, until } from './helpers/standby.ts';

const dir = mkdtempSync(join(tmpdir(), 'diemcau-standby-'));
const STREAM = 'DIEMCAU_HA_TEST';
let nats: NatsServer;
let smtp: SmtpSink;
let a: Running | undefined;
let b: Running | undefined;
let c: Running | undefined;
let d: Running | undefined;
let nc: NatsConnection;
let feed: UpsFeed | undefined;

const pairOf = (): StandbyPair => ({
  dir,
  host: '127.0.0.1',
  natsUrl: nats.url,
  smtpPort: smtp.port,
  stream: STREAM,
});
const configFile = (instance: string) => standbyConfig(pairOf(), instance);

const env = { ...process.env, ...TEST_SECRETS };

const health = async (r: Running) =>
  (await (await fetch(`${r.url}/healthz`)).json()) as { role: string; ha: { holder: string | null } };

beforeAll(async () => {
  nats = await startNatsServer();
  smtp = await startSmtp();
  [a, b] = await startPair(
    pairOf(),
    generateInventory(syntheticUnits(3), { title: 'Thử nghiệm dự phòng', base: 94 }),
    env,
  );
  nc = await connect({ servers: nats.url });
}, 60_000);

afterAll(async () => {
  feed?.stop();
  await nc?.close();
  await d?.stop();
  await c?.stop();
  await b?.stop();
  await a?.stop();
  await smtp?.close();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** the power episode open at a site, in a server's state database */
const openEpisode = (r: Running, site: string) =>
  r.runtime.state
    .prepare(`SELECT id FROM episodes WHERE state <> 'resolved' AND body LIKE ? AND body LIKE ?`)
    .get('%"cause":"power"%', `%"sites":["${site}"]%`) as { id: string } | undefined;
const rowsOf = (r: Running, episode: string, state?: string) =>
  (
    r.runtime.state
      .prepare(
        `SELECT idempotency_key AS key FROM outbox WHERE idempotency_key LIKE ? ${state ? 'AND state = ?' : ''}`,
      )
      .all(`${episode}.%`, ...(state ? [state] : [])) as { key: string }[]
  ).map((x) => x.key);
const mailsOf = (episode: string, kind: string) =>
  smtp.mails.filter((m) => m.key.startsWith(`${episode}.${kind}.`));

/**
 * The active dies: no renewal, no release, its connection dropped, a send under way left hanging.
 * Returns how long the other took to hold the lease.
 */
async function kill(active: Running, next: Running): Promise<number> {
  await active.standby!.abandon();
  const died = Date.now();
  const stopped = active.stop();
  await until('the standby to take the lease', () => next.standby!.status().role === 'active', 20_000);
  const took = Date.now() - died;
  await stopped;
  return took;
}

/** the one page the dying active was sending (its repeat is allowed, marked as resent) */
let interrupted = '';
const repeats = () => {
  const keys = smtp.mails.map((m) => m.key);
  return keys.filter((k, i) => keys.indexOf(k) !== i);
};

describe('two serve runtimes: active and standby through a JetStream KV lease', () => {
  let sites: string[];
  let second = '';
  beforeAll(async () => {
    sites = [...loadInventory(join(dir, 'inventory.yaml')).sites.keys()];
    feed = new UpsFeed(nc, join(dir, 'inventory.yaml'), 'huyen-test').start();
  });

  it('the standby takes over within 15 s, continues the episode and sends its recovery; every message once', {
    timeout: 60_000,
  }, async () => {
    const site = sites.at(-1)!;
    // the relay takes the first page in but never answers: the active dies in the middle of sending it
    smtp.hold = (m) => {
      if (interrupted || !m.key.includes('.alert.')) return false;
      interrupted = m.key;
      return true;
    };
    feed!.onBattery.set(site, 1);

    // the standby says so, and refuses what only the active's engine may change
    expect((await health(a!)).role).toBe('active');
    const hb = await health(b!);
    expect(hb.role).toBe('standby');
    expect(hb.ha.holder).toBe('noc-a');

    // the active pages the power cut; the standby has the episode and knows which page is under way
    await until('the episode at the active', () => openEpisode(a!, site) !== undefined, 20_000);
    const episode = openEpisode(a!, site)!.id;
    await until('the first page at the relay', () => interrupted !== '', 15_000);
    expect(interrupted.startsWith(`${episode}.alert.`)).toBe(true);
    const underWay = () =>
      b!.runtime.state
        .prepare('SELECT state, payload FROM outbox WHERE idempotency_key = ?')
        .get(interrupted) as { state: string; payload: string } | undefined;
    await until('the page under way at the standby', () => underWay() !== undefined, 10_000);
    expect(underWay()!.state).toBe('pending');
    await until(
      'the standby to know it is under way',
      () => JSON.parse(underWay()!.payload).interrupted === 1,
      10_000,
    );
    expect(openEpisode(b!, site)?.id).toBe(episode);

    const took = await kill(a!, b!);
    a = undefined;
    expect(took).toBeLessThanOrEqual(15_000);
    expect((await health(b!)).role).toBe('active');

    // the new active sends the interrupted page again — under the same Message-ID, so a mail client
    // shows one (a chat channel would say «GỬI LẠI», alerts/notify.test.ts) — and the pages after it
    await until('the interrupted page again', () => repeats().includes(interrupted), 15_000);
    const copies = smtp.mails.filter((m) => m.key === interrupted);
    expect(copies).toHaveLength(2);
    expect(copies[1]!.messageId).toBe(copies[0]!.messageId);
    expect(copies[1]!.text).toBe(copies[0]!.text);

    // the fault holds a little longer under the new active, then the mains return
    await new Promise((r) => setTimeout(r, 2000));
    expect(openEpisode(b!, site)?.id).toBe(episode);
    const paged = new Set(mailsOf(episode, 'alert').map((m) => m.to));
    feed!.onBattery.set(site, 0);
    await until('the recovery', () => mailsOf(episode, 'resolve').length >= paged.size, 25_000);
    await new Promise((r) => setTimeout(r, 1500));

    // one episode from onset to recovery: the same id, resolved by the new active
    const row = b!.runtime.state.prepare('SELECT state FROM episodes WHERE id = ?').get(episode) as {
      state: string;
    };
    expect(row.state).toBe('resolved');
    // everyone paged, before or after the failover, hears of the recovery from the new active
    expect(new Set(mailsOf(episode, 'alert').map((m) => m.to))).toEqual(paged);
    expect(new Set(mailsOf(episode, 'resolve').map((m) => m.to))).toEqual(paged);
    // each recipient got each message once across the failover (every mail, not only this
    // episode's), but for the one the crash interrupted
    expect(repeats()).toEqual([interrupted]);
    for (const kind of ['alert', 'resolve']) {
      const to = mailsOf(episode, kind)
        .filter((m, i, all) => all.findIndex((x) => x.key === m.key) === i)
        .map((m) => m.to);
      expect(to.length).toBe(new Set(to).size);
    }
    console.info(`standby took over ${took} ms after the active died; ${smtp.mails.length} mails`);
  });

  it('pages the active could not send (mail relay down) are sent by the server that takes over, once', {
    timeout: 60_000,
  }, async () => {
    // a third server, new and empty, joins as the standby: it reads the whole shared state first
    c = await start({ configPath: configFile('noc-c'), env });
    await until(
      'noc-c to see noc-b holding the lease',
      () => c!.standby!.status().holder === 'noc-b',
      15_000,
    );
    const site = sites.at(-2)!;
    smtp.accepting = false;
    feed!.onBattery.set(site, 1);
    await until('the episode at the active', () => openEpisode(b!, site) !== undefined, 20_000);
    const episode = openEpisode(b!, site)!.id;
    second = episode;
    // its pages are recorded and tried, and refused by the relay; the standby has them
    await until('pages tried', () => rowsOf(b!, episode).length > 0, 15_000);
    await new Promise((r) => setTimeout(r, 1000));
    const pages = rowsOf(b!, episode);
    await until('the rows at the standby', () => rowsOf(c!, episode).length === pages.length, 10_000);
    expect(rowsOf(b!, episode, 'sent')).toEqual([]);
    expect(mailsOf(episode, 'alert')).toEqual([]);

    const took = await kill(b!, c!);
    b = undefined;
    expect(took).toBeLessThanOrEqual(15_000);
    smtp.accepting = true;
    await until(
      'the pages, from the new active',
      () => mailsOf(episode, 'alert').length >= pages.length,
      15_000,
    );
    expect(openEpisode(c!, site)?.id).toBe(episode);
    feed!.onBattery.set(site, 0);
    await until('the recovery', () => mailsOf(episode, 'resolve').length >= pages.length, 25_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(new Set(mailsOf(episode, 'alert').map((m) => m.key))).toEqual(new Set(pages));
    expect(new Set(mailsOf(episode, 'resolve').map((m) => m.to))).toEqual(
      new Set(mailsOf(episode, 'alert').map((m) => m.to)),
    );
    // none of these was under way when the active died: none arrives twice
    expect(repeats()).toEqual([interrupted]);
  });
  it('a clean stop hands the lease over at once; the standby shows the episodes and refuses engine writes', {
    timeout: 30_000,
  }, async () => {
    d = await start({ configPath: configFile('noc-d'), env });
    await until(
      'noc-d to see noc-c holding the lease',
      () => d!.standby!.status().holder === 'noc-c',
      15_000,
    );
    await createUser(d.runtime.state, { name: 'u-noc', role: 'noc', password: TEST_PASSWORD });
    const noc = new Client(d.url);
    expect((await noc.login('u-noc', TEST_PASSWORD)).ok).toBe(true);
    // the episode the others handled, read from the replicated rows
    let state = '';
    const read = async () => {
      const r = await noc.get(`/api/v1/episodes/${second}`);
      state = r.ok ? ((await r.json()) as { state: string }).state : String(r.status);
      return state;
    };
    for (let i = 0; i < 30 && (await read()) !== 'resolved'; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(state).toBe('resolved');
    const refused = await noc.request('POST', '/api/v1/silences', {
      matchers: { site: sites[0] },
      duration_min: 30,
      comment: 'thử',
    });
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'standby',
      message: expect.stringContaining('noc-c'),
    });

    // SIGTERM's path: the last state published, the outbox stopped, the lease deleted — no waiting for
    // its 4 s expiry
    const stopping = Date.now();
    await c!.stop();
    c = undefined;
    await until('noc-d to take the lease', () => d!.standby!.status().role === 'active', 10_000);
    expect(Date.now() - stopping).toBeLessThan(2500);
    expect((await health(d)).role).toBe('active');
  });
});
