// The dashboards as code: the committed JSON is what the code builds, and every query in it runs
// against a real InfluxDB holding data written by diemcau's own store, and returns data.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InfluxDB } from 'influx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { log } from '../core/log.ts';
import type { MetricName } from '../core/metrics.ts';
import type { MetricsStore } from '../core/ports.ts';
import { createMetricsStore } from '../storage/metrics/index.ts';
import { type Influxd, startInfluxd } from '../test/helpers/influxd.ts';
import { sample, storeConfig } from '../test/helpers/metrics.ts';
import { OUT_DIR, render } from './build.ts';

interface Target {
  query: string;
}
interface PanelJson {
  title: string;
  targets?: Target[];
  panels?: PanelJson[];
}

const rendered = render();
const panels = (file: string): PanelJson[] => {
  const d = JSON.parse(rendered[file]!) as { panels: PanelJson[] };
  return d.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.targets?.length);
};

/** What Grafana substitutes before it sends a query: the time range, interval and variables. */
const expand = (q: string) =>
  q
    .replaceAll('$timeFilter', 'time > now() - 1h')
    .replaceAll('$__interval', '1m')
    .replaceAll('$district', '.*')
    .replaceAll('$tier', '.*')
    .replaceAll('$site', 'xa-bang-thanh');

describe('Grafana dashboards as code', () => {
  it('the committed JSON is what grafana/dashboards.ts builds (run npm run grafana)', () => {
    for (const [file, text] of Object.entries(rendered)) {
      expect(readFileSync(join(OUT_DIR, file), 'utf8'), file).toBe(text);
    }
  });

  it('every panel reads the diemcau InfluxDB datasource and has a Vietnamese title', () => {
    for (const file of Object.keys(rendered)) {
      for (const p of panels(file)) {
        expect(p.title).toMatch(/[àáảãạăâđêôơưếềểễệốồổỗộớờởỡợứừửữựíìỉĩịúùủũụýỳỷỹỵéèẻẽẹóòỏõọ]/i);
        expect(JSON.stringify(p.targets)).toContain('diemcau-influxdb');
      }
    }
  });

  describe('against a real InfluxDB', () => {
    let influxd: Influxd;
    let store: MetricsStore;
    let client: InfluxDB;

    beforeAll(async () => {
      influxd = await startInfluxd();
      const config = storeConfig({
        dataDir: mkdtempSync(join(tmpdir(), 'diemcau-grafana-')),
        influxUrl: influxd.url,
      });
      store = await createMetricsStore({ config, log });
      const now = Date.now();
      const metrics: [MetricName, number][] = [
        ['reachable', 1],
        ['rtt_ms', 42],
        ['loss_pct', 0.5],
        ['jitter_ms', 3],
        ['mos', 4.2],
        ['ups_on_battery', 0],
        ['ups_runtime_min', 55],
        ['ups_charge_pct', 98],
        ['ups_input_v', 221],
        ['ups_input_hz', 50],
        ['ups_battery_v', 54.2],
        ['ups_battery_temp_c', 29],
        ['ups_alarms', 1],
        ['if_in_bps', 1e6],
        ['if_out_bps', 2e6],
        ['in_call', 1],
      ];
      const samples = [];
      for (const site of ['xa-bang-thanh', 'xa-nhan-mon']) {
        for (let k = 0; k < 10; k++) {
          for (const [metric, value] of metrics) {
            samples.push(
              sample(metric, site, now - k * 60_000, value + k, {
                tags: {
                  district: 'pac-nam',
                  tier: 'commune',
                  carrier: 'viettel',
                  probe: 'rtp',
                  instance: 'eth0',
                },
              }),
            );
          }
        }
      }
      store.write(samples);
      await store.flush();
      client = new InfluxDB({
        host: '127.0.0.1',
        port: Number(new URL(influxd.url).port),
        database: 'diemcau',
      });
    });

    afterAll(async () => {
      await store?.close();
      await influxd?.stop();
    });

    for (const file of Object.keys(rendered)) {
      it(`every query of ${file} returns data`, async () => {
        for (const p of panels(file)) {
          for (const t of p.targets!) {
            const rows = await client.query(expand(t.query));
            expect(rows.length, `${p.title}: ${t.query}`).toBeGreaterThan(0);
          }
        }
        const vars = (JSON.parse(rendered[file]!) as { templating: { list: { query: string }[] } }).templating
          .list;
        for (const v of vars) {
          const rows = await client.query(v.query);
          expect(rows.length, v.query).toBeGreaterThan(0);
        }
      });
    }
  });
});
