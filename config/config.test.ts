import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SourceErrors } from '../inventory/source.ts';
import { loadConfig, parseDuration } from './config.ts';

const dir = mkdtempSync(join(tmpdir(), 'diemcau-cfg-'));
const write = (text: string) => {
  const f = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(f, text);
  return f;
};
const errorsOf = (file: string, env: NodeJS.ProcessEnv = {}) => {
  try {
    loadConfig(file, env);
  } catch (err) {
    return (err as SourceErrors).errors.map(
      (e) => `${e.file === file ? 'F' : e.file}:${e.line}: ${e.message}`,
    );
  }
  return [];
};

describe('configuration', () => {
  it('reads the production example that docker-compose mounts', () => {
    const cfg = loadConfig('deploy/diemcau.yaml.example', {});
    expect(cfg.storage.influxdb?.url).toBe('http://influxdb:8086');
    expect(cfg.collector.trap_listen).toBe('0.0.0.0:1162');
    expect(cfg.http.audit_retention).toBe('400d');
  });

  it('refuses a standalone collector metrics address without a port, at its line', () => {
    expect(errorsOf(write('collector:\n  metrics_listen: 127.0.0.1\n'))).toEqual([
      'F:2: collector.metrics_listen: must be ADDRESS:PORT, e.g. "127.0.0.1:9465", or "off"',
    ]);
  });

  it('defaults to the embedded store on 127.0.0.1:8080, paths relative to the file', () => {
    const cfg = loadConfig(write('inventory: inv.yaml\n'), {});
    expect(cfg.http.listen).toBe('127.0.0.1:8080');
    expect(cfg.storage.influxdb).toBeUndefined();
    expect(cfg.inventory).toBe(join(dir, 'inv.yaml'));
    expect(cfg.data_dir).toBe(join(dir, 'data'));
  });

  it('takes overrides from the environment, named and generic', () => {
    const cfg = loadConfig(write('http:\n  listen: 127.0.0.1:9000\n'), {
      DIEMCAU_LISTEN: '127.0.0.1:9100',
      DIEMCAU__STORAGE__INFLUXDB__URL: 'http://127.0.0.1:8086',
      DIEMCAU__COLLECTOR__SNMP_RETRIES: '3',
    });
    expect(cfg.http.listen).toBe('127.0.0.1:9100');
    expect(cfg.storage.influxdb?.url).toBe('http://127.0.0.1:8086');
    expect(cfg.storage.influxdb?.database).toBe('diemcau');
    expect(cfg.collector.snmp_retries).toBe(3);
  });

  it('names file, line and fix for a bad value and an unknown field', () => {
    const f = write('collector:\n  interval: 10 seconds\nhttp:\n  listne: 127.0.0.1:80\n');
    expect(errorsOf(f)).toEqual([
      'F:2: collector.interval: must be a duration such as "500ms", "30s", "5m", "2h", "7d" or "52w"',
      'F:4: http: unknown field "listne" (check the spelling; see the documented fields)',
    ]);
  });

  it('says which environment variable carried a bad value', () => {
    const f = write('{}\n');
    expect(errorsOf(f, { DIEMCAU__COLLECTOR__SNMP_RETRIES: 'many' })[0]).toMatch(
      /collector\.snmp_retries: .*\(set by environment variable DIEMCAU__COLLECTOR__SNMP_RETRIES\)/,
    );
  });

  it('reports a missing file', () => {
    expect(errorsOf(join(dir, 'nope.yaml'))).toEqual(['F:1: file not found']);
  });

  it('parses durations', () => {
    expect(parseDuration('20ms')).toBe(20);
    expect(parseDuration('7d')).toBe(7 * 86400_000);
    expect(() => parseDuration('7 days')).toThrow();
  });
});
