// diemcau simulate: serve every device of an inventory on loopback, and drive its faults and meetings.
import { parseArgs } from 'node:util';
import { loadInventory, parseAddress, resolveCredentials } from '../inventory/load.ts';
import { FAULT_KINDS } from '../simulator/faults.ts';
import { startSimulator } from '../simulator/index.ts';

const DEFAULT_CONTROL = process.env.DIEMCAU_SIM_CONTROL ?? '127.0.0.1:16180';

const USAGE = `usage:
  diemcau simulate --inventory FILE [--control 127.0.0.1:16180] [--trap 127.0.0.1:16162]
                   [--seed N] [--battery-speed X]
      serve every device of the inventory (SNMP agents, RTP reflectors, UPS traps) until Ctrl-C;
      secrets come from the environment named in the inventory (e.g. DIEMCAU_SNMP_COMMUNITY)
  diemcau simulate fault add KIND [--site ID] [--district ID] [--device ID] [--mode MODE]
                   [--loss PCT] [--delay MS] [--jitter MS] [--runtime MIN] [--control HOST:PORT]
      KIND: ${FAULT_KINDS.join(', ')}
  diemcau simulate fault list [--control HOST:PORT]
  diemcau simulate fault clear ID|all [--control HOST:PORT]
  diemcau simulate meeting start SITE... | meeting end | meeting show [--control HOST:PORT]
  diemcau simulate status [--control HOST:PORT]      sites that are dark, on battery or in a call

  Lỗi giả lập (fault) và cuộc họp được điều khiển qua API HTTP của trình giả lập
  (mặc định ${DEFAULT_CONTROL}, hoặc biến môi trường DIEMCAU_SIM_CONTROL).
`;

function controlUrl(text: string | undefined): string {
  const t = text ?? DEFAULT_CONTROL;
  return t.startsWith('http') ? t.replace(/\/+$/, '') : `http://${t}`;
}

async function call(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new CliError(
      `không kết nối được trình giả lập tại ${base} (cannot reach the simulator: ${(err as Error).message}); ` +
        'start it with: diemcau simulate --inventory FILE --control HOST:PORT',
    );
  }
  const data = (await res.json().catch(() => ({}))) as { error?: string };
  if (!res.ok) throw new CliError(`${res.status}: ${data.error ?? res.statusText}`);
  return data;
}

class CliError extends Error {}

const num = (v: string | undefined, name: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new CliError(`--${name} must be a number, got "${v}"`);
  return n;
};

async function faultCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      control: { type: 'string' },
      site: { type: 'string' },
      district: { type: 'string' },
      device: { type: 'string' },
      mode: { type: 'string' },
      loss: { type: 'string' },
      delay: { type: 'string' },
      jitter: { type: 'string' },
      runtime: { type: 'string' },
      cause: { type: 'string' },
    },
  });
  const base = controlUrl(values.control);
  const [verb, arg] = positionals;
  if (verb === 'list') {
    const r = (await call(base, 'GET', '/faults')) as { faults: Record<string, unknown>[] };
    if (r.faults.length === 0) process.stdout.write('không có lỗi giả lập nào (no faults)\n');
    for (const f of r.faults) {
      const { id, since, kind, ...rest } = f;
      const detail = Object.entries(rest)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      process.stdout.write(`${id}\t${kind}\t${detail}\t${new Date(since as number).toISOString()}\n`);
    }
    return 0;
  }
  if (verb === 'clear') {
    if (!arg) throw new CliError('fault clear needs a fault id or "all"');
    await call(base, 'DELETE', arg === 'all' ? '/faults' : `/faults/${encodeURIComponent(arg)}`);
    process.stdout.write(`đã xoá ${arg} (cleared)\n`);
    return 0;
  }
  if (verb === 'add') {
    if (!arg) throw new CliError(`fault add needs a kind: ${FAULT_KINDS.join(', ')}`);
    const fault: Record<string, unknown> = { kind: arg };
    if (values.site) fault.site = values.site;
    if (values.district) fault.district = values.district;
    if (values.device) fault.device = values.device;
    if (values.mode) fault.mode = values.mode;
    if (values.cause) fault.cause = values.cause;
    const extra = {
      loss_pct: num(values.loss, 'loss'),
      delay_ms: num(values.delay, 'delay'),
      jitter_ms: num(values.jitter, 'jitter'),
      runtime_min: num(values.runtime, 'runtime'),
    };
    for (const [k, v] of Object.entries(extra)) if (v !== undefined) fault[k] = v;
    const r = (await call(base, 'POST', '/faults', fault)) as { id: string };
    process.stdout.write(`${r.id}\n`);
    return 0;
  }
  throw new CliError('fault: use add, list or clear');
}

async function meetingCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { control: { type: 'string' } },
  });
  const base = controlUrl(values.control);
  const [verb, ...sites] = positionals;
  let r: { sites: string[] };
  if (verb === 'start') r = (await call(base, 'POST', '/meeting/start', { sites })) as { sites: string[] };
  else if (verb === 'end') r = (await call(base, 'POST', '/meeting/end')) as { sites: string[] };
  else if (verb === 'show' || verb === undefined)
    r = (await call(base, 'GET', '/meeting')) as { sites: string[] };
  else throw new CliError('meeting: use start SITE..., end or show');
  process.stdout.write(
    r.sites.length ? `đang họp (in meeting): ${r.sites.join(' ')}\n` : 'không có cuộc họp (no meeting)\n',
  );
  return 0;
}

async function statusCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { control: { type: 'string' } } });
  const r = (await call(controlUrl(values.control), 'GET', '/status')) as {
    sites: {
      site: string;
      reachable: boolean;
      powered: boolean;
      on_battery: boolean;
      runtime_min: number;
      charge_pct: number;
      in_call: boolean;
    }[];
  };
  const odd = r.sites.filter((x) => !x.reachable || x.on_battery || x.in_call || x.charge_pct < 100);
  process.stdout.write(
    `${r.sites.length} điểm cầu (sites): ${r.sites.filter((x) => !x.reachable).length} mất kết nối (dark), ` +
      `${r.sites.filter((x) => x.on_battery).length} chạy pin (on battery), ${r.sites.filter((x) => x.in_call).length} đang họp (in call)\n`,
  );
  for (const x of odd) {
    const flags = [
      x.reachable ? '' : x.powered ? 'dark' : 'dark (no power)',
      x.on_battery ? `on battery, ${x.runtime_min} min left` : '',
      x.charge_pct < 100 ? `charge ${x.charge_pct}%` : '',
      x.in_call ? 'in call' : '',
    ].filter(Boolean);
    process.stdout.write(`  ${x.site}\t${flags.join(', ')}\n`);
  }
  return 0;
}

async function serveCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      inventory: { type: 'string' },
      control: { type: 'string' },
      trap: { type: 'string' },
      seed: { type: 'string' },
      'battery-speed': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help || !values.inventory) {
    process.stderr.write(USAGE);
    return values.help ? 0 : 2;
  }
  const inventory = loadInventory(values.inventory);
  const credentials = resolveCredentials(inventory);
  const control = parseAddress(values.control ?? DEFAULT_CONTROL, 16180);
  const trap = values.trap ? parseAddress(values.trap, 162) : undefined;
  const sim = await startSimulator({
    inventory,
    credentials,
    control,
    ...(trap && { trapTarget: trap }),
    seed: num(values.seed, 'seed') ?? 1,
    batteryTimeScale: num(values['battery-speed'], 'battery-speed') ?? 1,
  });
  process.stdout.write(
    `diemcau simulate: ${sim.counts.agents} thiết bị SNMP, ${sim.counts.reflectors} bộ phản hồi RTP ` +
      `(${sim.counts.agents} SNMP agents, ${sim.counts.reflectors} RTP reflectors); ` +
      `điều khiển (control) ${sim.controlUrl}${trap ? `; trap → ${trap.host}:${trap.port}` : ''}\n`,
  );
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await sim.stop();
  return 0;
}

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub === 'fault') return await faultCommand(rest);
    if (sub === 'meeting') return await meetingCommand(rest);
    if (sub === 'status') return await statusCommand(rest);
    if (sub === '--help' || sub === '-h' || sub === 'help') {
      process.stdout.write(USAGE);
      return 0;
    }
    return await serveCommand(args);
  } catch (err) {
    if (err instanceof CliError || (err instanceof TypeError && 'code' in err)) {
      process.stderr.write(`diemcau simulate: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
