// The inventory schema: every site, device, organisation and person of the network, as data.
// Shape checks live here; checks across references live in validate.ts.
import { z } from 'zod';

export const TIERS = ['province', 'district', 'commune'] as const;
export const CARRIERS = ['viettel', 'vnpt'] as const;
export const DEVICE_KINDS = ['codec', 'ups', 'router'] as const;
export const ORG_KINDS = ['noc', 'carrier', 'mcu_operator', 'power', 'power_branch', 'host'] as const;

export type Tier = (typeof TIERS)[number];
export type Carrier = (typeof CARRIERS)[number];
export type DeviceKind = (typeof DEVICE_KINDS)[number] | 'mcu';

const slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a lowercase ASCII slug such as "xa-bang-thanh" (a-z, 0-9, "-")');

/** A secret is never written inline: it names an environment variable or a file holding it. */
export const SecretRef = z.union([
  z.object({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name') }).strict(),
  z.object({ file: z.string().min(1) }).strict(),
]);
export type SecretRef = z.infer<typeof SecretRef>;

const secret = z.unknown().transform((v, ctx) => {
  if (typeof v === 'string' || typeof v === 'number') {
    ctx.addIssue({
      code: 'custom',
      message:
        'secret values are never written inline: use { env: VARIABLE_NAME } or { file: /path/to/secret }',
    });
    return z.NEVER;
  }
  const r = SecretRef.safeParse(v);
  if (!r.success) {
    ctx.addIssue({ code: 'custom', message: 'must be { env: VARIABLE_NAME } or { file: /path/to/secret }' });
    return z.NEVER;
  }
  return r.data;
});

/** A phone number is contact data, not a credential: written as is, or as a secret reference. */
export const PHONE_PATTERN = /^\+?[0-9][0-9 .-]{5,19}$/;
const phone = z.unknown().transform((v, ctx) => {
  if (typeof v === 'string') {
    if (PHONE_PATTERN.test(v)) return v;
    ctx.addIssue({ code: 'custom', message: 'must be a phone number such as "+84 912 345 678"' });
    return z.NEVER;
  }
  const r = SecretRef.safeParse(v);
  if (!r.success) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be a phone number such as "+84 912 345 678", { env: VARIABLE_NAME } or { file: PATH }',
    });
    return z.NEVER;
  }
  return r.data as string | SecretRef;
});

const Channels = z
  .object({
    email: z.email('must be an e-mail address').optional(),
    phone: phone.optional(),
    telegram: secret.optional(),
    zalo: secret.optional(),
  })
  .strict();

export const Person = z
  .object({
    id: slug,
    name: z.string().min(1),
    title: z.string().optional(),
    org: slug.optional(),
    channels: Channels.default({}),
  })
  .strict();

export const Organisation = z
  .object({
    id: slug,
    name: z.string().min(1),
    name_en: z.string().optional(),
    kind: z.enum(ORG_KINDS),
    carrier: z.enum(CARRIERS).optional(),
    parent: slug.optional(),
    district: slug.optional(),
    /** People to page, in escalation order. */
    contacts: z.array(slug).default([]),
    head: slug.optional(),
  })
  .strict();

const hostPort = z
  .string()
  .regex(
    /^[A-Za-z0-9.:[\]-]+$/,
    'must be an address such as "10.20.1.5", "10.20.1.5:161" or "[2001:db8::5]:161"',
  );

export const SnmpCredential = z.discriminatedUnion('version', [
  z.object({ version: z.literal('2c'), community: secret }).strict(),
  z
    .object({
      version: z.literal('3'),
      user: z.string().min(1),
      auth: z.object({ protocol: z.enum(['md5', 'sha', 'sha256', 'sha512']), key: secret }).strict(),
      priv: z
        .object({ protocol: z.enum(['des', 'aes', 'aes256b', 'aes256r']), key: secret })
        .strict()
        .optional(),
    })
    .strict(),
]);
export type SnmpCredential = z.infer<typeof SnmpCredential>;

/** Per-device overrides of collector.snmp_timeout and snmp_retries (a slow satellite or 3G link). */
const snmpTuning = {
  snmp_timeout: z
    .string({ error: 'must be a duration such as "800ms" or "5s" (a number needs its unit)' })
    .regex(/^\d+(ms|s)$/, 'must be a duration such as "800ms" or "5s"')
    .optional(),
  snmp_retries: z.number().int().min(0).max(5).optional(),
};

/**
 * How a participant on an MCU's management API is matched to a site: a SIP URI, an H.323 alias
 * or an address the codec calls from ("sip:" / "h323:" prefixes and case are ignored).
 */
const aliases = z
  .array(
    z
      .string()
      .min(1)
      .max(200)
      .regex(/^\S+$/, 'must be one alias without spaces, e.g. "sip:xa-bang-thanh@bac-kan.example"'),
  )
  .max(20)
  .optional();

const duration = z
  .string({ error: 'must be a duration such as "10s" or "800ms" (a number needs its unit)' })
  .regex(/^\d+(ms|s)$/, 'must be a duration such as "10s" or "800ms"');

/** A management API's fields (the MCU's pexip-mgmt, a codec's cisco-xapi): base URL, basic auth, polling. */
const apiFields = {
  url: z
    .string()
    .regex(
      /^(https:\/\/[^\s/]+|http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?)\/?$/,
      'must be "https://HOST[:PORT]" (plain http only on loopback, for tests), without a path',
    )
    .optional(),
  credentials: z
    .object({ user: z.string().min(1), password: secret })
    .strict()
    .optional(),
  interval: duration.optional(),
  timeout: duration.optional(),
  /** the operator's CA certificate (PEM) that signs the management API's certificate */
  ca_file: z.string().min(1).optional(),
  /**
   * the device's own certificate, pinned: its SHA-256 fingerprint as `openssl x509 -noout -fingerprint
   * -sha256` prints it (a self-signed codec or MCU certificate is trusted exactly, never "any")
   */
  pin_sha256: z
    .string()
    .regex(
      /^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$|^[0-9A-Fa-f]{64}$/,
      'must be a SHA-256 fingerprint: 64 hexadecimal digits, in pairs separated by ":" or not (openssl x509 -noout -fingerprint -sha256 -in CERT.pem)',
    )
    .optional(),
};
/** "ab:cd…" or "abcd…" → "AB:CD:…" (Node's fingerprint256 form); null when it is not 64 hex digits. */
export function normalizePin(pin: string): string | null {
  const hex = pin.replace(/[:\s]/g, '').toUpperCase();
  return /^[0-9A-F]{64}$/.test(hex) ? (hex.match(/../g) as string[]).join(':') : null;
}
const API_FIELDS = ['url', 'credentials', 'interval', 'timeout', 'ca_file', 'pin_sha256'] as const;
const SNMP_FIELDS = ['profile', 'snmp', 'snmp_timeout', 'snmp_retries'] as const;

/** How the collector reads a site device: SNMP (a profile), or a codec's management API. */
export const DEVICE_PROTOCOLS = ['snmp', 'cisco-xapi'] as const;
export type DeviceProtocol = (typeof DEVICE_PROTOCOLS)[number];

export const Device = z
  .object({
    id: slug,
    kind: z.enum(DEVICE_KINDS),
    protocol: z.enum(DEVICE_PROTOCOLS, 'must be "snmp" or "cisco-xapi"').default('snmp'),
    // protocol snmp
    profile: slug.optional(),
    /** the device's management address (for an API device: its host, also a call alias of a codec) */
    address: hostPort,
    snmp: slug.optional(),
    ...snmpTuning,
    // protocol cisco-xapi: the codec's HTTPS base URL, basic-auth credentials, polling
    ...apiFields,
    /** the codec's call aliases (MCU management-API drivers match participants by them) */
    aliases,
  })
  .strict()
  .superRefine((d, ctx) => {
    const need = (field: keyof typeof d, why: string) => {
      // reported at the device (a path to an absent field would only say "is required")
      if (d[field] === undefined) ctx.addIssue({ code: 'custom', path: [], message: why });
    };
    if (d.protocol === 'snmp') {
      need('profile', 'protocol snmp needs profile (a file of collector/profiles/, e.g. generic-codec)');
      need('snmp', 'protocol snmp needs snmp: the name of an SNMP credential');
      for (const f of API_FIELDS)
        if (d[f] !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: [f],
            message: `${f} is for a management API (protocol: cisco-xapi), not snmp`,
          });
      return;
    }
    if (d.kind !== 'codec')
      ctx.addIssue({
        code: 'custom',
        path: ['protocol'],
        message: `protocol ${d.protocol} is for a codec (kind: codec), not a ${d.kind}`,
      });
    need('url', `protocol ${d.protocol} needs url, e.g. "https://10.20.1.5"`);
    need(
      'credentials',
      `protocol ${d.protocol} needs credentials: { user: NAME, password: { env: VARIABLE } }`,
    );
    for (const f of SNMP_FIELDS)
      if (d[f] !== undefined)
        ctx.addIssue({ code: 'custom', path: [f], message: `${f} is for protocol snmp, not ${d.protocol}` });
    if (d.url?.startsWith('http:') && d.ca_file !== undefined)
      ctx.addIssue({ code: 'custom', path: ['ca_file'], message: 'ca_file needs an https:// url' });
    if (d.url?.startsWith('http:') && d.pin_sha256 !== undefined)
      ctx.addIssue({ code: 'custom', path: ['pin_sha256'], message: 'pin_sha256 needs an https:// url' });
  });

/** "07:00-11:30": a period of a working day, Bắc Kạn time ("24:00" ends at midnight). */
const PERIOD_RE = /^([01]\d|2[0-3]):([0-5]\d)-(([01]\d|2[0-3]):([0-5]\d)|24:00)$/;

/**
 * When a site is expected to have its equipment on (Điều 5.6, 8.4): the days of the week (ISO: 1
 * Monday … 7 Sunday), the periods of those days, and whether public holidays are days off. The
 * default is config `operations.hours`; a site may set its own (inventory `hours`).
 */
export const OperatingHours = z
  .object({
    days: z
      .array(
        z
          .number()
          .int()
          .min(1, 'must be 1 (Monday) to 7 (Sunday)')
          .max(7, 'must be 1 (Monday) to 7 (Sunday)'),
      )
      .max(7)
      .default([1, 2, 3, 4, 5]),
    periods: z
      .array(
        z
          .string()
          .regex(PERIOD_RE, 'must be a period such as "07:00-11:30" (24-hour clock, Bắc Kạn time)')
          .refine(
            (v) => !PERIOD_RE.test(v) || v.slice(0, 5) < v.slice(6),
            'must end after it starts, within one day (e.g. "13:30-17:00")',
          ),
      )
      .max(6)
      .default(['07:00-17:00']),
    /** public holidays (config/holidays-vn.yaml and operations.holidays) are days off */
    holidays: z.boolean().default(true),
  })
  .strict();
export type OperatingHours = z.infer<typeof OperatingHours>;

export const Site = z
  .object({
    id: slug,
    gso: z.string().regex(/^\d{2,5}$/, 'must be the GSO code as a quoted string, e.g. "01864"'),
    name: z.string().min(1),
    tier: z.enum(TIERS),
    district: slug,
    lat: z.number().min(-90).max(90).optional(),
    lon: z.number().min(-180).max(180).optional(),
    host_org: slug.optional(),
    link: z
      .object({
        carrier: z.enum(CARRIERS, 'must be "viettel" or "vnpt"'),
        circuit: z.string().min(1),
        bandwidth_mbps: z.number().positive(),
      })
      .strict(),
    power: slug,
    technician: slug,
    mcu_port: z.number().int().positive().optional(),
    probes: z
      .object({
        icmp: hostPort.optional(),
        rtp: hostPort.optional(),
      })
      .strict()
      .default({}),
    devices: z.array(Device).default([]),
    /** operating hours of this site when not the default (config operations.hours) */
    hours: OperatingHours.optional(),
    /** the site's call aliases (besides its codec's): MCU management-API drivers match participants by them */
    aliases,
  })
  .strict();

export const District = z
  .object({
    id: slug,
    gso: z.string().regex(/^\d{3}$/, 'must be the 3-digit GSO code as a quoted string, e.g. "064"'),
    name: z.string().min(1),
    type: z.enum(['huyện', 'thành phố', 'thị xã']),
    power_branch: slug,
    lat: z.number().optional(),
    lon: z.number().optional(),
  })
  .strict();

/** How the collector talks to the MCU: SNMP (a profile), or a vendor's management API. */
export const MCU_PROTOCOLS = ['snmp', 'pexip-mgmt', 'cisco-tps-xmlrpc', 'cisco-mcu-xmlrpc'] as const;
export type McuProtocol = (typeof MCU_PROTOCOLS)[number];

export const Mcu = z
  .object({
    id: slug,
    name: z.string().min(1),
    operator: slug,
    protocol: z
      .enum(
        MCU_PROTOCOLS,
        'must be "snmp", "pexip-mgmt", "cisco-tps-xmlrpc" (Cisco TelePresence Server) or "cisco-mcu-xmlrpc" (Cisco TelePresence MCU)',
      )
      .default('snmp'),
    // protocol snmp
    profile: slug.optional(),
    address: hostPort.optional(),
    snmp: slug.optional(),
    ...snmpTuning,
    // a management API (pexip-mgmt, cisco-tps-xmlrpc, cisco-mcu-xmlrpc): the base URL, the API
    // account (basic authentication for Pexip, the request struct's authenticationUser/Password for
    // Cisco XML-RPC), polling
    ...apiFields,
  })
  .strict()
  .superRefine((m, ctx) => {
    const need = (field: keyof typeof m, why: string) => {
      // reported at the MCU (a path to an absent field would only say "is required")
      if (m[field] === undefined) ctx.addIssue({ code: 'custom', path: [], message: why });
    };
    if (m.protocol === 'snmp') {
      need('profile', 'protocol snmp needs profile (a file of collector/profiles/, e.g. polycom-mcu)');
      need('address', 'protocol snmp needs address, e.g. "10.20.255.1:161"');
      need('snmp', 'protocol snmp needs snmp: the name of an SNMP credential');
      for (const f of ['url', 'credentials', 'interval', 'timeout', 'ca_file', 'pin_sha256'] as const)
        if (m[f] !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: [f],
            message: `${f} is for a management-API protocol (pexip-mgmt, cisco-tps-xmlrpc, cisco-mcu-xmlrpc), not snmp`,
          });
    } else {
      need('url', `protocol ${m.protocol} needs url, e.g. "https://mcu.example:443"`);
      need(
        'credentials',
        `protocol ${m.protocol} needs credentials: { user: NAME, password: { env: VARIABLE } }`,
      );
      for (const f of ['profile', 'snmp', 'snmp_timeout', 'snmp_retries'] as const)
        if (m[f] !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: [f],
            message: `${f} is for protocol snmp, not ${m.protocol}`,
          });
      if (m.url?.startsWith('http:') && m.ca_file !== undefined)
        ctx.addIssue({ code: 'custom', path: ['ca_file'], message: 'ca_file needs an https:// url' });
      if (m.url?.startsWith('http:') && m.pin_sha256 !== undefined)
        ctx.addIssue({ code: 'custom', path: ['pin_sha256'], message: 'pin_sha256 needs an https:// url' });
    }
  });

export const Inventory = z
  .object({
    version: z.literal(1, 'must be 1'),
    network: z
      .object({
        name: z.string().min(1),
        province_gso: z.string().regex(/^\d{2}$/),
        noc: slug,
      })
      .strict(),
    snmp: z.record(slug, SnmpCredential),
    organisations: z.array(Organisation),
    people: z.array(Person),
    districts: z.array(District),
    mcu: Mcu,
    sites: z.array(Site),
  })
  .strict();

export type Inventory = z.infer<typeof Inventory>;
export type Site = z.infer<typeof Site>;
export type Device = z.infer<typeof Device>;
export type District = z.infer<typeof District>;
export type Organisation = z.infer<typeof Organisation>;
export type Person = z.infer<typeof Person>;
export type Mcu = z.infer<typeof Mcu>;
