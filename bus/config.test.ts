// bus.nats in diemcau.yaml: absent, nothing changes; present, every mistake is one line naming the
// field and the fix; a secret it references must be set when a service starts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.ts';
import { natsOptions } from './nats.ts';

const dir = mkdtempSync(join(tmpdir(), 'diemcau-bus-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function load(yaml: string) {
  const file = join(dir, 'diemcau.yaml');
  writeFileSync(file, yaml);
  return loadConfig(file, {});
}
function errorOf(yaml: string): string {
  try {
    load(yaml);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('accepted');
}

describe('bus.nats configuration', () => {
  it('absent: no backbone; present: defaults for the stream, consumer and spool', () => {
    expect(load('{}').bus).toEqual({});
    expect(load('bus:\n  nats:\n    servers: ["nats://127.0.0.1:4222"]\n').bus.nats).toEqual({
      servers: ['nats://127.0.0.1:4222'],
      stream: {
        name: 'DIEMCAU_TELEMETRY',
        max_age: '24h',
        max_mb: 1024,
        duplicate_window: '2m',
        replicas: 1,
      },
      consumer: 'diemcau-serve',
      spool_max_mb: 64,
      publish_timeout: '5s',
      max_message_kb: 256,
      shard_lease: { lease_ttl: '10s', renew: '2s', bucket: 'diemcau_shards' },
    });
  });

  it('names the field and the fix', () => {
    const f = join(dir, 'diemcau.yaml');
    expect(errorOf('bus:\n  nats:\n    servers: []\n')).toBe(
      `${f}:3: bus.nats.servers: must name at least one NATS server, e.g. ["nats://127.0.0.1:4222"]`,
    );
    expect(errorOf('bus:\n  nats:\n    servers: ["http://noc:80"]\n')).toContain(
      'bus.nats.servers[0]: must be a NATS server address such as "nats://10.0.0.5:4222"',
    );
    expect(
      errorOf('bus:\n  nats:\n    servers: ["nats://a:4222"]\n    user: noc\n    password: hunter2\n'),
    ).toBe(
      `${f}:5: bus.nats.password: must be { env: VARIABLE_NAME } or { file: /path/to/secret }; secrets are never written inline`,
    );
    expect(errorOf('bus:\n  nats:\n    servers: ["nats://a:4222"]\n    user: noc\n')).toContain(
      'bus.nats.user: a user needs its password: set bus.nats.password to { env: VARIABLE_NAME }',
    );
    expect(
      errorOf(
        'bus:\n  nats:\n    servers: ["nats://a:4222"]\n    stream: { max_age: 1m, duplicate_window: 5m }\n',
      ),
    ).toContain('bus.nats.stream: duplicate_window (5m) must not be longer than max_age (1m)');
    expect(errorOf('collector:\n  shard: cho-don\n')).toContain(
      'collector.shard: must be "district=<district id>[,<id>…]", e.g. "district=core"',
    );
  });

  it('standby: defaults, and a renewal that leaves no margin is refused', () => {
    const f = join(dir, 'diemcau.yaml');
    expect(
      load('bus:\n  nats:\n    servers: ["nats://a:4222"]\n    standby: { instance: noc-1 }\n').bus.nats!
        .standby,
    ).toEqual({
      instance: 'noc-1',
      lease_ttl: '10s',
      renew: '2s',
      bucket: 'diemcau_lease',
      state_stream: 'DIEMCAU_STATE',
    });
    expect(
      errorOf(
        'bus:\n  nats:\n    servers: ["nats://a:4222"]\n    standby: { instance: noc-1, lease_ttl: 4s, renew: 3s }\n',
      ),
    ).toContain('bus.nats.standby.renew: renew (3s) must be at most half of lease_ttl (4s)');
    expect(
      errorOf('bus:\n  nats:\n    servers: ["nats://a:4222"]\n    standby: { instance: "NOC 1" }\n'),
    ).toBe(
      `${f}:4: bus.nats.standby.instance: must be a lowercase name such as "noc-1" (a-z, 0-9, "-", "_")`,
    );
  });

  it('shard claims: the shards listed, the lease checked like the standby one', () => {
    const f = join(dir, 'diemcau.yaml');
    const nats = load(
      'bus:\n  nats:\n    servers: ["nats://a:4222"]\n    shards: [district=cho-don, "district=ba-be,na-ri"]\n    shard_lease: { lease_ttl: 6s }\n',
    ).bus.nats!;
    expect(nats.shards).toEqual(['district=cho-don', 'district=ba-be,na-ri']);
    expect(nats.shard_lease).toEqual({ lease_ttl: '6s', renew: '2s', bucket: 'diemcau_shards' });
    expect(errorOf('bus:\n  nats:\n    servers: ["nats://a:4222"]\n    shards: [cho-don]\n')).toBe(
      `${f}:4: bus.nats.shards[0]: must be a shard such as "district=cho-don" or "district=cho-don,ba-be"`,
    );
    expect(
      errorOf(
        'bus:\n  nats:\n    servers: ["nats://a:4222"]\n    shard_lease: { lease_ttl: 3s, renew: 2s }\n',
      ),
    ).toContain('bus.nats.shard_lease.renew: renew (2s) must be at most half of lease_ttl (3s)');
  });

  it('a referenced secret that is not set stops the start with its name', () => {
    const cfg = load(
      'bus:\n  nats:\n    servers: ["nats://a:4222"]\n    user: noc\n    password: { env: DIEMCAU_NATS_PASSWORD }\n',
    );
    const nats = cfg.bus.nats!;
    expect(() => natsOptions(nats, { name: 'x', baseDir: dir, env: {} })).toThrow(
      'bus.nats.password: environment variable DIEMCAU_NATS_PASSWORD is not set',
    );
    expect(
      natsOptions(nats, { name: 'x', baseDir: dir, env: { DIEMCAU_NATS_PASSWORD: 's3cret' } }),
    ).toMatchObject({
      user: 'noc',
      pass: 's3cret',
    });
  });
});
