// Writes an inventory YAML from a list of administrative units: the real Bắc Kạn 2022 list
// (from the GSO catalogue) or a synthetic network of any size for benchmarks.
// Device addresses follow the loopback demo plan that the simulator serves.
import type { Carrier } from './schema.ts';

export interface Unit {
  code: string;
  name: string;
  type: string;
  level: 'province' | 'district' | 'commune';
  parentCode: string | null;
  lat?: number;
  lon?: number;
}

export function slugify(text: string): string {
  return text
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/**
 * Loopback plan: site i gets 127.(base + i/250).(i%250).{1 codec, 2 ups, 3 router, 4 reflector};
 * the MCU 127.base.255.1. The demo uses base 20; tests pick their own base so that suites running
 * at the same time never share an address.
 */
export const SNMP_PORT = 16100;
export const RTP_PORT = 5004;
export const DEMO_BASE = 20;
export function siteHost(i: number, octet: number, base = DEMO_BASE): string {
  return `127.${base + Math.floor(i / 250)}.${i % 250}.${octet}`;
}
export function mcuAddress(base = DEMO_BASE): string {
  return `127.${base}.255.1:${SNMP_PORT}`;
}

const PROVINCE_SITES = [
  { id: 'tinh-uy', name: 'Văn phòng Tỉnh ủy', host: 'vp-tinh-uy' },
  { id: 'hdnd-tinh', name: 'Văn phòng Đoàn ĐBQH và HĐND tỉnh', host: 'vp-doan-dbqh-hdnd' },
  { id: 'ubnd-tinh', name: 'Văn phòng UBND tỉnh', host: 'vp-ubnd-tinh' },
  { id: 'so-tttt', name: 'Sở Thông tin và Truyền thông', host: 'so-tttt' },
];

/** Which carrier's dedicated-network link serves each district (demo plan: one carrier per district). */
function districtCarrier(index: number): Carrier {
  return index % 2 === 0 ? 'vnpt' : 'viettel';
}

const q = (s: string) => JSON.stringify(s);
const coord = (u: { lat?: number; lon?: number }) =>
  u.lat !== undefined ? `, lat: ${u.lat}, lon: ${u.lon}` : '';

export function generateInventory(
  units: Unit[],
  opts: { title: string; header?: string; base?: number },
): string {
  const base = opts.base ?? DEMO_BASE;
  const province = units.find((u) => u.level === 'province');
  if (!province) throw new Error('units: no province record');
  const districts = units.filter((u) => u.level === 'district');
  const communes = units.filter((u) => u.level === 'commune');
  const districtId = (d: Unit) => slugify(d.name);
  const hallId = (d: Unit) => slugify(`${d.type} ${d.name}`);
  const districtOf = new Map(districts.map((d, i) => [d.code, { unit: d, index: i }]));
  const capital = districts.find((d) => d.type === 'thành phố') ?? districts[0]!;

  const out: string[] = [];
  const w = (line = '') => out.push(line);
  if (opts.header) w(opts.header.trimEnd());
  w('version: 1');
  w('network:');
  w(`  name: ${q(opts.title)}`);
  w(`  province_gso: ${q(province.code)}`);
  w('  noc: so-tttt');
  w();
  w('# SNMP credentials. Secrets are references, never values: { env: NAME } or { file: PATH }.');
  w('snmp:');
  w('  site-v2c:');
  w("    version: '2c'");
  w('    community: { env: DIEMCAU_SNMP_COMMUNITY }');
  w('  core-v3:');
  w("    version: '3'");
  w('    user: diemcau');
  w('    auth: { protocol: sha, key: { env: DIEMCAU_SNMP_AUTH_KEY } }');
  w('    priv: { protocol: aes, key: { env: DIEMCAU_SNMP_PRIV_KEY } }');
  w();
  w('organisations:');
  const org = (
    id: string,
    name: string,
    nameEn: string,
    kind: string,
    extra: string,
    contacts: string[],
    head?: string,
  ) => {
    w(`  - id: ${id}`);
    w(`    name: ${q(name)}`);
    w(`    name_en: ${q(nameEn)}`);
    w(`    kind: ${kind}`);
    if (extra) w(`    ${extra}`);
    w(`    contacts: [${contacts.join(', ')}]`);
    if (head) w(`    head: ${head}`);
  };
  org(
    'so-tttt',
    'Sở Thông tin và Truyền thông tỉnh Bắc Kạn',
    'Bac Kan Department of Information and Communications',
    'noc',
    '',
    ['noc-truc-ban-1', 'noc-truc-ban-2'],
    'noc-lanh-dao',
  );
  org(
    'viettel',
    'Viettel Bắc Kạn — trực đường truyền',
    'Viettel Bac Kan link on-call',
    'carrier',
    'carrier: viettel',
    ['viettel-truc-1', 'viettel-truc-2'],
    'viettel-lanh-dao',
  );
  org(
    'viettel-mcu',
    'Viettel Bắc Kạn — tổ vận hành MCU',
    'Viettel Bac Kan MCU team',
    'mcu_operator',
    'parent: viettel',
    ['viettel-mcu-1', 'viettel-mcu-2'],
    'viettel-lanh-dao',
  );
  org(
    'vnpt',
    'Viễn thông Bắc Kạn (VNPT) — trực đường truyền',
    'VNPT Bac Kan link on-call',
    'carrier',
    'carrier: vnpt',
    ['vnpt-truc-1', 'vnpt-truc-2'],
    'vnpt-lanh-dao',
  );
  org(
    'pc-bac-kan',
    'Công ty Điện lực Bắc Kạn',
    'Bac Kan Power Company',
    'power',
    '',
    ['dl-tinh-truc'],
    'dl-tinh-lanh-dao',
  );
  for (const d of districts) {
    org(
      `dien-luc-${districtId(d)}`,
      `Điện lực ${d.type === 'thành phố' ? 'Thành phố ' : ''}${d.name}`,
      `${d.name} power branch`,
      'power_branch',
      `parent: pc-bac-kan\n    district: ${districtId(d)}`,
      [`dl-${districtId(d)}-truc`],
      'dl-tinh-lanh-dao',
    );
  }
  for (const p of PROVINCE_SITES.slice(0, 3)) {
    org(p.host, p.name, p.name, 'host', '', [`${p.host}-chuyen-vien`]);
  }
  w();
  w('# People. Names here are role placeholders; the operator fills in real names, and phone numbers');
  w('# and chat ids only as secret references (never the numbers themselves in this file).');
  w('people:');
  const person = (id: string, name: string, orgId: string | null, email: string, extra = '') => {
    w(
      `  - { id: ${id}, name: ${q(name)}${orgId ? `, org: ${orgId}` : ''}, channels: { email: ${email}${extra} } }`,
    );
  };
  person(
    'noc-truc-ban-1',
    'Trực ban NOC ca 1',
    'so-tttt',
    'truc-ban-1@noc.diemcau.example',
    ', telegram: { env: DIEMCAU_TELEGRAM_NOC }',
  );
  person('noc-truc-ban-2', 'Trực ban NOC ca 2', 'so-tttt', 'truc-ban-2@noc.diemcau.example');
  person('noc-lanh-dao', 'Lãnh đạo Trung tâm CNTT&TT', 'so-tttt', 'lanh-dao@noc.diemcau.example');
  for (const [o, label] of [
    ['viettel', 'Viettel'],
    ['vnpt', 'VNPT'],
  ] as const) {
    person(
      `${o}-truc-1`,
      `Trực đường truyền ${label} 1`,
      o,
      `truc-1@${o}.diemcau.example`,
      `, phone: { env: DIEMCAU_PHONE_${o.toUpperCase()}_1 }`,
    );
    person(`${o}-truc-2`, `Trực đường truyền ${label} 2`, o, `truc-2@${o}.diemcau.example`);
    person(`${o}-lanh-dao`, `Lãnh đạo ${label} Bắc Kạn`, o, `lanh-dao@${o}.diemcau.example`);
  }
  person('viettel-mcu-1', 'Kỹ thuật viên MCU Viettel 1', 'viettel-mcu', 'mcu-1@viettel.diemcau.example');
  person('viettel-mcu-2', 'Kỹ thuật viên MCU Viettel 2', 'viettel-mcu', 'mcu-2@viettel.diemcau.example');
  person('dl-tinh-truc', 'Trực vận hành Điện lực Bắc Kạn', 'pc-bac-kan', 'truc@dienluc.diemcau.example');
  person('dl-tinh-lanh-dao', 'Lãnh đạo Điện lực Bắc Kạn', 'pc-bac-kan', 'lanh-dao@dienluc.diemcau.example');
  for (const d of districts) {
    person(
      `dl-${districtId(d)}-truc`,
      `Trực Điện lực ${d.name}`,
      `dien-luc-${districtId(d)}`,
      `truc-${districtId(d)}@dienluc.diemcau.example`,
    );
  }
  for (const p of PROVINCE_SITES.slice(0, 3)) {
    person(`${p.host}-chuyen-vien`, `Chuyên viên ${p.name}`, p.host, `${p.host}@host.diemcau.example`);
  }
  const siteIds: { id: string; label: string }[] = [
    ...PROVINCE_SITES.map((p) => ({ id: p.id, label: p.name })),
    ...districts.map((d) => ({ id: hallId(d), label: `UBND ${d.type} ${d.name}` })),
    ...communes.map((c) => ({ id: slugify(`${c.type} ${c.name}`), label: `UBND ${c.type} ${c.name}` })),
  ];
  for (const s of siteIds) {
    person(`kt-${s.id}`, `Cán bộ kỹ thuật ${s.label}`, null, `kt-${s.id}@site.diemcau.example`);
  }
  w();
  w('districts:');
  for (const d of districts) {
    w(
      `  - { id: ${districtId(d)}, gso: ${q(d.code)}, name: ${q(d.name)}, type: ${d.type}, power_branch: dien-luc-${districtId(d)}${coord(d)} }`,
    );
  }
  w();
  w('# The MCU run by Viettel (Điều 8.1, 14.1); each site names its MCU port (mcu_port).');
  w('mcu:');
  w('  id: mcu-viettel');
  w("  name: 'MCU Viettel'");
  w('  operator: viettel-mcu');
  w('  profile: polycom-mcu');
  w(`  address: ${q(mcuAddress(base))}`);
  w('  snmp: core-v3');
  w();
  w('sites:');
  let index = 0;
  const site = (s: {
    id: string;
    gso: string;
    name: string;
    tier: string;
    district: Unit;
    lat?: number;
    lon?: number;
    host?: string;
    power: string;
    codecProfile: string;
    snmp: string;
  }) => {
    const i = index++;
    const dist = districtOf.get(s.district.code)!;
    const carrier = districtCarrier(dist.index);
    w(`  - id: ${s.id}`);
    w(`    gso: ${q(s.gso)}`);
    w(`    name: ${q(s.name)}`);
    w(`    tier: ${s.tier}`);
    w(`    district: ${districtId(s.district)}`);
    if (s.lat !== undefined) w(`    lat: ${s.lat}\n    lon: ${s.lon}`);
    if (s.host) w(`    host_org: ${s.host}`);
    const circuit = `TSLCD-BKN-${carrier === 'vnpt' ? 'VNPT' : 'VTL'}-${String(i + 1).padStart(4, '0')}`;
    w(
      `    link: { carrier: ${carrier}, circuit: ${circuit}, bandwidth_mbps: ${s.tier === 'commune' ? 10 : 20} }`,
    );
    w(`    power: ${s.power}`);
    w(`    technician: kt-${s.id}`);
    w(`    mcu_port: ${i + 1}`);
    w(`    probes: { rtp: "${siteHost(i, 4, base)}:${RTP_PORT}" }`);
    w('    devices:');
    const ups = i % 5 === 4 ? 'apc-powernet' : 'ups-mib';
    w(
      `      - { id: ${s.id}-codec, kind: codec, profile: ${s.codecProfile}, address: "${siteHost(i, 1, base)}:${SNMP_PORT}", snmp: ${s.snmp} }`,
    );
    w(
      `      - { id: ${s.id}-ups, kind: ups, profile: ${ups}, address: "${siteHost(i, 2, base)}:${SNMP_PORT}", snmp: ${s.snmp} }`,
    );
    w(
      `      - { id: ${s.id}-router, kind: router, profile: if-mib-router, address: "${siteHost(i, 3, base)}:${SNMP_PORT}", snmp: ${s.snmp} }`,
    );
  };
  w('  # Province tier (Điều 2.2.a)');
  for (const p of PROVINCE_SITES) {
    site({
      id: p.id,
      gso: province.code,
      name: p.name,
      tier: 'province',
      district: capital,
      lat: province.lat,
      lon: province.lon,
      ...(p.id !== 'so-tttt' && { host: p.host }),
      power: 'pc-bac-kan',
      codecProfile: p.id === 'so-tttt' ? 'cisco-cts' : 'polycom-group',
      snmp: 'core-v3',
    });
  }
  w('  # District tier: hội trường UBND huyện, thành phố (Điều 2.2.b)');
  for (const d of districts) {
    site({
      id: hallId(d),
      gso: d.code,
      name: `Hội trường UBND ${d.type} ${d.name}`,
      tier: 'district',
      district: d,
      ...(d.lat !== undefined && { lat: d.lat, lon: d.lon }),
      power: `dien-luc-${districtId(d)}`,
      codecProfile: 'polycom-group',
      snmp: 'core-v3',
    });
  }
  w('  # Commune tier: hội trường UBND xã, phường, thị trấn (Điều 2.2.c)');
  const communeCodecs = ['polycom-group', 'polycom-hdx', 'generic-codec'];
  communes.forEach((c, k) => {
    const d = districtOf.get(c.parentCode ?? '');
    if (!d) throw new Error(`unit ${c.code}: unknown parent ${c.parentCode}`);
    site({
      id: slugify(`${c.type} ${c.name}`),
      gso: c.code,
      name: `Hội trường UBND ${c.type} ${c.name}`,
      tier: 'commune',
      district: d.unit,
      ...(c.lat !== undefined && { lat: c.lat, lon: c.lon }),
      power: `dien-luc-${districtId(d.unit)}`,
      codecProfile: communeCodecs[k % communeCodecs.length]!,
      snmp: 'site-v2c',
    });
  });
  return `${out.join('\n')}\n`;
}

/** A synthetic province of `sites` sites (4 province, districts of ~15 communes) for benchmarks. */
export function syntheticUnits(sites: number): Unit[] {
  const communes = Math.max(0, sites - 4);
  const districtCount = Math.max(1, Math.round(communes / 16));
  const units: Unit[] = [
    { code: '99', name: 'Thử nghiệm', type: 'tỉnh', level: 'province', parentCode: null },
  ];
  for (let d = 0; d < districtCount; d++) {
    units.push({
      code: String(100 + d),
      name: `Huyện ${d + 1}`,
      type: 'huyện',
      level: 'district',
      parentCode: '99',
    });
  }
  const left = communes - districtCount;
  for (let c = 0; c < left; c++) {
    units.push({
      code: String(10000 + c),
      name: `Số ${c + 1}`,
      type: 'xã',
      level: 'commune',
      parentCode: String(100 + (c % districtCount)),
    });
  }
  return units;
}
