// Compression over real HTTP (node:http, so the bytes on the wire are what is measured): the API's JSON
// gzipped when the client accepts it and sent as it is when not, the dashboard's files sent as the .br/.gz
// the build wrote beside them, and the live stream never compressed and still frame by frame.
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { brotliCompressSync, createGunzip, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, clientsByRole, sample, startTestApi, type TestEnv } from '../test/helpers/api.ts';
import { chooseEncoding, PRECOMPRESSED } from './compression.ts';

let env: TestEnv;
let c: Client;

beforeAll(async () => {
  env = await startTestApi({ sites: 300, base: 63 });
  c = (await clientsByRole(env, [...env.rt.inventory.sites.keys()].slice(0, 1))).noc;
});
afterAll(async () => {
  await env?.stop();
});

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${env.url}${path}`,
      { method, headers: { cookie: c.cookie!, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (b: Buffer) => chunks.push(b));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('Accept-Encoding', () => {
  const av = PRECOMPRESSED;
  it('takes the best q-value, br before gzip on a tie, nothing without the header or with q=0', () => {
    expect(chooseEncoding(undefined, av)).toBeUndefined();
    expect(chooseEncoding('', av)).toBeUndefined();
    expect(chooseEncoding('identity', av)).toBeUndefined();
    expect(chooseEncoding('gzip, deflate, br, zstd', av)?.encoding).toBe('br');
    expect(chooseEncoding('gzip, deflate', av)?.encoding).toBe('gzip');
    expect(chooseEncoding('br;q=0, gzip', av)?.encoding).toBe('gzip');
    expect(chooseEncoding('br;q=0.5, GZIP;q=0.8', av)?.encoding).toBe('gzip');
    expect(chooseEncoding('*', av)?.encoding).toBe('br');
    expect(chooseEncoding('gzip;q=0, *;q=0.1', av)?.encoding).toBe('br');
    expect(chooseEncoding('*;q=0', av)).toBeUndefined();
  });
});

describe('JSON from the API', () => {
  it('is gzipped for a client that accepts it, and the same JSON once unzipped', async () => {
    const plain = await get('/api/v1/sites');
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const gz = await get('/api/v1/sites', { 'accept-encoding': 'gzip, deflate, br' });
    expect(gz.status).toBe(200);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers['content-type']).toMatch(/^application\/json/);
    expect(gz.headers.vary).toMatch(/accept-encoding/i);
    expect(JSON.parse(gunzipSync(gz.body).toString('utf8'))).toEqual(JSON.parse(plain.body.toString('utf8')));
    // 300 sites: a fifth of the bytes or less
    expect(gz.body.length).toBeLessThan(plain.body.length / 5);
  });

  it('is sent as it is to a client that refuses every coding the server has', async () => {
    for (const ae of ['identity', 'br', 'gzip;q=0, deflate;q=0']) {
      const r = await get('/api/v1/sites', { 'accept-encoding': ae });
      expect(r.headers['content-encoding'], ae).toBeUndefined();
      expect(JSON.parse(r.body.toString('utf8'))).toHaveProperty('items');
    }
  });
});

describe("the dashboard's built files", () => {
  const js = `${'export const label = "Mất kết nối diện rộng — huyện Na Rì";\n'.repeat(400)}`;
  beforeAll(() => {
    const dist = join(env.dir, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>diemcau</title>');
    writeFileSync(join(dist, 'assets', 'app-abc123.js'), js);
    // what dashboard/vite.config.ts writes beside each file
    writeFileSync(join(dist, 'assets', 'app-abc123.js.br'), brotliCompressSync(js));
    writeFileSync(join(dist, 'assets', 'app-abc123.js.gz'), gzipSync(js));
  });

  it('go out as the .br file to a browser that accepts brotli, as the .gz to one that takes gzip', async () => {
    const br = await get('/assets/app-abc123.js', { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/javascript/);
    expect(br.headers['cache-control']).toMatch(/immutable/);
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(Number(br.headers['content-length'])).toBe(br.body.length);
    expect(br.body).toEqual(brotliCompressSync(js));

    const gz = await get('/assets/app-abc123.js', { 'accept-encoding': 'br;q=0, gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString('utf8')).toBe(js);

    const head = await get('/assets/app-abc123.js', { 'accept-encoding': 'br' }, 'HEAD');
    expect(head.headers['content-encoding']).toBe('br');
    expect(Number(head.headers['content-length'])).toBe(brotliCompressSync(js).length);
  });

  it('a small file (under 1 kB) goes out as it is', async () => {
    const r = await get('/', { 'accept-encoding': 'gzip' });
    expect(r.headers['content-encoding']).toBeUndefined();
    expect(r.body.toString('utf8')).toContain('<title>diemcau</title>');
  });

  it('go out as they are to a client that takes no coding', async () => {
    const r = await get('/assets/app-abc123.js');
    expect(r.headers['content-encoding']).toBeUndefined();
    expect(r.headers.vary).toMatch(/accept-encoding/i);
    expect(r.body.toString('utf8')).toBe(js);
    expect(Number(r.headers['content-length'])).toBe(Buffer.byteLength(js));
  });
});

describe('the live stream', () => {
  it('is gzipped by the route itself, flushed per frame: each event still arrives at once', async () => {
    const site = [...env.rt.inventory.sites.keys()][7]!;
    await new Promise<void>((resolve, reject) => {
      const started = Date.now();
      let published = 0;
      const req = request(
        `${env.url}/api/v1/live`,
        { headers: { cookie: c.cookie!, 'accept-encoding': 'gzip, deflate, br' } },
        (res) => {
          try {
            expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
            // the middleware never touches it; the route gzips it with a sync flush after every frame
            expect(res.headers['content-encoding']).toBe('gzip');
          } catch (err) {
            reject(err);
            req.destroy();
            return;
          }
          let text = '';
          let after = '';
          const body = res.pipe(createGunzip());
          body.setEncoding('utf8');
          body.on('data', (s: string) => {
            if (published) after += s;
            else text += s;
            // the snapshot first, then one sample published on the bus: each a frame of its own
            if (!published && text.includes('event: snapshot')) {
              expect(Date.now() - started).toBeLessThan(2_000);
              published = Date.now();
              env.rt.bus.publish([sample(site, 'rtt_ms', 77.25)]);
            } else if (published && after.includes(`"${site}"`) && after.includes('77.25')) {
              try {
                expect(Date.now() - published).toBeLessThan(1_000);
                resolve();
              } catch (err) {
                reject(err);
              }
              req.destroy();
            }
          });
        },
      );
      req.on('error', (err) => {
        if (!req.destroyed) reject(err);
      });
      req.end();
      setTimeout(() => {
        reject(new Error('no live event within 5 s'));
        req.destroy();
      }, 5_000).unref();
    });
  });
});
