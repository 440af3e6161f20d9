// diemcau inventory check FILE | generate (--units FILE | --sites N) [--out FILE] | export [-c CONFIG] [-o FILE]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.ts';
import { generateInventory, syntheticUnits, type Unit } from '../inventory/generate.ts';
import { loadInventory, summarize } from '../inventory/load.ts';
import { openStateDb } from '../storage/state-db.ts';

const USAGE = `usage:
  diemcau inventory check FILE
  diemcau inventory export [-c diemcau.yaml] [-o FILE]   (the inventory with the people and site
                                       technicians of the state database merged back)
  diemcau inventory generate --units inventory/bac-kan-units-2022.json [--out FILE]
  diemcau inventory generate --sites N [--base 20] [--out FILE]   (synthetic network for benchmarks;
                                       addresses 127.BASE.x.y)
`;

const BAC_KAN_HEADER = `# diemcau inventory: the Bắc Kạn provincial video-conference network (2022 administrative units).
# Units, names and GSO codes: the GSO catalogue as it stood throughout 2022 (108 commune-level units).
# Coordinates are approximate (kilometre-level) representative points; Mỹ Thanh (02011) has none.
#
# ADDRESSES ARE THE LOOPBACK DEMO PLAN served by \`diemcau simulate\` / \`diemcau demo\`:
#   site i: codec 127.(20+i/250).(i%250).1:16100, UPS .2, router .3, RTP reflector .4:5004; MCU 127.20.255.1:16100.
# To monitor the real network, replace each device's address with its management address on the
# dedicated government network (port 161 when omitted: address: "10.6.12.5"), each site's probes.rtp with
# the reflector at the site (\`diemcau reflector\`), and add probes.icmp: with the site router's address
# (on loopback every address answers ICMP, so the demo plan leaves it out).
# Then run: diemcau inventory check inventory/bac-kan.yaml
`;

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'check') {
    const { positionals } = parseArgs({ args: rest, allowPositionals: true });
    if (positionals.length !== 1) {
      process.stderr.write(USAGE);
      return 2;
    }
    process.stdout.write(`${summarize(loadInventory(positionals[0]!))}\n`);
    return 0;
  }
  if (sub === 'export') return exportCommand(rest);
  if (sub === 'generate') {
    const { values } = parseArgs({
      args: rest,
      options: {
        units: { type: 'string' },
        sites: { type: 'string' },
        out: { type: 'string' },
        base: { type: 'string', default: '20' },
      },
    });
    let text: string;
    if (values.units) {
      const units = JSON.parse(readFileSync(values.units, 'utf8')) as Unit[];
      text = generateInventory(units, {
        title: 'Hệ thống hội nghị truyền hình trực tuyến tỉnh Bắc Kạn',
        header: BAC_KAN_HEADER,
      });
    } else if (values.sites) {
      const n = Number(values.sites);
      if (!Number.isInteger(n) || n < 5) {
        process.stderr.write('--sites must be a whole number of at least 5\n');
        return 2;
      }
      text = generateInventory(syntheticUnits(n), {
        title: `Mạng thử nghiệm ${n} điểm cầu`,
        base: Number(values.base),
      });
    } else {
      process.stderr.write(USAGE);
      return 2;
    }
    if (values.out) writeFileSync(values.out, text);
    else process.stdout.write(text);
    return 0;
  }
  process.stderr.write(USAGE);
  return 2;
}

/** The inventory file with the state database's people and site technicians (people/export.ts). */
async function exportCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { config: { type: 'string', short: 'c' }, out: { type: 'string', short: 'o' } },
  });
  const config = loadConfig(values.config);
  const db = join(config.data_dir, 'state.db');
  if (!existsSync(db)) {
    process.stderr.write(
      `diemcau inventory export: không có cơ sở dữ liệu trạng thái ${db} / no state database at ${db}: run diemcau serve first, or give -c with its data_dir\n`,
    );
    return 1;
  }
  const inv = loadInventory(config.inventory);
  const state = openStateDb(db);
  try {
    const { directoryFor } = await import('../people/directory.ts');
    const { exportInventory } = await import('../people/export.ts');
    directoryFor(state, inv);
    const technicians = new Map([...inv.sites.values()].map((s) => [s.id, s.technician] as const));
    const r = exportInventory(readFileSync(inv.file, 'utf8'), inv.inventory.people, technicians);
    if (values.out) writeFileSync(values.out, r.text);
    else process.stdout.write(r.text);
    process.stderr.write(
      `diemcau inventory export: ${r.changed.length} người sửa, ${r.added.length} người thêm, ${r.technicians.length} điểm cầu đổi cán bộ kỹ thuật / ${r.changed.length} people changed, ${r.added.length} added, ${r.technicians.length} site technicians changed\n`,
    );
    return 0;
  } finally {
    state.close();
  }
}
