// Over real HTTP: a client that stops reading is dropped once its queue is full, while a client that
// reads keeps receiving everything.
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Client, clientsByRole, readEvents, startTestApi, type TestEnv } from '../test/helpers/api.ts';

let env: TestEnv;
let noc: Client;
beforeAll(async () => {
  env = await startTestApi({ sites: 12, base: 55, deps: { liveQueueBytes: 64 * 1024 } });
  noc = (await clientsByRole(env, [[...env.rt.inventory.sites.keys()][0]!])).noc;
});
afterAll(async () => {
  await env?.stop();
});

it('drops a live client that stops reading; a reading client gets every event', async () => {
  const { port, hostname } = new URL(env.url);
  const stuck = connect(Number(port), hostname);
  await new Promise<void>((r) => stuck.once('connect', () => r()));
  stuck.write(`GET /api/v1/live HTTP/1.1\r\nHost: ${hostname}:${port}\r\nCookie: ${noc.cookie}\r\n\r\n`);
  let closed = false;
  stuck.once('data', () => stuck.pause()); // read the headers and the snapshot, then nothing more
  stuck.on('close', () => {
    closed = true;
  });
  stuck.on('error', () => {});
  await new Promise((r) => setTimeout(r, 100));
  const res = await fetch(`${env.url}/api/v1/live`, { headers: { cookie: noc.cookie! } });
  const start = env.api.live.lastEventId();
  const site = [...env.rt.inventory.sites.keys()][0]!;
  const pad = 'x'.repeat(2000);
  let target = 0;
  let done = false;
  const reading = readEvents(
    res,
    (evs) => {
      // publish a burst each time the reader catches up, until the stuck client has been dropped
      if (!done && evs.length > 0 && (evs.at(-1)!.id ?? 0) >= target) {
        if (env.api.live.counters.dropped > 0) {
          done = true;
          return true;
        }
        for (let i = 0; i < 20; i++)
          env.api.live.publish('alert', { id: pad, sites: [site] } as never, [site]);
        target = env.api.live.lastEventId();
      }
      return done;
    },
    30_000,
  );
  const evs = await reading;
  expect(env.api.live.counters.dropped).toBe(1);
  const ids = evs.filter((e) => e.id !== null && e.id > start && e.event === 'alert').map((e) => e.id!);
  expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => start + 1 + i));
  await new Promise((r) => setTimeout(r, 200));
  stuck.resume();
  await new Promise((r) => setTimeout(r, 200));
  expect(closed).toBe(true);
});
