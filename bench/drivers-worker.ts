// Child process of bench/drivers.ts: the management-API drivers of one inventory, each behind the
// DriverRunner that `diemcau serve` runs it with (collector/drivers/run.ts), publishing on a bus.
//   node bench/drivers-worker.js INVENTORY mcu|codecs [--cold]
// mcu: the inventory MCU's driver (mcuDriver: Pexip or Cisco TelePresence); codecs: every codec on
// a management API (deviceDrivers: Cisco xAPI). The passwords come from the environment, as in serve.
// Prints {"ready"} once, then for each `round` line on stdin polls every driver once (all at once, as
// the runners started together do) and prints {"cpu","wall","requests","bytes","connections",…};
// `end` (or the end of stdin) stops it. --cold: before each round the idle connections are closed,
// as a server that drops idle keep-alive connections within the polling interval does.
import dc from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { createInterface } from 'node:readline';
import type { TLSSocket } from 'node:tls';
import { Registry } from 'prom-client';
import { deviceDrivers } from '../collector/drivers/codecs.ts';
import { DriverRunner, mcuDriver } from '../collector/drivers/run.ts';
import type { Driver } from '../collector/drivers/types.ts';
import { Bus, type DeviceEvent, type Sample } from '../core/bus.ts';
import { log } from '../core/log.ts';
import type { Runtime } from '../core/runtime.ts';
import { loadInventory } from '../inventory/load.ts';

const [inventoryFile, mode] = process.argv.slice(2);
const cold = process.argv.includes('--cold');

// bytes received and connections opened, counted on every socket a response of this process came
// on (plain and TLS alike: the diagnostics channel of http's client)
const open = new Set<Socket>();
const seen = new WeakSet<Socket>();
let closedBytes = 0;
let connections = 0;
/** new TLS connections that resumed an earlier session (no full handshake) */
let resumed = 0;
dc.subscribe('http.client.response.finish', (message) => {
  const m = message as { request: { socket: Socket | null }; response: { socket: Socket | null } };
  const socket = m.response.socket ?? m.request.socket;
  if (!socket || seen.has(socket)) return;
  seen.add(socket);
  connections++;
  if ((socket as TLSSocket).encrypted && (socket as TLSSocket).isSessionReused()) resumed++;
  open.add(socket);
  socket.once('close', () => {
    closedBytes += socket.bytesRead;
    open.delete(socket);
  });
});
const bytesRead = () => {
  let n = closedBytes;
  for (const s of open) n += s.bytesRead;
  return n;
};

const inventory = loadInventory(inventoryFile!);
const bus = new Bus();
const rt = {
  config: undefined as never,
  inventory,
  bus,
  state: undefined as never,
  log: log.child({}, { level: 'warn' }),
  registry: new Registry(),
} satisfies Runtime;

let drivers: Driver[];
if (mode === 'mcu') {
  const d = mcuDriver(inventory);
  if (!d) throw new Error('drivers-worker: the inventory MCU has no management API');
  drivers = [d];
} else drivers = deviceDrivers(inventory, inventory.devices.values()).map((d) => d.driver);

// the requests each poll reports it made (DriverPoll.requests), summed over the round
let requests = 0;
for (const d of drivers) {
  const poll = d.poll.bind(d);
  d.poll = async () => {
    const r = await poll();
    requests += r.requests;
    return r;
  };
}
const runners = drivers.map((d) => new DriverRunner(rt, d, 10_000));

// what the round showed: the sites up on the MCU (or codecs in a call), the participants the MCU
// counted, the samples and problem events published
let samples = 0;
let up = 0;
let participants = 0;
let problems = 0;
bus.onSamples((batch: readonly Sample[]) => {
  samples += batch.length;
  for (const s of batch) {
    if ((s.metric === 'mcu_port_up' || s.metric === 'in_call') && s.value === 1) up++;
    else if (s.metric === 'mcu_participants') participants += s.value;
  }
});
bus.onEvent((e: DeviceEvent) => {
  if (e.kind !== 'reachable') problems++;
});

process.stdout.write(`${JSON.stringify({ ready: runners.length })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line !== 'round') break;
  if (cold) for (const s of open) s.destroy();
  // let the closes land before the clock starts
  await new Promise((r) => setImmediate(r));
  samples = up = participants = problems = requests = 0;
  const b0 = bytesRead();
  const k0 = connections;
  const z0 = resumed;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(runners.map((r) => r.pollNow()));
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const failed = runners.filter((r) => r.status().lastError !== null).map((r) => r.status());
  process.stdout.write(
    `${JSON.stringify({
      cpu: (c.user + c.system) / 1e6,
      wall,
      requests,
      bytes: bytesRead() - b0,
      connections: connections - k0,
      resumed: resumed - z0,
      samples,
      up,
      participants,
      problems: problems + failed.length,
      firstError: failed[0]?.lastError ?? null,
      rss: process.resourceUsage().maxRSS / 1024,
    })}\n`,
  );
}
await Promise.all(runners.map((r) => r.stop()));
process.exit(0);
