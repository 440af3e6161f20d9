// The real API (startApi) with the real SQLite metrics store and alert engine over the Bắc Kạn
// inventory, fed by synthetic samples instead of the simulator and collector: for developing the
// dashboard, and for its end-to-end tests when `diemcau demo` is not the target.
//   node --import tsx test/e2e/dev-api.ts [port]     then open http://127.0.0.1:<port>/ (admin / printed)
// Faults: POST http://127.0.0.1:<control>/faults {"kind":"power_cut","site":"xa-bang-thanh"}
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { stringify } from 'yaml';
import { startAlerts } from '../../alerts/index.ts';
import { StaticMeetings } from '../../alerts/meetings.ts';
import { createUser } from '../../api/accounts.ts';
import { startApi } from '../../api/server.ts';
import { loadConfig } from '../../config/config.ts';
import { Bus, type Sample } from '../../core/bus.ts';
import { log } from '../../core/log.ts';
import type { Runtime } from '../../core/runtime.ts';
import { loadInventory } from '../../inventory/load.ts';
import { createMetricsStore } from '../../storage/metrics/index.ts';
import { openStateDb } from '../../storage/state-db.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface DevApi {
  url: string;
  controlUrl: string;
  password: string;
  inject(kind: 'power_cut' | 'link_down' | 'clear', site: string): void;
  stop(): Promise<void>;
}

export async function startDevApi(
  opts: { port?: number; password?: string; intervalMs?: number; inventory?: string } = {},
): Promise<DevApi> {
  const dir = mkdtempSync(join(tmpdir(), 'diemcau-dash-'));
  const cfgFile = join(dir, 'diemcau.yaml');
  writeFileSync(
    cfgFile,
    stringify({
      inventory: opts.inventory ?? join(ROOT, 'inventory/bac-kan.yaml'),
      data_dir: join(dir, 'data'),
      http: { listen: `127.0.0.1:${opts.port ?? 0}` },
      collector: { interval: '2s' },
    }),
  );
  const config = loadConfig(cfgFile, {});
  const inventory = loadInventory(config.inventory);
  const state = openStateDb(join(config.data_dir, 'state.db'));
  const rt: Runtime = { config, inventory, bus: new Bus(), state, log, registry: new Registry() };
  const store = await createMetricsStore({ config, log });
  const offStore = rt.bus.onSamples((b) => store.write(b));
  const alerts = await startAlerts(rt, { meetings: new StaticMeetings([]), env: {} });
  const api = await startApi(rt, { store, alerts, dashboardDir: join(ROOT, 'dashboard/dist') });
  const password = opts.password ?? 'mat-khau-dashboard-2026';
  await createUser(state, { name: 'admin', role: 'admin', password });

  const faults = new Map<string, 'power_cut' | 'link_down'>();
  let seed = 7;
  const rand = () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  const runtime = new Map<string, number>();
  const feed = () => {
    const time = Date.now();
    const batch: Sample[] = [];
    for (const s of inventory.sites.values()) {
      const tags = { tier: s.tier, district: s.district, carrier: s.link.carrier } as const;
      const f = faults.get(s.id);
      const probe = `${s.id}:rtp`;
      const push = (
        device: string,
        metric: Sample['metric'],
        value: number,
        extra: Partial<Sample['tags']> = {},
      ) => batch.push({ time, site: s.id, device, metric, value, tags: { ...tags, ...extra } });
      const up = f !== 'link_down';
      push(probe, 'reachable', up ? 1 : 0, { probe: 'rtp' });
      if (up) {
        push(probe, 'rtt_ms', 18 + rand() * 12, { probe: 'rtp' });
        push(probe, 'loss_pct', rand() < 0.9 ? 0 : 0.3, { probe: 'rtp' });
        push(probe, 'jitter_ms', 1.5 + rand() * 3, { probe: 'rtp' });
        push(probe, 'mos', 4.3 - rand() * 0.15, { probe: 'rtp' });
      }
      const onBattery = f === 'power_cut';
      const left = onBattery ? Math.max(0, (runtime.get(s.id) ?? 45) - 0.05) : 45;
      runtime.set(s.id, left);
      push(`${s.id}-ups`, 'ups_on_battery', onBattery ? 1 : 0);
      push(`${s.id}-ups`, 'ups_runtime_min', left);
      push(`${s.id}-ups`, 'ups_charge_pct', onBattery ? 90 : 100);
      push(`${s.id}-ups`, 'ups_input_v', onBattery ? 0 : 221 + rand() * 4);
      if (s.mcu_port !== undefined)
        batch.push({
          time,
          site: inventory.inventory.mcu.id,
          device: inventory.inventory.mcu.id,
          metric: 'mcu_port_up',
          value: up ? 1 : 0,
          tags: { tier: 'core', district: '', carrier: '', instance: String(s.mcu_port) },
        });
    }
    rt.bus.publish(batch);
  };
  feed();
  const timer = setInterval(feed, opts.intervalMs ?? 2000);

  const inject = (kind: 'power_cut' | 'link_down' | 'clear', site: string) => {
    if (!inventory.sites.has(site)) throw new Error(`unknown site ${site}`);
    if (kind === 'clear') faults.delete(site);
    else faults.set(site, kind);
    // one extra poll soon, shared by every fault injected in the same tick
    if (!soon)
      soon = setTimeout(() => {
        soon = null;
        feed();
      }, 50);
  };
  let soon: ReturnType<typeof setTimeout> | null = null;
  const control: Server = createServer(async (req, res) => {
    let body = '';
    for await (const c of req) body += c;
    try {
      if (req.method === 'POST' && req.url === '/faults') {
        const b = JSON.parse(body || '{}') as { kind: 'power_cut' | 'link_down' | 'clear'; site: string };
        inject(b.kind, b.site);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      } else if (req.url === '/faults') {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify(Object.fromEntries(faults)));
      } else res.writeHead(404).end();
    } catch (err) {
      res.writeHead(400).end(String(err));
    }
  });
  await new Promise<void>((r) => control.listen(0, '127.0.0.1', r));
  const controlUrl = `http://127.0.0.1:${(control.address() as { port: number }).port}`;

  let stopped = false;
  return {
    url: api.url,
    controlUrl,
    password,
    inject,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      if (soon) clearTimeout(soon);
      await new Promise<void>((r) => control.close(() => r()));
      await api.stop();
      await alerts.stop();
      offStore();
      await store.close();
      state.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const d = await startDevApi({ port: Number(process.argv[2] ?? 8098) });
  console.log(`API ${d.url} (admin / ${d.password}); faults: POST ${d.controlUrl}/faults`);
}
