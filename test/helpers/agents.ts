// Third-party SNMP agents for the collector's tests and benchmark: Net-SNMP `snmpd` serving
// `override` data on many loopback addresses per process, and Python `snmpsim` serving recordings.
import { type ChildProcess, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A UDP port free on `host` right now, below the kernel's ephemeral range (32768–60999 here): a port
 * the kernel handed out (bind to 0) is soon handed to some SNMP client's socket again, which then
 * holds it when the test's own server (a trap receiver) binds it — EADDRINUSE in a loaded suite.
 */
export async function freeUdpPort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const ok = await new Promise<boolean>((resolve, reject) => {
      const s = dgram.createSocket('udp4');
      s.once('error', (err: NodeJS.ErrnoException) => {
        s.close();
        if (err.code === 'EADDRINUSE' && attempt < 50) resolve(false);
        else reject(err);
      });
      s.bind(port, host, () => s.close(() => resolve(true)));
    });
    if (ok) return port;
  }
}

export interface Agent {
  pid: number;
  stop(): Promise<void>;
  /** stop the process only (restart() brings it back) */
  kill(): Promise<void>;
  /** restart the same agent (for reboot tests) */
  restart(): Promise<void>;
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(() => child.kill('SIGKILL'), 2000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * An agent process as an Agent: `start` spawns it, `ready` waits until it answers (at start and
 * after each restart); stop() also removes its working folder `dir`.
 */
async function supervise(
  dir: string,
  start: () => ChildProcess,
  ready: () => Promise<unknown>,
): Promise<Agent> {
  let child: ChildProcess;
  const launch = async () => {
    child = start();
    await ready();
  };
  await launch();
  return {
    get pid() {
      return child.pid ?? -1;
    },
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
    kill: () => stopChild(child),
    async restart() {
      await stopChild(child);
      await launch();
    },
  };
}

/** Sends one GET with net-snmp's own tools until the agent answers (or gives up after ~5 s). */
async function waitAnswering(host: string, port: number, community: string): Promise<void> {
  const snmp = (await import('net-snmp')).default;
  for (let i = 0; i < 50; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = snmp.createSession(host, community, {
        port,
        timeout: 100,
        retries: 0,
        version: snmp.Version2c,
      });
      s.on('error', () => {});
      s.get(['1.3.6.1.2.1.1.3.0'], (err) => {
        s.close();
        resolve(!err);
      });
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`agent on ${host}:${port} did not answer`);
}

export interface SnmpdOptions {
  hosts: string[];
  port: number;
  /** `override OID TYPE VALUE` lines (TYPE: integer, uinteger, octet_str, object_id, counter, timeticks) */
  overrides: string[];
  community?: string;
  v3?: { user: string; auth: string; priv: string };
  /** CPU list for taskset (benchmark pinning) */
  cpus?: string;
}

/**
 * One `snmpd` process answering on every host:port given, from `override` lines.
 * Addresses go on the command line (agentaddress lines overflow at ~120 addresses).
 */
export async function startSnmpd(o: SnmpdOptions): Promise<Agent> {
  const dir = mkdtempSync(join(tmpdir(), 'diemcau-snmpd-'));
  const community = o.community ?? 'public';
  const conf = [
    `rocommunity ${community}`,
    ...(o.v3
      ? [`createUser ${o.v3.user} SHA ${o.v3.auth} AES ${o.v3.priv}`, `rouser ${o.v3.user} authpriv`]
      : []),
    'dontLogTCPWrappersConnects yes',
    ...o.overrides.map((l) => `override ${l}`),
  ];
  writeFileSync(join(dir, 'snmpd.conf'), `${conf.join('\n')}\n`);
  mkdirSync(join(dir, 'persist'));
  const args = [
    '-f',
    '-C',
    '-c',
    join(dir, 'snmpd.conf'),
    '-Lf',
    '/dev/null',
    '-I',
    '-ifTable,ifXTable,hrSystem,hrStorage,hrDevice,hrSWRun,hrSWInstalled,hrFSTable,ipAddressTable,ipCidrRouteTable,inetCidrRouteTable,tcpTable,udpTable,ipSystemStatsTable,ipv6IpForward,ucd_snmp,diskio,lmsensors,etherlike,notification,target,agent_mibs,utilities/execute,disman/event,disman/schedule,mibII/icmp,mibII/ip,mibII/tcp,mibII/udp,mibII/ipv6',
    ...o.hosts.map((h) => `udp:${h}:${o.port}`),
  ];
  const env = {
    ...process.env,
    MIBS: '',
    MIBDIRS: join(dir, 'nomibs'),
    SNMP_PERSISTENT_DIR: join(dir, 'persist'),
  };
  return supervise(
    dir,
    () =>
      o.cpus
        ? spawn('taskset', ['-c', o.cpus, 'snmpd', ...args], { env, stdio: 'ignore' })
        : spawn('snmpd', args, { env, stdio: 'ignore' }),
    () => waitAnswering(o.hosts[0]!, o.port, community),
  );
}

export interface SnmpsimOptions {
  host: string;
  port: number;
  /** community → .snmprec text (records in any order; they are sorted here) */
  data: Record<string, string>;
}

function oidCompare(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/** Debian `snmpsimd` serving `.snmprec` recordings; the community is the file name. */
export async function startSnmpsim(o: SnmpsimOptions): Promise<Agent> {
  const dir = mkdtempSync(join(tmpdir(), 'diemcau-snmpsim-'));
  mkdirSync(join(dir, 'data'));
  mkdirSync(join(dir, 'cache'));
  // snmpsimd drops privileges when started as root: its cache must stay writable
  chmodSync(dir, 0o755);
  chmodSync(join(dir, 'data'), 0o755);
  chmodSync(join(dir, 'cache'), 0o777);
  for (const [community, text] of Object.entries(o.data)) {
    const lines = text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    lines.sort((a, b) => oidCompare(a.split('|')[0]!, b.split('|')[0]!));
    writeFileSync(join(dir, 'data', `${community}.snmprec`), `${lines.join('\n')}\n`);
  }
  const args = [
    `--data-dir=${join(dir, 'data')}`,
    `--agent-udpv4-endpoint=${o.host}:${o.port}`,
    `--cache-dir=${join(dir, 'cache')}`,
    '--logging-method=null',
  ];
  if (process.getuid?.() === 0) args.push('--process-user=nobody', '--process-group=nogroup');
  const first = Object.keys(o.data)[0]!;
  return supervise(
    dir,
    () => spawn('snmpsimd', args, { stdio: 'ignore' }),
    () =>
      waitAnswering(o.host, o.port, first).catch(() => {
        // a recording without sysUpTime never answers the check; give it time instead
        return new Promise((r) => setTimeout(r, 1500));
      }),
  );
}

export interface TestNetwork {
  dir: string;
  file: string;
  runtime: import('../../core/runtime.ts').Runtime;
  credentials: Map<string, import('../../inventory/load.ts').ResolvedCredential>;
  cleanup(): void;
}

/** Collector settings for suites about SNMP polls alone (no trap receiver, ICMP or RTP probes). */
export const SNMP_ONLY = {
  snmp_timeout: '1s',
  snmp_retries: 1,
  trap_listen: 'off',
  icmp: { enabled: false, count: 1 },
  rtp: { enabled: false, packets: 1, interval: '20ms' },
};

export const TEST_SECRETS = {
  DIEMCAU_SNMP_COMMUNITY: 'dc-test-community',
  DIEMCAU_SNMP_AUTH_KEY: 'dc-auth-key-123',
  DIEMCAU_SNMP_PRIV_KEY: 'dc-priv-key-456',
};

/**
 * A synthetic inventory of `sites` sites on loopback base `base` (127.base.x.y), loaded, with a
 * Runtime around it (own bus and prom-client registry) for the collector.
 */
export async function testNetwork(
  sites: number,
  base: number,
  collector: Record<string, unknown> = {},
  /** the administrative units instead of syntheticUnits(sites) (e.g. two districts in a small network) */
  units?: import('../../inventory/generate.ts').Unit[],
): Promise<TestNetwork> {
  const { generateInventory, syntheticUnits } = await import('../../inventory/generate.ts');
  const { loadInventory, resolveCredentials } = await import('../../inventory/load.ts');
  const { Config } = await import('../../config/config.ts');
  const { Bus } = await import('../../core/bus.ts');
  const { log } = await import('../../core/log.ts');
  const { Registry } = await import('prom-client');
  const dir = mkdtempSync(join(tmpdir(), 'diemcau-collector-'));
  const file = join(dir, 'inventory.yaml');
  writeFileSync(
    file,
    generateInventory(units ?? syntheticUnits(sites), { title: 'Thử nghiệm collector', base }),
  );
  const inventory = loadInventory(file);
  const credentials = resolveCredentials(inventory, TEST_SECRETS);
  const config = { ...Config.parse({ collector }), file: null, baseDir: dir };
  const runtime = {
    config,
    inventory,
    bus: new Bus(),
    // the collector never touches the state database
    state: undefined as never,
    log,
    registry: new Registry(),
  };
  return { dir, file, runtime, credentials, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** One snmpd per profile used in the inventory, answering v2c (test community) and v3 (test user). */
export async function startFleet(
  net: TestNetwork,
  opts: { port?: number; cpus?: string; extra?: Record<string, [string, string, string | number][]> } = {},
): Promise<Map<string, Agent>> {
  const { overrides } = await import('./agent-data.ts');
  const byProfile = new Map<string, string[]>();
  for (const d of net.runtime.inventory.devices.values()) {
    const list = byProfile.get(d.profile) ?? [];
    list.push(d.address.host);
    byProfile.set(d.profile, list);
  }
  const port = opts.port ?? [...net.runtime.inventory.devices.values()][0]!.address.port;
  const started = await Promise.all(
    [...byProfile].map(
      async ([profile, hosts]) =>
        [
          profile,
          await startSnmpd({
            hosts,
            port,
            overrides: overrides(profile, opts.extra?.[profile]),
            community: TEST_SECRETS.DIEMCAU_SNMP_COMMUNITY,
            v3: {
              user: 'diemcau',
              auth: TEST_SECRETS.DIEMCAU_SNMP_AUTH_KEY,
              priv: TEST_SECRETS.DIEMCAU_SNMP_PRIV_KEY,
            },
            ...(opts.cpus && { cpus: opts.cpus }),
          }),
        ] as const,
    ),
  );
  return new Map(started);
}
