// Test and bench support: a runtime over a generated inventory in a temp dir, the real SQLite
// metrics store, the API on 127.0.0.1 port 0, users of every role, and a small HTTP client.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { stringify } from 'yaml';
import { type AlertService, StaticMeetings, startAlerts } from '../../alerts/index.ts';
import { createUser } from '../../api/accounts.ts';
import type { Alert, Role } from '../../api/contract.ts';
import { type ApiDeps, type ApiService, startApi } from '../../api/server.ts';
import { loadConfig } from '../../config/config.ts';
import { Bus, type Sample } from '../../core/bus.ts';
import { log } from '../../core/log.ts';
import type { MetricsStore } from '../../core/ports.ts';
import type { Runtime } from '../../core/runtime.ts';
import { generateInventory, syntheticUnits } from '../../inventory/generate.ts';
import { loadInventory } from '../../inventory/load.ts';
import { createMetricsStore } from '../../storage/metrics/index.ts';
import { openStateDb } from '../../storage/state-db.ts';

export interface TestEnv {
  dir: string;
  rt: Runtime;
  store: MetricsStore;
  alerts: AlertService | null;
  meetings: StaticMeetings;
  api: ApiService;
  url: string;
  stop(): Promise<void>;
}

export async function startTestApi(
  opts: {
    sites?: number;
    base?: number;
    http?: Record<string, unknown>;
    /** start the real alert engine (alerts/index.ts) on the runtime's bus */
    alerts?: boolean;
    deps?: Partial<ApiDeps>;
  } = {},
): Promise<TestEnv> {
  const dir = mkdtempSync(join(tmpdir(), 'diemcau-api-'));
  const invFile = join(dir, 'inventory.yaml');
  writeFileSync(
    invFile,
    generateInventory(syntheticUnits(opts.sites ?? 12), { title: 'Thử nghiệm', base: opts.base ?? 50 }),
  );
  const cfgFile = join(dir, 'diemcau.yaml');
  writeFileSync(
    cfgFile,
    stringify({
      inventory: invFile,
      data_dir: join(dir, 'data'),
      http: { listen: '127.0.0.1:0', ...opts.http },
    }),
  );
  const config = loadConfig(cfgFile, {});
  const inventory = loadInventory(config.inventory);
  const state = openStateDb(join(config.data_dir, 'state.db'));
  const rt: Runtime = { config, inventory, bus: new Bus(), state, log, registry: new Registry() };
  const store = await createMetricsStore({ config, log });
  const offStore = rt.bus.onSamples((b) => store.write(b));
  const meetings = new StaticMeetings();
  const alerts = opts.alerts ? await startAlerts(rt, { meetings, env: {} }) : null;
  const api = await startApi(rt, {
    store,
    alerts,
    meetings,
    dashboardDir: join(dir, 'dist'),
    ...opts.deps,
  });
  return {
    dir,
    rt,
    store,
    alerts,
    meetings,
    api,
    url: api.url,
    async stop() {
      await api.stop();
      await alerts?.stop();
      offStore();
      await store.close();
      state.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A signed-in browser-like client: keeps the session cookie and sends the CSRF token. */
export class Client {
  cookie: string | null = null;
  csrf: string | null = null;
  bearer: string | null = null;

  constructor(readonly base: string) {}

  async login(name: string, password: string): Promise<Response> {
    const res = await this.request('POST', '/api/v1/auth/login', { name, password });
    if (res.ok) {
      const set = res.headers.getSetCookie().find((c) => c.startsWith('diemcau_session='));
      this.cookie = set ? set.split(';')[0]! : null;
      this.csrf = ((await res.clone().json()) as { csrf_token: string }).csrf_token;
    }
    return res;
  }

  request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const h: Record<string, string> = { ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (this.csrf && method !== 'GET' && !('x-csrf-token' in h)) h['x-csrf-token'] = this.csrf;
    if (this.bearer) h.authorization = `Bearer ${this.bearer}`;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    return fetch(this.base + path, { method, headers: h, ...(payload !== undefined && { body: payload }) });
  }

  get(path: string): Promise<Response> {
    return this.request('GET', path);
  }
}

export const TEST_PASSWORD = 'mật-khẩu-thử-nghiệm-12';

/** One signed-in client per role; the technician looks after `techSites`. */
export async function clientsByRole(env: TestEnv, techSites: string[]): Promise<Record<Role, Client>> {
  const roles: Role[] = ['admin', 'noc', 'technician', 'host', 'viewer'];
  const out = {} as Record<Role, Client>;
  for (const role of roles) {
    await createUser(env.rt.state, {
      name: `u-${role}`,
      role,
      password: TEST_PASSWORD,
      ...(role === 'technician' && { sites: techSites }),
      ...(role === 'host' && { org: 'vp-ubnd-tinh' }),
    });
    const c = new Client(env.url);
    const res = await c.login(`u-${role}`, TEST_PASSWORD);
    if (!res.ok) throw new Error(`login ${role}: ${res.status} ${await res.text()}`);
    out[role] = c;
  }
  return out;
}

export function sample(site: string, metric: Sample['metric'], value: number, time = Date.now()): Sample {
  return {
    time,
    site,
    device: `${site}:rtp`,
    metric,
    value,
    tags: { tier: 'commune', district: 'huyen-1', carrier: 'vnpt' },
  };
}

/**
 * Puts a site's UPS on battery (or back on mains) through the bus, as the collector would; the real
 * alert engine raises `ups-on-battery` at once (for: 0s). Returns that alert.
 */
export function upsOnBattery(env: TestEnv, site: string, onBattery = 1): Alert {
  const s = env.rt.inventory.sites.get(site)!;
  env.rt.bus.publish([
    {
      time: Date.now(),
      site,
      device: `${site}-ups`,
      metric: 'ups_on_battery',
      value: onBattery,
      tags: { tier: s.tier, district: s.district, carrier: s.link.carrier },
    },
  ]);
  env.alerts!.tickNow(); // the engine's own timer would do this within a second
  const a = env.alerts!.list({ site }).find((x) => x.rule === 'ups-on-battery' && x.state !== 'resolved');
  if (!a) throw new Error(`no ups-on-battery alert for ${site}`);
  return a;
}

/** Reads SSE frames from a fetch Response until `until` says stop. */
export async function readEvents(
  res: Response,
  until: (events: SseEvent[]) => boolean,
  timeoutMs = 10_000,
): Promise<SseEvent[]> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: SseEvent[] = [];
  let buf = '';
  const timer = setTimeout(() => reader.cancel(new Error('timeout')).catch(() => {}), timeoutMs);
  try {
    while (!until(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let i = buf.indexOf('\n\n');
      while (i >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const ev: SseEvent = { id: null, event: 'message', data: '' };
        let has = false;
        for (const line of block.split('\n')) {
          if (line.startsWith('id: ')) ev.id = Number(line.slice(4));
          else if (line.startsWith('event: ')) ev.event = line.slice(7);
          else if (line.startsWith('data: ')) {
            ev.data += line.slice(6);
            has = true;
          }
        }
        if (has) events.push(ev);
        i = buf.indexOf('\n\n');
      }
    }
  } finally {
    clearTimeout(timer);
    await reader.cancel().catch(() => {});
  }
  return events;
}

export interface SseEvent {
  id: number | null;
  event: string;
  data: string;
}
