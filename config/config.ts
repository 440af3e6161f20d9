// diemcau.yaml: one file for the whole process, plus environment overrides.
// Every section has defaults, so an empty file (or none) runs the embedded setup.
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { HolidayEntry, readHolidays } from '../inventory/hours.ts';
import { OperatingHours, SecretRef } from '../inventory/schema.ts';
import { SourceErrors, YamlSource } from '../inventory/source.ts';
import { HOST_TYPES } from '../meetings/hosts.ts';

const DURATION_RE = /^(\d+)(ms|s|m|h|d|w)$/;
const DURATION_HINT = 'must be a duration such as "500ms", "30s", "5m", "2h", "7d" or "52w"';

const duration = z.string().regex(DURATION_RE, DURATION_HINT);

/** ms of a well-formed duration, NaN otherwise (the regex reports the form) */
const durationMs = (v: string) => (DURATION_RE.test(v) ? parseDuration(v) : Number.NaN);

/**
 * A duration between `min` and `max` (both inclusive): a minimum where zero or a few ms would spin a
 * core or flood a peer, a maximum where timers overflow (Node's timers hold at most 24.8 days).
 */
function durationIn(min: string, max: string) {
  const lo = parseDuration(min);
  const hi = parseDuration(max);
  return duration
    .refine((v) => !(durationMs(v) < lo), `must be at least ${min}`)
    .refine((v) => !(durationMs(v) > hi), `must be at most ${max}`);
}

/** A whole number of a size between min and max, the unit named in the message. */
function sizeIn(min: number, max: number, unit = '') {
  return z
    .number()
    .min(min, `must be at least ${min}${unit}`)
    .max(max, `must be at most ${max}${unit}`)
    .refine((v) => v < min || v > max || Number.isInteger(v), 'must be a whole number');
}

const HOST_RE =
  /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** "ADDRESS:PORT" ("[v6]:PORT" for IPv6), PORT 0-65535 (0: any free port); or null when it is not. */
export function checkListen(v: string): { host: string; port: number } | null {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(v) ?? /^([^:[\]]+):(\d{1,5})$/.exec(v);
  if (!m) return null;
  const host = m[1]!;
  const port = Number(m[2]);
  if (port > 65535) return null;
  const v6 = v.startsWith('[');
  if (v6 ? isIP(host) !== 6 : !(isIP(host) === 4 || (HOST_RE.test(host) && !/^[\d.]+$/.test(host))))
    return null;
  return { host, port };
}

function listen(example: string, off = false) {
  return z
    .string()
    .refine(
      (v) => (off && v === 'off') || checkListen(v) !== null,
      `must be ADDRESS:PORT with a port 0-65535, e.g. "${example}"${off ? ', or "off"' : ''} (IPv6: "[::1]:${example.split(':').pop()}")`,
    );
}

const secret = SecretRef.optional();

const line = (what: string) => z.string().trim().min(1, `${what} must not be empty`).max(300);

/**
 * The office that files the reports (reports/document.ts): header, number, addressees, Nơi nhận and
 * the signer, per Nghị định 30/2020/NĐ-CP; and where the six-month and yearly reports are e-mailed.
 */
export const ReportsConfig = z
  .object({
    /** cơ quan chủ quản */
    parent_body: line('parent_body').default('UBND TỈNH BẮC KẠN'),
    /** cơ quan ban hành */
    office: line('office').default('SỞ THÔNG TIN VÀ TRUYỀN THÔNG'),
    /** the office as running text names it */
    office_name: line('office_name').default('Sở Thông tin và Truyền thông'),
    /** the symbol of the number: "Số: …/BC-STTTT" */
    office_abbr: z
      .string()
      .regex(/^[A-ZĐ0-9&]{1,20}$/, 'must be the office\'s abbreviation in capitals, e.g. "STTTT"')
      .default('STTTT'),
    /** địa danh of the date line */
    place: line('place').default('Bắc Kạn'),
    /** Kính gửi */
    addressees: z.array(line('an addressee')).max(20).default(['Ủy ban nhân dân tỉnh Bắc Kạn']),
    /** Nơi nhận, one line each as written on the document */
    recipients: z
      .array(line('a recipient'))
      .max(30)
      .default(['Như trên;', 'Lãnh đạo Sở;', 'Lưu: VT, BCVT-CNTT.']),
    signer: z
      .object({
        /** "KT. GIÁM ĐỐC" when a deputy signs for the director; absent when the director signs */
        authority: line('signer.authority').optional(),
        title: line('signer.title'),
        /** may stay empty: the name is then written by hand */
        name: z.string().trim().max(100).default(''),
      })
      .strict()
      .default({ authority: 'KT. GIÁM ĐỐC', title: 'PHÓ GIÁM ĐỐC', name: '' }),
    /** 'blank': "Số:      /BC-STTTT" for the clerk to fill in; 'auto': a number per year kept in the state database */
    numbering: z
      .enum(['blank', 'auto'], { error: 'must be "blank" (the clerk writes the number) or "auto"' })
      .default('blank'),
    /** the Chromium binary that prints PDFs (default: $CHROMIUM, else /usr/bin/chromium) */
    chromium: z.string().min(1).optional(),
    /** the English rendering's names (each falls back to the Vietnamese one) */
    en: z
      .object({
        parent_body: line('en.parent_body').optional(),
        office: line('en.office').optional(),
        office_name: line('en.office_name').optional(),
        place: line('en.place').optional(),
        addressees: z.array(line('an addressee')).max(20).optional(),
        signer_authority: line('en.signer_authority').optional(),
        signer_title: line('en.signer_title').optional(),
      })
      .strict()
      .default({
        parent_body: "BẮC KẠN PROVINCIAL PEOPLE'S COMMITTEE",
        office: 'DEPARTMENT OF INFORMATION AND COMMUNICATIONS',
        office_name: 'the Department of Information and Communications',
        addressees: ["Bắc Kạn Provincial People's Committee"],
        signer_authority: 'P.P. DIRECTOR',
        signer_title: 'DEPUTY DIRECTOR',
      }),
    /** e-mailing the six-month and yearly reports (.docx attached) when their period closes */
    delivery: z
      .object({
        enabled: z.boolean().default(true),
        /**
         * people or organisations of the inventory (an organisation: its contacts), or e-mail
         * addresses; empty: the NOC organisation's contacts
         */
        to: z
          .array(
            z
              .string()
              .trim()
              .regex(
                /^([a-z0-9][a-z0-9-]*|[^@\s]+@[^@\s]+\.[^@\s]+)$/,
                'must be a person or organisation id of the inventory (e.g. "so-tttt") or an e-mail address',
              ),
          )
          .max(100)
          .default([]),
        /** wait this long after the period closes, so its last samples are stored */
        settle: durationIn('0s', '1d').default('30m'),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

/** A secret reference with a message that says how to write one (a value inline is refused). */
function secretRef() {
  return z
    .custom<SecretRef>((v) => SecretRef.safeParse(v).success, {
      error: 'must be { env: VARIABLE_NAME } or { file: /path/to/secret }; secrets are never written inline',
    })
    .optional();
}

/**
 * The NATS JetStream backbone (issue 21, docs/backbone.md): `diemcau collect` publishes its samples and
 * device events to the stream, `serve` consumes them into its own bus. Absent: one process, the
 * in-process bus only.
 */
export const NatsBusConfig = z
  .object({
    /** the NATS servers, e.g. ["nats://noc.example:4222"]; tls://… for TLS */
    servers: z
      .array(
        z
          .string()
          .regex(
            /^((nats|tls):\/\/)?[A-Za-z0-9.[\]:-]+:\d{1,5}$/,
            'must be a NATS server address such as "nats://10.0.0.5:4222" or "tls://noc.example:4222"',
          ),
      )
      .min(1, 'must name at least one NATS server, e.g. ["nats://127.0.0.1:4222"]'),
    /** this collector's name on the backbone (subject token); default: its --shard, else the host name */
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be a lowercase name such as "cho-don" (a-z, 0-9, "-", "_")')
      .optional(),
    user: z.string().min(1).optional(),
    password: secretRef(),
    token: secretRef(),
    stream: z
      .object({
        name: z
          .string()
          .regex(
            /^[A-Za-z0-9_-]{1,64}$/,
            'must be a stream name such as "DIEMCAU_TELEMETRY" (A-Z, 0-9, "_", "-")',
          )
          .default('DIEMCAU_TELEMETRY'),
        /** messages older than this are discarded (oldest first) */
        max_age: durationIn('1m', '365d').default('24h'),
        /** the stream's size limit; over it the oldest messages are discarded */
        max_mb: sizeIn(1, 1_048_576, ' MB').default(1024),
        /** a re-published message (same Nats-Msg-Id) within this window is stored once */
        duplicate_window: durationIn('1s', '1d').default('2m'),
        replicas: sizeIn(1, 5).default(1),
      })
      .strict()
      .prefault({}),
    /** the durable consumer `serve` reads the stream with */
    consumer: z
      .string()
      .regex(
        /^[A-Za-z0-9_-]{1,64}$/,
        'must be a consumer name such as "diemcau-serve" (A-Z, a-z, 0-9, "_", "-")',
      )
      .default('diemcau-serve'),
    /** the collector's spool (on disk, data_dir/spool/backbone.db) while the centre is unreachable (may be a fraction) */
    spool_max_mb: z
      .number()
      .positive('must be more than 0 MB')
      .max(4096, 'must be at most 4096 MB')
      .default(64),
    /** how long a publish waits for the stream's acknowledgement before it is retried */
    publish_timeout: durationIn('100ms', '1m').default('5s'),
    /** the largest message the collector builds from spooled batches (NATS allows 1 MB by default) */
    max_message_kb: sizeIn(1, 1024, ' KB').default(256),
    /**
     * two `serve` instances, active and standby (issue 21, docs/backbone.md): the lease in JetStream
     * KV, the state both need on a stream; each server names itself
     */
    standby: z
      .object({
        /** this server's name (its telemetry consumer is `<consumer>-<instance>`) */
        instance: z
          .string()
          .regex(
            /^[a-z0-9][a-z0-9_-]{0,31}$/,
            'must be a lowercase name such as "noc-1" (a-z, 0-9, "-", "_")',
          ),
        /** the lease's life without a renewal: the standby takes over this long after the active stops */
        lease_ttl: durationIn('2s', '5m').default('10s'),
        /** how often the active renews it */
        renew: durationIn('200ms', '1m').default('2s'),
        /** the KV bucket holding the lease */
        bucket: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a bucket name such as "diemcau_lease"')
          .default('diemcau_lease'),
        /** the stream carrying the shared state (episodes, alerts, outbox rows) */
        state_stream: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a stream name such as "DIEMCAU_STATE"')
          .default('DIEMCAU_STATE'),
      })
      .strict()
      .optional(),
    /**
     * shards this collector may claim (issue 21, docs/backbone.md): each a KV lease; it polls those it
     * holds and takes over one whose collector died. The first listed is its own; `collect --claim` overrides.
     */
    shards: z
      .array(
        z
          .string()
          .regex(
            /^district=[a-z0-9-]+(,[a-z0-9-]+)*$/,
            'must be a shard such as "district=cho-don" or "district=cho-don,ba-be"',
          ),
      )
      .min(1, 'must list at least one shard, e.g. ["district=cho-don"]')
      .optional(),
    /** the shard claims' leases */
    shard_lease: z
      .object({
        /** a shard's lease without renewal: another collector takes it over this long after its holder died */
        lease_ttl: durationIn('2s', '5m').default('10s'),
        /** how often a holder renews (and a collector tries to claim one free shard) */
        renew: durationIn('200ms', '1m').default('2s'),
        /** the KV bucket of the shard leases */
        bucket: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a bucket name such as "diemcau_shards"')
          .default('diemcau_shards'),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (parseDuration(v.shard_lease.renew) * 2 > parseDuration(v.shard_lease.lease_ttl))
      ctx.addIssue({
        code: 'custom',
        path: ['shard_lease', 'renew'],
        message: `renew (${v.shard_lease.renew}) must be at most half of lease_ttl (${v.shard_lease.lease_ttl})`,
      });
    if (v.standby && parseDuration(v.standby.renew) * 2 > parseDuration(v.standby.lease_ttl))
      ctx.addIssue({
        code: 'custom',
        path: ['standby', 'renew'],
        message: `renew (${v.standby.renew}) must be at most half of lease_ttl (${v.standby.lease_ttl})`,
      });
    // each issue sits on a field the file has (the loader calls a missing one "required")
    if (v.password && !v.user)
      ctx.addIssue({
        code: 'custom',
        path: ['password'],
        message: 'a password needs its user: set bus.nats.user',
      });
    if (v.user && !v.password)
      ctx.addIssue({
        code: 'custom',
        path: ['user'],
        message: 'a user needs its password: set bus.nats.password to { env: VARIABLE_NAME }',
      });
    if (v.token && v.user)
      ctx.addIssue({
        code: 'custom',
        path: ['token'],
        message: 'use either a token or a user and password, not both',
      });
    if (parseDuration(v.stream.duplicate_window) > parseDuration(v.stream.max_age))
      ctx.addIssue({
        code: 'custom',
        path: ['stream'],
        message: `duplicate_window (${v.stream.duplicate_window}) must not be longer than max_age (${v.stream.max_age})`,
      });
  });

export const Config = z
  .object({
    inventory: z.string().default('inventory/bac-kan.yaml'),
    /** where the state database and the embedded metrics store live */
    data_dir: z.string().default('data'),
    http: z
      .object({
        listen: listen('127.0.0.1:8080').default('127.0.0.1:8080'),
        public_url: z.url().optional(),
        cors_origins: z.array(z.string()).default([]),
        trust_proxy: z.boolean().default(false),
        body_limit_kb: sizeIn(1, 10240, ' KB').default(64),
        /** how long the audit log (who did what) is kept */
        audit_retention: durationIn('1d', '3650d').default('400d'),
        /** live-stream (SSE) connections one user may hold at once */
        live_max_per_user: sizeIn(1, 100).default(5),
        /** live-stream connections in all */
        live_max_clients: sizeIn(1, 100_000).default(1000),
        /** bytes one live client may have waiting before it is dropped (it resumes by Last-Event-ID) */
        live_queue_kb: sizeIn(16, 65536, ' KB').default(1024),
        /** bytes waiting for all live clients together; over it the most backed-up ones are dropped */
        live_queue_total_mb: sizeIn(1, 4096, ' MB').default(128),
      })
      .strict()
      .default({
        listen: '127.0.0.1:8080',
        cors_origins: [],
        trust_proxy: false,
        body_limit_kb: 64,
        audit_retention: '400d',
        live_max_per_user: 5,
        live_max_clients: 1000,
        live_queue_kb: 1024,
        live_queue_total_mb: 128,
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
            raw_retention: durationIn('1h', '3650d').default('7d'),
            rollup_retention: durationIn('1d', '3650d').default('400d'),
            batch_size: sizeIn(1, 100_000).default(5000),
            flush_interval: durationIn('100ms', '1m').default('1s'),
          })
          .strict()
          .optional(),
        sqlite: z
          .object({ retention: durationIn('1h', '3650d').default('30d') })
          .strict()
          .default({ retention: '30d' }),
        /** may be a fraction (tests use a tiny spool) */
        spool_max_mb: z
          .number()
          .positive('must be more than 0 MB')
          .max(1_048_576, 'must be at most 1048576 MB')
          .default(512),
      })
      .strict()
      .default({ sqlite: { retention: '30d' }, spool_max_mb: 512 }),
    collector: z
      .object({
        interval: durationIn('1s', '1h').default('10s'),
        snmp_timeout: durationIn('100ms', '1m').default('2s'),
        snmp_retries: z.number().int().min(0).max(5).default(1),
        concurrency: sizeIn(1, 4096).default(64),
        trap_listen: listen('127.0.0.1:1162', true).default('127.0.0.1:1162'),
        /** `diemcau collect` alone: /metrics and /healthz on this address ("off": none; serve has the API's) */
        metrics_listen: listen('127.0.0.1:9465', true).default('off'),
        /** how often each device's identity (model, serial, firmware) is read again; also at start and after a reboot */
        identity_interval: durationIn('1m', '7d').default('6h'),
        /**
         * the districts this process polls ("district=A,B", "core" = the MCU); default all. `serve` with
         * remote collectors on the backbone polls the rest (`collect --shard` overrides it)
         */
        shard: z
          .string()
          .regex(
            /^district=[a-z0-9-]+(,[a-z0-9-]+)*$/,
            'must be "district=<district id>[,<id>…]", e.g. "district=core"',
          )
          .optional(),
        icmp: z
          .object({ enabled: z.boolean().default(true), count: sizeIn(1, 100).default(5) })
          .strict()
          .default({ enabled: true, count: 5 }),
        rtp: z
          .object({
            enabled: z.boolean().default(true),
            packets: sizeIn(1, 10_000).default(50),
            interval: durationIn('1ms', '1s').default('20ms'),
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
        identity_interval: '6h',
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
        group_wait: durationIn('0s', '10m').default('1s'),
        /** low-priority alerts outside meetings go to the NOC in one digest this often ("0s": at once) */
        digest_interval: durationIn('0s', '1d').default('1h'),
        /** not acknowledged within this → the next contact of the organisation, then its head */
        escalate_after: durationIn('1m', '7d').default('15m'),
        escalate_after_in_meeting: durationIn('1m', '1d').default('5m'),
        /** while firing during a meeting, remind everyone paged this often */
        renotify_in_meeting: durationIn('1m', '1d').default('10m'),
        /** a meeting starting within this window makes its sites' alerts critical (Điều 7: T-1h test) */
        readiness_window: durationIn('0s', '1d').default('60m'),
        /**
         * children stay attached to an episode this long after its root clears (a child that clears
         * meanwhile is never paged); default: the longest clear time of the rules + one poll
         * interval + 10 s, at least 2 minutes
         */
        settle: duration.optional(),
        district_outage: z
          .object({
            min_sites: sizeIn(1, 10_000).default(3),
            min_fraction: z.number().min(0).max(1).default(0.5),
            /** the dark sites' onsets fall within this window */
            window: duration.default('2m'),
          })
          .strict()
          .prefault({}),
        flap: z
          .object({
            count: sizeIn(2, 1000).default(3),
            window: durationIn('1s', '1d').default('15m'),
            hold: durationIn('0s', '1d').default('5m'),
          })
          .strict()
          .prefault({}),
        outbox: z
          .object({
            retry_base: durationIn('100ms', '1h').default('2s'),
            retry_max: durationIn('1s', '1d').default('5m'),
            poll: durationIn('10ms', '1m').default('500ms'),
            send_timeout: durationIn('1s', '10m').default('30s'),
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
            port: sizeIn(1, 65535).default(587),
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
    /** the filed reports (Nghị định 30/2020): who issues and signs them, and who receives them */
    reports: ReportsConfig,
    /** meeting notices (Điều 7.1.a): the weekly digest of the week ahead, Bắc Kạn time */
    meetings: z
      .object({
        digest: z
          .object({
            enabled: z.boolean().default(true),
            /** ISO weekday: 1 Monday … 7 Sunday (default 5, Friday) */
            weekday: z.number().int().min(1, 'must be 1 (Monday) to 7 (Sunday)').max(7).default(5),
            /** local hour 0-23 (default 15) */
            hour: z.number().int().min(0, 'must be an hour 0-23').max(23).default(15),
          })
          .strict()
          .prefault({}),
        /** joint readiness test runs (Điều 7.1.b, meetings/readiness-service.ts) */
        readiness: z
          .object({
            /**
             * signs the technicians' "Đã kiểm tra" links (HMAC-SHA256, at least 32 characters); when
             * unset, a random secret is made once and kept in the state database
             */
            link_secret: secret,
            /** a site not confirmed this long before the start is escalated to the NOC */
            escalate_before: durationIn('5m', '1h').default('30m'),
            /**
             * the MCU dials each site during a run (issue 20; meetings/readiness-test-calls.ts), when the
             * inventory's MCU is on a management API that can (pexip-mgmt, cisco-tps-xmlrpc, cisco-mcu-xmlrpc)
             */
            test_calls: z
              .object({
                /** default false: the runs judge from what the collector sees only */
                enabled: z.boolean().default(false),
                /** Pexip: the test VMR's alias the calls come from; Cisco: the conference's name */
                conference: z.string().trim().min(1).max(250).optional(),
                /** how long the MCU may take to connect a call */
                timeout: durationIn('5s', '5m').default('60s'),
                /** how long a connected call is held before its media is read */
                hold: durationIn('0s', '2m').default('10s'),
                /** how often the call's state is read while waiting */
                poll: durationIn('250ms', '10s').default('1s'),
                /** calls at once */
                concurrency: sizeIn(1, 32).default(4),
                /** Pexip: the system location to dial from (routing manual); absent: call routing rules */
                system_location: z.string().trim().min(1).max(250).optional(),
              })
              .strict()
              .refine((t) => !t.enabled || t.conference !== undefined, {
                message: 'test_calls.conference is required when test_calls.enabled is true',
                path: ['conference'],
              })
              .prefault({}),
          })
          .strict()
          .prefault({}),
        /**
         * a registration whose room or sites are taken by another meeting at the same time: 'refuse' (409,
         * the other meeting named) or 'pending' (accepted as "chờ duyệt" for the NOC to approve or reject)
         */
        clash: z.enum(['refuse', 'pending']).default('refuse'),
        /**
         * the host types the 3-day notice of Điều 6.1 applies to (tinh_uy, hdnd, ubnd, doan_dbqh,
         * department, district, central); absent: every host
         */
        notice_host_types: z.array(z.enum(HOST_TYPES)).min(1).optional(),
        /** the longest meeting (a conference or training over several days); the regulation sets none */
        max_duration: durationIn('1h', '31d').default('7d'),
      })
      .strict()
      .prefault({}),
    /**
     * operating hours and public holidays (Điều 5.6, 8.4; inventory/hours.ts): outside them and outside
     * meetings a switched-off codec is expected; a site may set its own (inventory `hours`)
     */
    operations: z
      .object({
        /** default: Monday–Friday 07:00–17:00 Bắc Kạn time, closed on public holidays */
        hours: OperatingHours.prefault({}),
        /** days added to the holidays file: a decision of the year, a provincial day off, a Saturday worked */
        holidays: z.array(HolidayEntry).max(500).default([]),
        /** the public-holiday data file (default: config/holidays-vn.yaml of this diemcau) */
        holidays_file: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    /**
     * the Grafana that shows the generated dashboards (grafana/dashboards/*.json), as the NOC's
     * browsers reach it; when set, the site page links to the site's dashboards
     */
    grafana: z
      .object({ url: z.url({ protocol: /^https?$/, error: 'must be an http(s) address' }).optional() })
      .strict()
      .prefault({}),
    /** beyond one machine (issue 21): the in-process bus bridged to NATS JetStream when `nats` is set */
    bus: z.object({ nats: NatsBusConfig.optional() }).strict().default({}),
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
  if (cfg.operations.holidays_file) cfg.operations.holidays_file = abs(cfg.operations.holidays_file);
  readHolidays(cfg.operations.holidays_file); // checked now: FILE:LINE errors at start
  return cfg;
}
