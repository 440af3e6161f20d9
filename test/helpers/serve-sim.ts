// `diemcau serve` over the simulator, as the management-API tests run it: a configuration in a
// temporary directory (the collector polling every `interval`, no path probes, a trap listener on a
// free port of `host`), the simulator started by serve's `before` hook with the protocols asked for,
// and a NOC user signed in through the API. Used by the driver serve tests and the readiness test
// calls' serve test.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createUser } from '../../api/server.ts';
import { type Running, start } from '../../cli/serve.ts';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../simulator/index.ts';
import { freeUdpPort, TEST_SECRETS } from './agents.ts';
import { Client, TEST_PASSWORD } from './api.ts';

export interface SimulatedServe {
  running: Running;
  sim: Simulator;
  /** a NOC user's session */
  noc: Client;
}

export async function serveSimulated(o: {
  /** temporary directory: the configuration and the data go there */
  dir: string;
  /** the inventory file (already written) */
  inventory: string;
  /** loopback address for the API and the trap listener */
  host: string;
  /** the collector's poll interval (default 2s) */
  interval?: string;
  /** more YAML appended to the configuration (top-level sections) */
  config?: string;
  /** secrets the inventory names, besides the SNMP ones */
  secrets: Record<string, string>;
  seed: number;
  /** the simulator's management-API servers (pexip, cisco, xapi) */
  simulator: Omit<SimulatorOptions, 'inventory' | 'credentials' | 'trapTarget' | 'seed'>;
}): Promise<SimulatedServe> {
  const trap = await freeUdpPort(o.host);
  const cfg = join(o.dir, 'diemcau.yaml');
  writeFileSync(
    cfg,
    `inventory: ${JSON.stringify(o.inventory)}
data_dir: ${JSON.stringify(join(o.dir, 'data'))}
http: { listen: ${o.host}:0 }
collector:
  interval: ${o.interval ?? '2s'}
  snmp_timeout: 1s
  snmp_retries: 0
  trap_listen: ${o.host}:${trap}
  icmp: { enabled: false }
  rtp: { enabled: false }
${o.config ?? ''}`,
  );
  let sim: Simulator | undefined;
  const running = await start({
    configPath: cfg,
    env: { ...TEST_SECRETS, ...o.secrets },
    async before(rt, { credentials }) {
      const s = await startSimulator({
        inventory: rt.inventory,
        credentials,
        trapTarget: { host: o.host, port: trap },
        seed: o.seed,
        ...o.simulator,
      });
      sim = s;
      return { name: 'simulator', stop: () => s.stop() };
    },
  });
  await createUser(running.runtime.state, { name: 'u-noc', role: 'noc', password: TEST_PASSWORD });
  const noc = new Client(running.url);
  const res = await noc.login('u-noc', TEST_PASSWORD);
  if (!res.ok) throw new Error(`login: ${res.status} ${await res.text()}`);
  return { running, sim: sim!, noc };
}
