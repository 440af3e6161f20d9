// diemcau.yaml: one file for the whole process, plus environment overrides.
// Every section has defaults, so an empty file (or none) runs the embedded setup.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { SecretRef } from '../inventory/schema.ts';
import { SourceErrors, YamlSource } from '../inventory/source.ts';

const duration = z
  .string()
  .regex(/^\d+(ms|s|m|h|d|w)$/, 'must be a duration such as "500ms", "30s", "5m", "2h", "7d" or "52w"');

const secret = SecretRef.optional();

export const Config = z
  .object({
    inventory: z.string().default('inventory/bac-kan.yaml'),
    /** where the state database and the embedded metrics store live */
    data_dir: z.string().default('data'),
    http: z
      .object({
        listen: z.string().default('127.0.0.1:8080'),
        public_url: z.url().optional(),
        cors_origins: z.array(z.string()).default([]),
        trust_proxy: z.boolean().default(false),
        body_limit_kb: z.number().int().positive().default(64),
        /** how long the audit log (who did what) is kept */
        audit_retention: duration.default('400d'),
      })
      .strict()
      .default({
        listen: '127.0.0.1:8080',
        cors_origins: [],
        trust_proxy: false,
        body_limit_kb: 64,
        audit_retention: '400d',
      }),
    storage: z
      .object({
        /** embedded SQLite unless an InfluxDB is configured */
        influxdb: z
          .object({
            url: z.url(),
            database: z.string().default('diemcau'),
            username: z.string().optional(),
            password: secret,
            raw_retention: duration.default('7d'),
            rollup_retention: duration.default('400d'),
            batch_size: z.number().int().positive().default(5000),
            flush_interval: duration.default('1s'),
          })
          .strict()
          .optional(),
        sqlite: z
          .object({ retention: duration.default('30d') })
          .strict()
          .default({ retention: '30d' }),
        spool_max_mb: z.number().positive().default(512),
      })
      .strict()
      .default({ sqlite: { retention: '30d' }, spool_max_mb: 512 }),
    collector: z
      .object({
        interval: duration.default('10s'),
        snmp_timeout: duration.default('2s'),
        snmp_retries: z.number().int().min(0).max(5).default(1),
        concurrency: z.number().int().positive().default(64),
        trap_listen: z.string().default('127.0.0.1:1162'),
        /** `diemcau collect` alone: /metrics and /healthz on this address ("off": none; serve has the API's) */
        metrics_listen: z
          .string()
          .refine(
            (v) => v === 'off' || (/^.+:(\d{1,5})$/.test(v) && Number(v.split(':').pop()) <= 65535),
            'must be ADDRESS:PORT, e.g. "127.0.0.1:9465", or "off"',
          )
          .default('off'),
        icmp: z
          .object({ enabled: z.boolean().default(true), count: z.number().int().positive().default(5) })
          .strict()
          .default({ enabled: true, count: 5 }),
        rtp: z
          .object({
            enabled: z.boolean().default(true),
            packets: z.number().int().positive().default(50),
            interval: duration.default('20ms'),
          })
          .strict()
          .default({ enabled: true, packets: 50, interval: '20ms' }),
      })
      .strict()
      .default({
        interval: '10s',
        snmp_timeout: '2s',
        snmp_retries: 1,
        concurrency: 64,
        trap_listen: '127.0.0.1:1162',
        metrics_listen: 'off',
        icmp: { enabled: true, count: 5 },
        rtp: { enabled: true, packets: 50, interval: '20ms' },
      }),
    alerts: z
      .object({
        /** rules YAML; the built-in alerts/default-rules.yaml when absent */
        rules: z.string().optional(),
        /** the dashboard's address, for links in notifications */
        dashboard_url: z.url().optional(),
        /** wait this long after a new alert so that related ones go out in one message */
        group_wait: duration.default('1s'),
        /** low-priority alerts outside meetings go to the NOC in one digest this often ("0s": at once) */
        digest_interval: duration.default('1h'),
        /** not acknowledged within this → the next contact of the organisation, then its head */
        escalate_after: duration.default('15m'),
        escalate_after_in_meeting: duration.default('5m'),
        /** while firing during a meeting, remind everyone paged this often */
        renotify_in_meeting: duration.default('10m'),
        /** a meeting starting within this window makes its sites' alerts critical (Điều 7: T-1h test) */
        readiness_window: duration.default('60m'),
        district_outage: z
          .object({
            min_sites: z.number().int().positive().default(3),
            min_fraction: z.number().min(0).max(1).default(0.5),
          })
          .strict()
          .prefault({}),
        flap: z
          .object({
            count: z.number().int().min(2).default(3),
            window: duration.default('15m'),
            hold: duration.default('5m'),
          })
          .strict()
          .prefault({}),
        outbox: z
          .object({
            retry_base: duration.default('2s'),
            retry_max: duration.default('5m'),
            poll: duration.default('500ms'),
            send_timeout: duration.default('30s'),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    notify: z
      .object({
        email: z
          .object({
            host: z.string(),
            port: z.number().int().default(587),
            secure: z.boolean().default(false),
            user: z.string().optional(),
            password: secret,
            from: z.string().default('diemcau NOC <noc@diemcau.example>'),
          })
          .strict()
          .optional(),
        telegram: z
          .object({ base_url: z.url().default('https://api.telegram.org'), token: SecretRef })
          .strict()
          .optional(),
        zalo: z
          .object({ base_url: z.url().default('https://openapi.zalo.me'), access_token: SecretRef })
          .strict()
          .optional(),
        sms: z.object({ url: z.url(), token: secret }).strict().optional(),
        webhook: z.object({ url: z.url(), secret: secret }).strict().optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

export type Config = z.infer<typeof Config> & { file: string | null; baseDir: string };

export function parseDuration(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d|w)$/.exec(text);
  if (!m) throw new Error(`bad duration "${text}"`);
  const unit = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 }[m[2] as 'ms'];
  return Number(m[1]) * unit;
}

/**
 * Environment overrides. Named ones for the common cases, and a generic form for any field:
 * DIEMCAU__STORAGE__INFLUXDB__URL=http://… sets storage.influxdb.url (values are parsed as YAML scalars).
 */
const NAMED_ENV: Record<string, string[]> = {
  DIEMCAU_INVENTORY: ['inventory'],
  DIEMCAU_DATA_DIR: ['data_dir'],
  DIEMCAU_LISTEN: ['http', 'listen'],
  DIEMCAU_INFLUX_URL: ['storage', 'influxdb', 'url'],
};

function applyEnv(value: Record<string, unknown>, env: NodeJS.ProcessEnv): string[] {
  const applied: string[] = [];
  const set = (path: string[], raw: string) => {
    let node = value;
    for (const key of path.slice(0, -1)) {
      if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[path.at(-1)!] = /^(true|false)$/.test(raw)
      ? raw === 'true'
      : /^-?\d+(\.\d+)?$/.test(raw)
        ? Number(raw)
        : raw;
  };
  for (const [name, raw] of Object.entries(env)) {
    if (raw === undefined) continue;
    const named = NAMED_ENV[name];
    if (named) {
      set(named, raw);
      applied.push(name);
    } else if (name.startsWith('DIEMCAU__')) {
      set(name.slice(9).toLowerCase().split('__'), raw);
      applied.push(name);
    }
  }
  return applied;
}

/** Reads the config file (path by argument, DIEMCAU_CONFIG, or ./diemcau.yaml if present). */
export function loadConfig(path?: string, env: NodeJS.ProcessEnv = process.env): Config {
  const file = path ?? env.DIEMCAU_CONFIG ?? (existsSync('diemcau.yaml') ? 'diemcau.yaml' : null);
  const source = file ? YamlSource.read(file) : new YamlSource('(defaults)', '{}');
  const raw = source.value ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new SourceErrors([
      { file: source.file, line: 1, message: 'the configuration must be a YAML mapping' },
    ]);
  }
  const value = structuredClone(raw) as Record<string, unknown>;
  const overridden = applyEnv(value, env);
  const envPath = (n: string) => NAMED_ENV[n]?.join('.') ?? n.slice(9).toLowerCase().replaceAll('__', '.');
  const data = source.parse(Config, value, (path) => {
    const name = overridden.find((n) => envPath(n) === path.join('.'));
    return name ? ` (set by environment variable ${name})` : '';
  });
  const baseDir = file ? dirname(resolve(file)) : process.cwd();
  const cfg = { ...data, file, baseDir };
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  cfg.inventory = abs(cfg.inventory);
  cfg.data_dir = abs(cfg.data_dir);
  return cfg;
}
