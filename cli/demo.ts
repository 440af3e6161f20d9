// diemcau demo: the simulated Bắc Kạn network and the whole NOC in one process, on loopback.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { getUserWithHash, setPassword, verifyPassword } from '../api/accounts.ts';
import { passwordProblem } from '../api/password-policy.ts';
import { createUser } from '../api/server.ts';
import { checkListen } from '../config/config.ts';
import { generateInventory, syntheticUnits } from '../inventory/generate.ts';
import { parseAddress } from '../inventory/load.ts';
import type { NewMeeting } from '../meetings/store.ts';
import { startSimulator } from '../simulator/index.ts';
import { withPexipMcu } from '../simulator/pexip.ts';
import { withXapiCodecs } from '../simulator/xapi.ts';
import { start, untilSignal } from './serve.ts';

const USAGE = `usage: diemcau demo [--listen 127.0.0.1:8080] [--data DIR] [--control 127.0.0.1:8081]
                    [--sites N] [--seed N] [--mcu snmp|pexip|tps] [--pexip 127.0.0.1:8082]
                    [--tps 127.0.0.1:8083] [--codecs snmp|xapi] [--xapi-port 8084] [-c diemcau.yaml]
  --sites N   a synthetic network of N sites instead of the real Bắc Kạn inventory
  --mcu pexip the MCU speaks the Pexip Infinity management API (served by the simulator at --pexip)
              instead of SNMP
  --mcu tps   the MCU speaks the Cisco TelePresence Server XML-RPC API (served by the simulator at --tps)
  --codecs xapi  every codec is read through the Cisco xAPI (GET /status.xml), served by the simulator
              at http://<codec address>:<--xapi-port>, instead of SNMP
  DIEMCAU_DEMO_PASSWORD sets the admin password (otherwise a random one is printed)
`;

const PEXIP_DEMO_USER = 'diemcau';
const TPS_DEMO_USER = 'diemcau';
const XAPI_DEMO_USER = 'diemcau';

/** Secrets the demo inventory references; random per run unless the environment sets them. */
const DEMO_SECRETS = [
  'DIEMCAU_SNMP_COMMUNITY',
  'DIEMCAU_SNMP_AUTH_KEY',
  'DIEMCAU_SNMP_PRIV_KEY',
  'DIEMCAU_PEXIP_PASSWORD',
  'DIEMCAU_TPS_PASSWORD',
  'DIEMCAU_XAPI_PASSWORD',
];

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string', short: 'c' },
      listen: { type: 'string' },
      data: { type: 'string' },
      control: { type: 'string', default: '127.0.0.1:8081' },
      sites: { type: 'string' },
      seed: { type: 'string', default: '1' },
      mcu: { type: 'string', default: 'snmp' },
      pexip: { type: 'string', default: '127.0.0.1:8082' },
      tps: { type: 'string', default: '127.0.0.1:8083' },
      codecs: { type: 'string', default: 'snmp' },
      'xapi-port': { type: 'string', default: '8084' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.listen && !checkListen(values.listen)) {
    process.stderr.write(
      `diemcau demo: --listen "${values.listen}" không hợp lệ / invalid: use ADDRESS:PORT, e.g. 127.0.0.1:8080\n`,
    );
    return 2;
  }
  if (values.mcu !== 'snmp' && values.mcu !== 'pexip' && values.mcu !== 'tps') {
    process.stderr.write(
      `diemcau demo: --mcu "${values.mcu}" không hợp lệ / invalid: use snmp, pexip or tps\n`,
    );
    return 2;
  }
  if (values.mcu === 'tps' && !checkListen(values.tps!)) {
    process.stderr.write(
      `diemcau demo: --tps "${values.tps}" không hợp lệ / invalid: use ADDRESS:PORT, e.g. 127.0.0.1:8083\n`,
    );
    return 2;
  }
  if (values.mcu === 'pexip' && !checkListen(values.pexip!)) {
    process.stderr.write(
      `diemcau demo: --pexip "${values.pexip}" không hợp lệ / invalid: use ADDRESS:PORT, e.g. 127.0.0.1:8082\n`,
    );
    return 2;
  }
  const xapiPort = Number(values['xapi-port']);
  if (
    (values.codecs !== 'snmp' && values.codecs !== 'xapi') ||
    !Number.isInteger(xapiPort) ||
    xapiPort < 1 ||
    xapiPort > 65535
  ) {
    process.stderr.write(
      `diemcau demo: --codecs "${values.codecs}" --xapi-port "${values['xapi-port']}" không hợp lệ / invalid: use --codecs snmp or xapi, --xapi-port 1-65535\n`,
    );
    return 2;
  }
  const xapi = values.codecs === 'xapi';
  const pexip = values.mcu === 'pexip' ? parseAddress(values.pexip!, 8082) : null;
  const tps = values.mcu === 'tps' ? parseAddress(values.tps!, 8083) : null;
  const env: NodeJS.ProcessEnv = { ...process.env };
  const password = env.DIEMCAU_DEMO_PASSWORD || undefined;
  const problem = password && passwordProblem(password, { user: 'admin' });
  if (problem) {
    process.stderr.write(`diemcau demo: DIEMCAU_DEMO_PASSWORD: ${problem}\n`);
    return 2;
  }
  for (const name of DEMO_SECRETS) env[name] ||= randomBytes(12).toString('hex');
  let inventoryFile: string | undefined;
  if (values.sites) {
    const n = Number(values.sites);
    if (!Number.isInteger(n) || n < 5 || n > 5000) {
      process.stderr.write('--sites must be a whole number from 5 to 5000\n');
      return 2;
    }
    inventoryFile = join(mkdtempSync(join(tmpdir(), 'diemcau-demo-')), 'inventory.yaml');
    writeFileSync(
      inventoryFile,
      generateInventory(syntheticUnits(n), { title: `Mạng mô phỏng ${n} điểm cầu` }),
    );
  }
  const control = parseAddress(values.control!, 8081);
  let simulatorControl: string | null = null;
  let pexipUrl: string | null = null;
  let tpsUrl: string | null = null;
  let xapiCodecs = 0;

  const running = await start({
    ...(values.config && { configPath: values.config }),
    env,
    configure(config) {
      if (!values.config) config.data_dir = resolve(values.data ?? 'data/demo');
      else if (values.data) config.data_dir = resolve(values.data);
      if (values.listen) config.http.listen = values.listen;
      if (inventoryFile) config.inventory = inventoryFile;
      else if (!values.config && !existsSync(config.inventory))
        config.inventory = resolve('inventory/bac-kan.yaml');
      if (pexip) {
        // the same network, its MCU on the Pexip management API that the simulator serves
        const file = join(mkdtempSync(join(tmpdir(), 'diemcau-demo-pexip-')), 'inventory.yaml');
        const url = `http://${pexip.host}:${pexip.port}`;
        writeFileSync(
          file,
          withPexipMcu(readFileSync(config.inventory, 'utf8'), { url, user: PEXIP_DEMO_USER }),
        );
        config.inventory = file;
      }
      if (tps) {
        // the same network, its MCU a Cisco TelePresence Server on the XML-RPC API the simulator serves
        const file = join(mkdtempSync(join(tmpdir(), 'diemcau-demo-tps-')), 'inventory.yaml');
        const url = `http://${tps.host}:${tps.port}`;
        writeFileSync(
          file,
          withPexipMcu(readFileSync(config.inventory, 'utf8'), {
            url,
            user: TPS_DEMO_USER,
            protocol: 'cisco-tps-xmlrpc',
            passwordEnv: 'DIEMCAU_TPS_PASSWORD',
          }),
        );
        config.inventory = file;
      }
      if (xapi) {
        // the same network, every codec on the Cisco xAPI that the simulator serves at its address
        const file = join(mkdtempSync(join(tmpdir(), 'diemcau-demo-xapi-')), 'inventory.yaml');
        writeFileSync(
          file,
          withXapiCodecs(readFileSync(config.inventory, 'utf8'), { port: xapiPort, user: XAPI_DEMO_USER }),
        );
        config.inventory = file;
      }
    },
    async before(rt, { credentials, meetings }) {
      const trap = parseAddress(rt.config.collector.trap_listen, 1162);
      const sim = await startSimulator({
        inventory: rt.inventory,
        credentials,
        trapTarget: trap,
        seed: Number(values.seed),
        control,
        ...(pexip && {
          pexip: { ...pexip, user: PEXIP_DEMO_USER, password: env.DIEMCAU_PEXIP_PASSWORD! },
        }),
        ...(tps && { cisco: { ...tps, user: TPS_DEMO_USER, password: env.DIEMCAU_TPS_PASSWORD! } }),
        ...(xapi && { xapi: { user: XAPI_DEMO_USER, password: env.DIEMCAU_XAPI_PASSWORD! } }),
      });
      xapiCodecs = sim.xapiUrls.size;
      pexipUrl = sim.pexipUrl;
      tpsUrl = sim.ciscoUrl;
      simulatorControl = sim.controlUrl;
      // A demo restarted on the same data directory joins its meeting again instead of registering another.
      const now = Date.now();
      const live = meetings
        .list({ from: now, to: now + 1, host_org: 'vp-ubnd-tinh' })
        .items.find((m) => m.registered_by === 'demo');
      const meeting = live ?? meetings.register(demoMeeting(rt.inventory.inventory.sites), 'demo').meeting;
      sim.meeting.start(meeting.sites);
      return { name: 'simulator', stop: () => sim.stop() };
    },
  });

  const state = running.runtime.state;
  const admin = getUserWithHash(state, 'admin');
  // a restart with the same DIEMCAU_DEMO_PASSWORD keeps it (a new password must differ from the current)
  const same = admin && password !== undefined && (await verifyPassword(password, admin.hash));
  const shown = admin
    ? same
      ? password
      : await setPassword(state, 'admin', password, { actor: 'demo' })
    : (
        await createUser(
          state,
          { name: 'admin', role: 'admin', ...(password && { password }) },
          { actor: 'demo' },
        )
      ).password;
  process.stdout.write(
    [
      '',
      `diemcau demo — NOC: ${running.url}`,
      `  Tài khoản / account: admin    Mật khẩu / password: ${password ? '(DIEMCAU_DEMO_PASSWORD)' : shown}`,
      `  Mô phỏng / simulator control: ${simulatorControl}`,
      ...(pexipUrl ? [`  MCU: API quản lý Pexip / Pexip management API: ${pexipUrl}`] : []),
      ...(tpsUrl ? [`  MCU: API XML-RPC Cisco TelePresence Server / XML-RPC API: ${tpsUrl}/RPC2`] : []),
      ...(xapiCodecs
        ? [
            `  Codec: xAPI Cisco (${xapiCodecs} codec, http://<địa chỉ codec / codec address>:${xapiPort}/status.xml, DIEMCAU_XAPI_PASSWORD)`,
          ]
        : []),
      `  Thử một sự cố / try a fault:  node bin/diemcau.js simulate fault add power_cut --site xa-bang-thanh --control ${simulatorControl}`,
      '',
    ].join('\n'),
  );
  await untilSignal();
  await running.stop();
  return 0;
}

/**
 * The demo's live meeting, registered like any other (as an emergency, since it starts now):
 * the province and district tiers with the communes of two districts.
 */
function demoMeeting(sites: { tier: string; district: string }[]): NewMeeting {
  const communes = sites.filter((s) => s.tier === 'commune').map((s) => s.district);
  const now = Date.now();
  return {
    title: 'Giao ban trực tuyến UBND tỉnh (mô phỏng)',
    host_org: 'vp-ubnd-tinh',
    start: now - 10 * 60_000,
    end: now + 30 * 60_000,
    tiers: ['province', 'district'],
    districts: [...new Set(communes)].slice(2, 4),
    emergency: true,
    emergency_reason: 'Cuộc họp mô phỏng của bản demo / demo meeting',
  };
}
