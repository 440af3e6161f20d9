// Issue 18: docker-compose.yml starts nothing with a default password. Checked with Debian's
// `docker-compose config` (it interpolates and validates the file; no Docker engine is needed) on the
// shipped deploy/env.example, as is and filled in.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../config/config.ts';
import { runCommand } from './helpers/command.ts';

const dir = mkdtempSync(join(tmpdir(), 'diemcau-compose-'));
mkdirSync(join(dir, 'deploy'));
copyFileSync('docker-compose.yml', join(dir, 'docker-compose.yml'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `docker-compose config` with deploy/.env = the given text, as the README says to run it. */
function config(envText: string, profile?: string) {
  writeFileSync(join(dir, 'deploy', '.env'), envText);
  return runCommand('docker-compose', [
    '-f',
    join(dir, 'docker-compose.yml'),
    '--env-file',
    join(dir, 'deploy', '.env'),
    ...(profile ? ['--profile', profile] : []),
    'config',
  ]);
}

const example = readFileSync('deploy/env.example', 'utf8');
const filled = example.replace(
  /^([A-Z_]+)=$/gm,
  (_, name: string) => `${name}=secret-of-${name.toLowerCase()}`,
);

// biome-ignore lint/suspicious/noExplicitAny: the rendered compose file, checked field by field
type Compose = { services: Record<string, { environment: Record<string, string> | any; [k: string]: any }> };

describe('docker-compose.yml', () => {
  it('refuses to render while a password of the example env file is empty', async () => {
    const r = await config(example);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /set (DIEMCAU_INFLUX_PASSWORD|GRAFANA_INFLUX_PASSWORD|GRAFANA_ADMIN_PASSWORD|DIEMCAU_NATS_PASSWORD) in deploy\/\.env/,
    );
  });

  it('filled in: InfluxDB with authentication and its own users, Grafana with its admin password', async () => {
    const r = await config(filled);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const c = parse(r.stdout) as Compose;
    const influx = c.services.influxdb!.environment;
    expect(influx).toMatchObject({
      INFLUXDB_HTTP_AUTH_ENABLED: 'true',
      INFLUXDB_ADMIN_USER: 'diemcau',
      INFLUXDB_ADMIN_PASSWORD: 'secret-of-diemcau_influx_password',
      INFLUXDB_READ_USER: 'grafana',
      INFLUXDB_READ_USER_PASSWORD: 'secret-of-grafana_influx_password',
    });
    const grafana = c.services.grafana!.environment;
    expect(grafana).toMatchObject({
      GF_AUTH_ANONYMOUS_ENABLED: 'false',
      GF_SECURITY_ADMIN_PASSWORD: 'secret-of-grafana_admin_password',
      INFLUX_READ_USER: 'grafana',
      INFLUX_READ_PASSWORD: 'secret-of-grafana_influx_password',
    });
    // diemcau gets its InfluxDB password from the same env file
    expect(c.services.diemcau!.environment).toMatchObject({
      DIEMCAU_INFLUX_PASSWORD: 'secret-of-diemcau_influx_password',
    });
  });

  it('no password is written into the compose file itself', () => {
    const raw = parse(readFileSync('docker-compose.yml', 'utf8')) as Compose;
    for (const [name, s] of Object.entries(raw.services))
      for (const [k, v] of Object.entries((s.environment ?? {}) as Record<string, string>))
        if (/PASSWORD/.test(k))
          expect([name, k, v]).toEqual([name, k, expect.stringMatching(/^\$\{[A-Z_]+:\?/)]);
  });

  it('diemcau and Grafana sign in to InfluxDB as their own users', () => {
    const cfg = loadConfig('deploy/diemcau.yaml.example', {});
    expect(cfg.storage.influxdb).toMatchObject({
      username: 'diemcau',
      password: { env: 'DIEMCAU_INFLUX_PASSWORD' },
    });
    const ds = parse(readFileSync('grafana/provisioning/datasources/diemcau.yaml', 'utf8')) as {
      datasources: { user: string; secureJsonData: { password: string } }[];
    };
    expect(ds.datasources[0]).toMatchObject({
      user: '$INFLUX_READ_USER',
      secureJsonData: { password: '$INFLUX_READ_PASSWORD' },
    });
  });

  it('profile "ha": NATS JetStream with its volume, two serve (active/standby), a remote collector claiming every district', async () => {
    const r = await config(filled, 'ha');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const c = parse(r.stdout) as Compose;
    const ha = ['nats', 'noc-1', 'noc-2', 'collector-1'];
    for (const name of ha) expect([name, c.services[name]?.profiles]).toEqual([name, ['ha']]);
    // the single deployment's services stay in every profile
    for (const name of ['diemcau', 'influxdb', 'grafana']) expect(c.services[name]!.profiles).toBeUndefined();
    const nats = c.services.nats!;
    expect(nats.image).toMatch(/^nats:2\.\d+/);
    expect(nats.command).toContain('-js');
    expect(nats.environment).toEqual({ DIEMCAU_NATS_PASSWORD: 'secret-of-diemcau_nats_password' });
    expect(nats.volumes).toContain('nats-data:/data:rw');
    const conf = readFileSync('deploy/nats.conf', 'utf8');
    expect(conf).toMatch(/jetstream\s*\{\s*store_dir: \/data\s*\}/);
    expect(conf).toMatch(/password: \$DIEMCAU_NATS_PASSWORD/);
    // two servers, each its own instance name and data volume, the same configuration file
    const instances = ['noc-1', 'noc-2'].map(
      (n) => c.services[n]!.environment.DIEMCAU__BUS__NATS__STANDBY__INSTANCE,
    );
    expect(instances).toEqual(['noc-1', 'noc-2']);
    for (const n of ['noc-1', 'noc-2', 'collector-1']) {
      const s = c.services[n]!;
      // the NATS password, like every secret, from deploy/.env
      expect(s.environment.DIEMCAU_NATS_PASSWORD).toBe('secret-of-diemcau_nats_password');
      expect(s.volumes).toContain(`${n}-data:/var/lib/diemcau:rw`);
      expect(
        s.volumes.some((v: string) => v.endsWith('/deploy/diemcau-ha.yaml:/etc/diemcau/diemcau.yaml:ro')),
      ).toBe(true);
      expect(s.depends_on).toHaveProperty('nats');
    }
    // the collector: collect, claiming every district of the shipped inventory, under its own name
    const col = c.services['collector-1']!;
    expect(col.environment.DIEMCAU__BUS__NATS__NAME).toBe('collector-1');
    expect(col.command.slice(0, 2)).toEqual(['dist/diemcau.js', 'collect']);
    const inv = parse(readFileSync('inventory/bac-kan.yaml', 'utf8')) as { sites: { district?: string }[] };
    const districts = [...new Set(inv.sites.map((s) => s.district).filter(Boolean))].sort();
    const claims = (col.command as string[])
      .filter((a) => a.startsWith('--claim=district='))
      .map((a) => a.slice('--claim=district='.length))
      .sort();
    expect(claims).toEqual(districts);
  });

  it('diemcau-ha.yaml.example: diemcau.yaml.example plus the backbone; the servers poll only the MCU', () => {
    const single = loadConfig('deploy/diemcau.yaml.example', {});
    const ha = loadConfig('deploy/diemcau-ha.yaml.example', {
      DIEMCAU__BUS__NATS__STANDBY__INSTANCE: 'noc-2',
    });
    expect(ha.bus.nats).toMatchObject({
      servers: ['nats://nats:4222'],
      user: 'diemcau',
      password: { env: 'DIEMCAU_NATS_PASSWORD' },
      standby: { instance: 'noc-2' },
    });
    expect(ha.collector.shard).toBe('district=core');
    const strip = (cfg: typeof single) => ({
      ...cfg,
      bus: {},
      collector: { ...cfg.collector, shard: undefined },
      file: null,
    });
    expect(strip(ha)).toEqual(strip(single));
  });
});
