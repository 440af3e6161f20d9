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
      'F:2: collector.metrics_listen: must be ADDRESS:PORT with a port 0-65535, e.g. "127.0.0.1:9465", or "off" (IPv6: "[::1]:9465")',
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

  it('has the office details of the filed reports, defaults for Sở TT&TT Bắc Kạn, and names a bad one at its line', () => {
    const cfg = loadConfig(write('{}\n'), {});
    expect(cfg.reports).toMatchObject({
      parent_body: 'UBND TỈNH BẮC KẠN',
      office: 'SỞ THÔNG TIN VÀ TRUYỀN THÔNG',
      office_abbr: 'STTTT',
      place: 'Bắc Kạn',
      numbering: 'blank',
      signer: { authority: 'KT. GIÁM ĐỐC', title: 'PHÓ GIÁM ĐỐC' },
      delivery: { enabled: true, to: [], settle: '30m' },
    });
    const f = write(
      'reports:\n  office_abbr: Sở TT\n  numbering: automatic\n  signer:\n    name: A\n  delivery:\n    to: [so-tttt, "not an address"]\n',
    );
    expect(errorsOf(f)).toEqual([
      'F:2: reports.office_abbr: must be the office\'s abbreviation in capitals, e.g. "STTTT"',
      'F:3: reports.numbering: must be "blank" (the clerk writes the number) or "auto"',
      'F:5: reports.signer.title: is required',
      'F:7: reports.delivery.to[1]: must be a person or organisation id of the inventory (e.g. "so-tttt") or an e-mail address',
    ]);
  });

  it('reports a missing file', () => {
    expect(errorsOf(join(dir, 'nope.yaml'))).toEqual(['F:1: file not found']);
  });

  it('parses durations', () => {
    expect(parseDuration('20ms')).toBe(20);
    expect(parseDuration('7d')).toBe(7 * 86400_000);
    expect(() => parseDuration('7 days')).toThrow();
  });

  // issue 18: what the configuration accepted and should have refused, each at its line
  it.each([
    ['collector:\n  interval: 0s\n', 'F:2: collector.interval: must be at least 1s'],
    ['collector:\n  snmp_timeout: 0ms\n', 'F:2: collector.snmp_timeout: must be at least 100ms'],
    ['collector:\n  interval: 30d\n', 'F:2: collector.interval: must be at most 1h'],
    ['collector:\n  concurrency: 1000000\n', 'F:2: collector.concurrency: must be at most 4096'],
    ['http:\n  body_limit_kb: 99999999\n', 'F:2: http.body_limit_kb: must be at most 10240 KB'],
    ['http:\n  body_limit_kb: 0\n', 'F:2: http.body_limit_kb: must be at least 1 KB'],
    ['http:\n  audit_retention: 0d\n', 'F:2: http.audit_retention: must be at least 1d'],
    ['http:\n  live_max_per_user: 0\n', 'F:2: http.live_max_per_user: must be at least 1'],
    ['storage:\n  spool_max_mb: 1.0e+308\n', 'F:2: storage.spool_max_mb: must be at most 1048576 MB'],
    ['storage:\n  spool_max_mb: 0\n', 'F:2: storage.spool_max_mb: must be more than 0 MB'],
    ['alerts:\n  outbox:\n    poll: 0ms\n', 'F:3: alerts.outbox.poll: must be at least 10ms'],
  ])('refuses %j', (text, error) => {
    expect(errorsOf(write(text))).toEqual([error]);
  });

  it.each([
    ['0.0.0.0', 'http', 'listen'],
    ['127.0.0.1:99999', 'http', 'listen'],
    ['localhost:-1', 'http', 'listen'],
    ['300.1.1.1:8080', 'http', 'listen'],
    ['[::1:8080', 'http', 'listen'],
    ['::1:8080', 'http', 'listen'],
    ['127.0.0.1:80 80', 'collector', 'trap_listen'],
  ])('refuses the listen address %j of %s.%s at load, with an example', (value, section, field) => {
    const [e] = errorsOf(write(`${section}:\n  ${field}: "${value}"\n`));
    expect(e).toMatch(
      new RegExp(`^F:2: ${section}\\.${field}: must be ADDRESS:PORT with a port 0-65535, e\\.g\\.`),
    );
  });

  it('accepts well-formed addresses, IPv6 in brackets and host names', () => {
    const cfg = loadConfig(
      write(
        'http:\n  listen: "[::1]:8080"\ncollector:\n  trap_listen: localhost:1162\n  metrics_listen: 0.0.0.0:9465\n',
      ),
      {},
    );
    expect(cfg.http.listen).toBe('[::1]:8080');
    expect(cfg.collector.trap_listen).toBe('localhost:1162');
  });

  it('names the environment variable that set a refused interval', () => {
    expect(errorsOf(write('{}\n'), { DIEMCAU__COLLECTOR__INTERVAL: '0s' })).toEqual([
      'F:1: collector.interval: must be at least 1s (set by environment variable DIEMCAU__COLLECTOR__INTERVAL)',
    ]);
  });
});
