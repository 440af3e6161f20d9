// Loads an inventory file: shape (schema.ts), then every reference across it, each error at FILE:LINE.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import {
  type Carrier,
  type Device,
  type DeviceKind,
  type DeviceProtocol,
  type District,
  Inventory,
  type McuProtocol,
  normalizePin,
  type Organisation,
  type Person,
  type SecretRef,
  type Site,
  type SnmpCredential,
  type Tier,
} from './schema.ts';
import { type Path, type SourceError, SourceErrors, YamlSource } from './source.ts';

export interface Address {
  host: string;
  port: number;
}

/** A device of any kind with the site it stands at (the MCU has none). */
export interface DeviceRef {
  id: string;
  kind: DeviceKind;
  profile: string;
  address: Address;
  snmp: string;
  site: Site | null;
  /** this device's own SNMP timeout and retries, when the inventory sets them */
  timeoutMs?: number;
  retries?: number;
  /** how the collector reads it: SNMP unless the inventory names another protocol (MCU, codec) */
  protocol?: McuProtocol | DeviceProtocol;
}

/** The MCU's management API (inventory mcu.protocol other than snmp), secrets still by reference. */
export interface McuApi {
  protocol: Exclude<McuProtocol, 'snmp'>;
  /** base URL without a trailing slash */
  url: string;
  user: string;
  password: SecretRef;
  intervalMs?: number;
  timeoutMs?: number;
  /** absolute path of the operator's CA certificate (PEM) */
  caFile?: string;
  /** the server certificate's pinned SHA-256 fingerprint, "AB:CD:…" */
  pinSha256?: string;
}

/** A site device read through its management API (inventory protocol cisco-xapi), secrets by reference. */
export interface DeviceApi {
  device: string;
  protocol: Exclude<DeviceProtocol, 'snmp'>;
  /** base URL without a trailing slash */
  url: string;
  user: string;
  password: SecretRef;
  intervalMs?: number;
  timeoutMs?: number;
  /** absolute path of the operator's CA certificate (PEM) */
  caFile?: string;
  /** the server certificate's pinned SHA-256 fingerprint, "AB:CD:…" */
  pinSha256?: string;
  /** where the device is in the inventory file (for errors at FILE:LINE) */
  path: Path;
}

export interface LoadedInventory {
  file: string;
  inventory: Inventory;
  source: YamlSource;
  sites: Map<string, Site>;
  districts: Map<string, District>;
  organisations: Map<string, Organisation>;
  people: Map<string, Person>;
  devices: Map<string, DeviceRef>;
  /** site id → MCU port, and back */
  mcuPorts: Map<number, string>;
  /** normalised call alias (aliasKey) → site id: the site's and its codec's aliases, and its codec's host */
  aliases: Map<string, string>;
  /** the MCU's management API when it is not polled by SNMP */
  mcuApi: McuApi | null;
  /** device id → its management API, for site devices not polled by SNMP (codecs on cisco-xapi) */
  deviceApis: Map<string, DeviceApi>;
}

/** An alias as compared: lower case, without a "sip:", "sips:" or "h323:" scheme. */
export function aliasKey(alias: string): string {
  return alias
    .trim()
    .toLowerCase()
    .replace(/^(sips?|h323):/, '');
}

/** "800ms" / "10s" (the schema allows only these) in milliseconds */
function durationMs(text: string): number {
  return Number.parseInt(text, 10) * (text.endsWith('ms') ? 1 : 1000);
}

export const SNMP_DEFAULT_PORT = 161;

export function parseAddress(text: string, defaultPort = SNMP_DEFAULT_PORT): Address {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (v6) return { host: v6[1]!, port: v6[2] ? Number(v6[2]) : defaultPort };
  const parts = text.split(':');
  if (parts.length === 2) return { host: parts[0]!, port: Number(parts[1]) };
  return { host: text, port: defaultPort };
}

export function formatAddress(a: Address): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

export function loadInventory(file: string): LoadedInventory {
  const source = YamlSource.read(file);
  const inventory = source.parse(Inventory);
  source.release();
  return indexInventory(source, inventory);
}

function indexInventory(source: YamlSource, inv: Inventory): LoadedInventory {
  const errors: SourceError[] = [];
  const err = (path: Path, message: string) => errors.push(source.error(path, message));

  const byId = <T extends { id: string }>(list: T[], key: string, what: string) => {
    const map = new Map<string, T>();
    list.forEach((item, i) => {
      if (map.has(item.id))
        err([key, i, 'id'], `duplicate ${what} id "${item.id}": each ${what} needs its own id`);
      else map.set(item.id, item);
    });
    return map;
  };
  const organisations = byId(inv.organisations, 'organisations', 'organisation');
  const people = byId(inv.people, 'people', 'person');
  const districts = byId(inv.districts, 'districts', 'district');
  const sites = byId(inv.sites, 'sites', 'site');

  const known = (
    map: Map<string, unknown>,
    id: string | undefined,
    path: Path,
    what: string,
    ctx: string,
  ) => {
    if (id !== undefined && !map.has(id)) {
      err(
        path,
        `${ctx}: unknown ${what} "${id}" (declare it under ${what === 'person' ? 'people' : `${what}s`} or fix the id)`,
      );
      return false;
    }
    return true;
  };
  const orgOfKind = (id: string, path: Path, ctx: string, kinds: Organisation['kind'][]) => {
    if (!known(organisations, id, path, 'organisation', ctx)) return;
    const o = organisations.get(id)!;
    if (!kinds.includes(o.kind))
      err(path, `${ctx}: organisation "${id}" is a ${o.kind}, expected ${kinds.join(' or ')}`);
  };

  if (!organisations.has(inv.network.noc))
    err(['network', 'noc'], `network.noc: unknown organisation "${inv.network.noc}"`);

  inv.organisations.forEach((o, i) => {
    const ctx = `organisation "${o.id}"`;
    known(organisations, o.parent, ['organisations', i, 'parent'], 'organisation', ctx);
    known(districts, o.district, ['organisations', i, 'district'], 'district', ctx);
    for (const [j, p] of o.contacts.entries())
      known(people, p, ['organisations', i, 'contacts', j], 'person', ctx);
    known(people, o.head, ['organisations', i, 'head'], 'person', ctx);
    if (o.kind === 'carrier' && !o.carrier)
      err(['organisations', i], `${ctx}: a carrier needs carrier: viettel or vnpt`);
    if (o.kind === 'power_branch' && !o.district)
      err(['organisations', i], `${ctx}: a power_branch needs the district it serves`);
  });
  for (const c of ['viettel', 'vnpt'] as Carrier[]) {
    const used = inv.sites.some((s) => s.link.carrier === c);
    if (used && !inv.organisations.some((o) => o.kind === 'carrier' && o.carrier === c)) {
      err(['organisations'], `sites use carrier "${c}" but no organisation has kind: carrier, carrier: ${c}`);
    }
  }
  for (const [i, p] of inv.people.entries()) {
    known(organisations, p.org, ['people', i, 'org'], 'organisation', `person "${p.id}"`);
  }
  for (const [i, d] of inv.districts.entries()) {
    orgOfKind(d.power_branch, ['districts', i, 'power_branch'], `district "${d.id}"`, [
      'power_branch',
      'power',
    ]);
  }

  const devices = new Map<string, DeviceRef>();
  const endpoints = new Map<string, string>();
  const mcuPorts = new Map<number, string>();
  const deviceApis = new Map<string, DeviceApi>();
  const caPath = (file: string | undefined) =>
    file && (isAbsolute(file) ? file : resolve(dirname(source.file), file));

  const addDevice = (d: Device, kind: DeviceKind, site: Site | null, path: Path) => {
    if (devices.has(d.id)) {
      err([...path, 'id'], `duplicate device id "${d.id}": each device needs its own id`);
      return;
    }
    const api = d.protocol !== undefined && d.protocol !== 'snmp';
    if (!api && !inv.snmp[d.snmp!]) {
      err(
        [...path, 'snmp'],
        `device "${d.id}": unknown SNMP credential "${d.snmp}" (declare it under snmp:)`,
      );
    }
    const address = parseAddress(d.address);
    if (!Number.isInteger(address.port) || address.port < 1 || address.port > 65535) {
      err([...path, 'address'], `device "${d.id}": port must be 1-65535 in "${d.address}"`);
    }
    const key = `${address.host}:${address.port}`;
    const other = endpoints.get(key);
    if (other) {
      err(
        [...path, 'address'],
        `device "${d.id}": address ${d.address} is already used by device "${other}"; each device needs its own address:port`,
      );
    } else endpoints.set(key, d.id);
    if (api) {
      const caFile = caPath(d.ca_file);
      deviceApis.set(d.id, {
        device: d.id,
        protocol: d.protocol as DeviceApi['protocol'],
        // the schema requires url and credentials for an API protocol
        url: d.url!.replace(/\/$/, ''),
        user: d.credentials!.user,
        password: d.credentials!.password,
        ...(d.interval && { intervalMs: durationMs(d.interval) }),
        ...(d.timeout && { timeoutMs: durationMs(d.timeout) }),
        ...(caFile && { caFile }),
        ...(d.pin_sha256 && { pinSha256: normalizePin(d.pin_sha256)! }),
        path,
      });
    }
    devices.set(d.id, {
      id: d.id,
      kind,
      profile: api ? d.protocol! : d.profile!,
      address,
      snmp: api ? '' : d.snmp!,
      site,
      ...(api && { protocol: d.protocol }),
      // the schema allows only "<n>ms" and "<n>s"
      ...(d.snmp_timeout !== undefined && { timeoutMs: durationMs(d.snmp_timeout) }),
      ...(d.snmp_retries !== undefined && { retries: d.snmp_retries }),
    });
  };

  known(organisations, inv.mcu.operator, ['mcu', 'operator'], 'organisation', `MCU "${inv.mcu.id}"`);
  let mcuApi: McuApi | null = null;
  const mcu = inv.mcu;
  if (mcu.protocol === 'snmp') {
    // the schema requires profile, address and snmp for protocol snmp
    addDevice(
      {
        ...mcu,
        kind: 'codec',
        protocol: 'snmp',
        profile: mcu.profile!,
        address: mcu.address!,
        snmp: mcu.snmp!,
      },
      'mcu',
      null,
      ['mcu'],
    );
  } else {
    const url = new URL(mcu.url!);
    const address = {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
    };
    endpoints.set(`${address.host}:${address.port}`, mcu.id);
    devices.set(mcu.id, {
      id: mcu.id,
      kind: 'mcu',
      profile: mcu.protocol,
      address,
      snmp: '',
      site: null,
      protocol: mcu.protocol,
    });
    const caFile = caPath(mcu.ca_file);
    mcuApi = {
      protocol: mcu.protocol,
      url: mcu.url!.replace(/\/$/, ''),
      user: mcu.credentials!.user,
      password: mcu.credentials!.password,
      ...(mcu.interval && { intervalMs: durationMs(mcu.interval) }),
      ...(mcu.timeout && { timeoutMs: durationMs(mcu.timeout) }),
      ...(caFile && { caFile }),
      ...(mcu.pin_sha256 && { pinSha256: normalizePin(mcu.pin_sha256)! }),
    };
  }
  const aliases = new Map<string, string>();
  const aliasOwner = new Map<string, string>();
  const addAlias = (alias: string, siteId: string, owner: string, path: Path) => {
    const key = aliasKey(alias);
    const prev = aliasOwner.get(key);
    if (prev !== undefined) {
      if (aliases.get(key) !== siteId)
        err(path, `alias "${alias}" is already used by ${prev}; each alias names one site`);
      return;
    }
    aliasOwner.set(key, owner);
    aliases.set(key, siteId);
  };

  const tierCount = { province: 0, district: 0, commune: 0 } satisfies Record<Tier, number>;
  const gsos = new Map<string, string>();
  inv.sites.forEach((s, i) => {
    const ctx = `site "${s.id}"`;
    tierCount[s.tier]++;
    known(districts, s.district, ['sites', i, 'district'], 'district', ctx);
    orgOfKind(s.power, ['sites', i, 'power'], ctx, ['power', 'power_branch']);
    if (s.host_org) orgOfKind(s.host_org, ['sites', i, 'host_org'], ctx, ['host', 'noc']);
    known(people, s.technician, ['sites', i, 'technician'], 'person', ctx);
    if (s.tier !== 'province') {
      const dup = gsos.get(s.gso);
      if (dup) err(['sites', i, 'gso'], `${ctx}: GSO code ${s.gso} is already used by site "${dup}"`);
      else gsos.set(s.gso, s.id);
    }
    if (s.tier === 'commune' && s.gso.length !== 5)
      err(['sites', i, 'gso'], `${ctx}: a commune's GSO code has 5 digits`);
    if (s.tier === 'district' && s.gso.length !== 3)
      err(['sites', i, 'gso'], `${ctx}: a district hall's GSO code has 3 digits`);
    if (s.mcu_port !== undefined) {
      const prev = mcuPorts.get(s.mcu_port);
      if (prev)
        err(['sites', i, 'mcu_port'], `${ctx}: MCU port ${s.mcu_port} is already mapped to site "${prev}"`);
      else mcuPorts.set(s.mcu_port, s.id);
    }
    for (const [j, d] of s.devices.entries()) addDevice(d, d.kind, s, ['sites', i, 'devices', j]);
    for (const [j, a] of (s.aliases ?? []).entries())
      addAlias(a, s.id, `site "${s.id}"`, ['sites', i, 'aliases', j]);
    for (const [j, d] of s.devices.entries()) {
      for (const [k, a] of (d.aliases ?? []).entries())
        addAlias(a, s.id, `device "${d.id}"`, ['sites', i, 'devices', j, 'aliases', k]);
      // a codec calls from its own address: that address matches it too
      if (d.kind === 'codec')
        addAlias(parseAddress(d.address).host, s.id, `device "${d.id}"`, [
          'sites',
          i,
          'devices',
          j,
          'address',
        ]);
    }
    for (const [probe, text] of Object.entries(s.probes)) {
      if (text === undefined) continue;
      const a = parseAddress(text, probe === 'rtp' ? 5004 : 0);
      if (probe === 'rtp') {
        const key = `rtp:${a.host}:${a.port}`;
        const other = endpoints.get(key);
        if (other)
          err(['sites', i, 'probes', probe], `${ctx}: reflector ${text} is already used by site "${other}"`);
        else endpoints.set(key, s.id);
      }
    }
  });
  // Technicians: the regulation (Điều 13.2) wants one per site; a technician may serve several sites.
  if (errors.length > 0) throw new SourceErrors(errors);
  return {
    file: source.file,
    inventory: inv,
    source,
    sites,
    districts,
    organisations,
    people,
    devices,
    mcuPorts,
    aliases,
    mcuApi,
    deviceApis,
  };
}

export function summarize(l: LoadedInventory): string {
  const t = { province: 0, district: 0, commune: 0 };
  for (const s of l.inventory.sites) t[s.tier]++;
  return `ok: ${l.inventory.sites.length} sites (${t.province} province, ${t.district} district, ${t.commune} commune), ${l.devices.size} devices`;
}

/**
 * Reads a secret named by reference; files are resolved against the inventory's folder. A plain
 * string (a phone number written as is) is its own value.
 */
export function readSecret(
  ref: SecretRef | string,
  baseDir: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (typeof ref === 'string') return ref || undefined;
  if ('env' in ref) return env[ref.env] || undefined;
  const path = isAbsolute(ref.file) ? ref.file : resolve(baseDir, ref.file);
  try {
    return readFileSync(path, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export interface ResolvedCredential {
  version: '2c' | '3';
  community?: string;
  user?: string;
  auth?: { protocol: string; key: string };
  priv?: { protocol: string; key: string };
}

/**
 * Resolves every SNMP secret reference that a device uses. Runs at start (serve, collect, simulate),
 * not at `inventory check`, so a file can be checked on a machine without the secrets.
 */
export function resolveCredentials(
  l: LoadedInventory,
  env: NodeJS.ProcessEnv = process.env,
): Map<string, ResolvedCredential> {
  const errors: SourceError[] = [];
  const out = new Map<string, ResolvedCredential>();
  const used = new Set([...l.devices.values()].map((d) => d.snmp));
  const base = dirname(l.file);
  for (const [name, cred] of Object.entries(l.inventory.snmp) as [string, SnmpCredential][]) {
    if (!used.has(name)) continue;
    const need = (ref: SecretRef, path: Path, what: string): string => {
      const v = readSecret(ref, base, env);
      if (v === undefined) {
        const where =
          'env' in ref
            ? `environment variable ${ref.env} is not set`
            : `file ${ref.file} is missing or empty`;
        errors.push(
          l.source.error(
            ['snmp', name, ...path],
            `SNMP credential "${name}": ${what} does not resolve: ${where}`,
          ),
        );
      }
      return v ?? '';
    };
    if (cred.version === '2c')
      out.set(name, { version: '2c', community: need(cred.community, ['community'], 'community') });
    else {
      out.set(name, {
        version: '3',
        user: cred.user,
        auth: { protocol: cred.auth.protocol, key: need(cred.auth.key, ['auth', 'key'], 'auth key') },
        ...(cred.priv && {
          priv: { protocol: cred.priv.protocol, key: need(cred.priv.key, ['priv', 'key'], 'priv key') },
        }),
      });
    }
  }
  if (errors.length > 0) throw new SourceErrors(errors);
  return out;
}

/** A site device's management-API password (a codec on cisco-xapi), resolved at start like the SNMP secrets. */
export function resolveDevicePassword(
  l: LoadedInventory,
  deviceId: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const api = l.deviceApis.get(deviceId);
  if (!api) throw new Error(`device "${deviceId}" has no management API`);
  const v = readSecret(api.password, dirname(l.file), env);
  if (v === undefined) {
    const ref = api.password;
    const where =
      'env' in ref ? `environment variable ${ref.env} is not set` : `file ${ref.file} is missing or empty`;
    throw new SourceErrors([
      l.source.error(
        [...api.path, 'credentials', 'password'],
        `device "${deviceId}": password does not resolve: ${where}`,
      ),
    ]);
  }
  return v;
}

/** The MCU management API's password, resolved at start like the SNMP secrets. */
export function resolveMcuPassword(l: LoadedInventory, env: NodeJS.ProcessEnv = process.env): string {
  const api = l.mcuApi;
  if (!api) throw new Error('the inventory MCU has no management API');
  const v = readSecret(api.password, dirname(l.file), env);
  if (v === undefined) {
    const ref = api.password;
    const where =
      'env' in ref ? `environment variable ${ref.env} is not set` : `file ${ref.file} is missing or empty`;
    throw new SourceErrors([
      l.source.error(
        ['mcu', 'credentials', 'password'],
        `MCU "${l.inventory.mcu.id}": password does not resolve: ${where}`,
      ),
    ]);
  }
  return v;
}
