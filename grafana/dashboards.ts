// Grafana dashboards as code (grafana-foundation-sdk), reading diemcau's InfluxDB data:
// one measurement per metric name, tags site/device/tier/district/carrier(/instance/probe),
// field `value` (see docs/storage.md). `npm run grafana` writes the JSON that docker-compose provisions.
import type { Builder, Dataquery } from '@grafana/grafana-foundation-sdk/cog';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';
import {
  type Dashboard,
  DashboardBuilder,
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as StateTimelinePanel } from '@grafana/grafana-foundation-sdk/statetimeline';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import type { MetricName } from '../core/metrics.ts';

export const DATASOURCE: DataSourceRef = { type: 'influxdb', uid: 'diemcau-influxdb' };

/** A raw InfluxQL target: the SDK has no InfluxDB query builder, so this is the small custom one. */
export interface InfluxQuery extends Dataquery {
  refId?: string;
  hide?: boolean;
  query: string;
  rawQuery: true;
  resultFormat: 'time_series' | 'table';
  alias?: string;
  datasource?: DataSourceRef;
}

class InfluxQueryBuilder implements Builder<Dataquery> {
  private readonly q: InfluxQuery;
  constructor(query: string, format: InfluxQuery['resultFormat'] = 'time_series') {
    this.q = {
      query,
      rawQuery: true,
      resultFormat: format,
      datasource: DATASOURCE,
      _implementsDataqueryVariant() {},
    };
  }
  alias(a: string): this {
    this.q.alias = a;
    return this;
  }
  build(): Dataquery {
    return this.q;
  }
}

const influx = (query: string) => new InfluxQueryBuilder(query);

/** Filters every query by the dashboard's variables. */
const SCOPE = `"district" =~ /^$district$/ AND "tier" =~ /^$tier$/`;

const tagVariable = (name: string, label: string, key: string) =>
  new QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCE)
    .query(`SHOW TAG VALUES FROM "reachable" WITH KEY = "${key}"`)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .includeAll(true)
    .allValue('.*')
    .multi(true)
    .current({ text: 'All', value: '$__all' });

const series = (title: string, metric: MetricName, unit: string, groupBy = 'site', agg = 'mean') =>
  new TimeseriesPanel()
    .title(title)
    .unit(unit)
    .datasource(DATASOURCE)
    .withTarget(
      influx(
        `SELECT ${agg}("value") FROM "${metric}" WHERE ${SCOPE} AND $timeFilter GROUP BY time($__interval), "${groupBy}" fill(null)`,
      ).alias(`$tag_${groupBy}`),
    );

/** Tổng quan: the whole network, filterable by district and tier. */
export function networkDashboard(): Dashboard {
  return new DashboardBuilder('diemcau — Tổng quan mạng HNTT Bắc Kạn / Network overview')
    .uid('diemcau-network')
    .tags(['diemcau'])
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('Asia/Ho_Chi_Minh')
    .withVariable(tagVariable('district', 'Huyện / District', 'district'))
    .withVariable(tagVariable('tier', 'Cấp / Tier', 'tier'))
    .withRow(new RowBuilder('Hiện trạng / Now'))
    .withPanel(
      new StatPanel()
        .title('Điểm cầu kết nối / Sites reachable')
        .datasource(DATASOURCE)
        .withTarget(
          influx(
            `SELECT sum("last") FROM (SELECT last("value") FROM "reachable" WHERE ${SCOPE} AND time > now() - 5m GROUP BY "site")`,
          ),
        ),
    )
    .withPanel(
      new StatPanel()
        .title('UPS đang chạy pin / UPS on battery')
        .datasource(DATASOURCE)
        .withTarget(
          influx(
            `SELECT sum("last") FROM (SELECT last("value") FROM "ups_on_battery" WHERE ${SCOPE} AND time > now() - 5m GROUP BY "site")`,
          ),
        ),
    )
    .withPanel(
      new StatPanel()
        .title('MOS trung bình / Mean MOS')
        .decimals(2)
        .datasource(DATASOURCE)
        .withTarget(influx(`SELECT mean("value") FROM "mos" WHERE ${SCOPE} AND time > now() - 5m`)),
    )
    .withRow(new RowBuilder('Chất lượng đường truyền theo huyện / Link quality by district'))
    .withPanel(series('Tỷ lệ mất gói / Packet loss', 'loss_pct', 'percent', 'district'))
    .withPanel(series('Độ biến thiên trễ / Jitter', 'jitter_ms', 'ms', 'district'))
    .withPanel(series('Độ trễ khứ hồi / Round-trip time', 'rtt_ms', 'ms', 'district'))
    .withPanel(series('Điểm MOS / MOS', 'mos', 'none', 'district', 'min'))
    .withRow(new RowBuilder('Điểm cầu kém nhất / Worst sites'))
    .withPanel(
      new TablePanel()
        .title('Mất gói cao nhất 1 giờ qua / Highest loss, last hour')
        .datasource(DATASOURCE)
        .withTarget(
          new InfluxQueryBuilder(
            `SELECT top("mean", 10) AS "loss_pct", "site" FROM (SELECT mean("value") FROM "loss_pct" WHERE ${SCOPE} AND time > now() - 1h GROUP BY "site")`,
            'table',
          ),
        ),
    )
    .build();
}

/** Điểm cầu: one site in depth. */
export function siteDashboard(): Dashboard {
  const site = `"site" =~ /^$site$/`;
  const perSite = (title: string, metric: MetricName, unit: string, by = 'probe') =>
    new TimeseriesPanel()
      .title(title)
      .unit(unit)
      .datasource(DATASOURCE)
      .withTarget(
        influx(
          `SELECT mean("value") FROM "${metric}" WHERE ${site} AND $timeFilter GROUP BY time($__interval), "${by}" fill(null)`,
        ).alias(`$tag_${by}`),
      );
  return new DashboardBuilder('diemcau — Điểm cầu / Site')
    .uid('diemcau-site')
    .tags(['diemcau'])
    .refresh('30s')
    .time({ from: 'now-24h', to: 'now' })
    .timezone('Asia/Ho_Chi_Minh')
    .withVariable(
      new QueryVariableBuilder('site')
        .label('Điểm cầu / Site')
        .datasource(DATASOURCE)
        .query('SHOW TAG VALUES FROM "reachable" WITH KEY = "site"')
        .refresh(VariableRefresh.OnDashboardLoad),
    )
    .withRow(new RowBuilder('Đường truyền / Link'))
    .withPanel(perSite('Độ trễ khứ hồi / Round-trip time', 'rtt_ms', 'ms'))
    .withPanel(perSite('Tỷ lệ mất gói / Packet loss', 'loss_pct', 'percent'))
    .withPanel(perSite('Độ biến thiên trễ / Jitter', 'jitter_ms', 'ms'))
    .withPanel(perSite('Điểm MOS / MOS', 'mos', 'none'))
    .withRow(new RowBuilder('Nguồn điện / Power'))
    .withPanel(perSite('Thời gian pin còn lại / UPS runtime', 'ups_runtime_min', 'm', 'device'))
    .withPanel(perSite('Dung lượng pin / UPS charge', 'ups_charge_pct', 'percent', 'device'))
    .withPanel(perSite('Điện áp vào / Input voltage', 'ups_input_v', 'volt', 'device'))
    .withPanel(perSite('Tần số điện vào / Input frequency', 'ups_input_hz', 'hertz', 'device'))
    .withPanel(perSite('Điện áp ắc quy / Battery voltage', 'ups_battery_v', 'volt', 'device'))
    .withPanel(perSite('Nhiệt độ ắc quy / Battery temperature', 'ups_battery_temp_c', 'celsius', 'device'))
    .withRow(new RowBuilder('Thiết bị / Devices'))
    .withPanel(perSite('Lưu lượng vào / Traffic in', 'if_in_bps', 'bps', 'instance'))
    .withPanel(perSite('Lưu lượng ra / Traffic out', 'if_out_bps', 'bps', 'instance'))
    .withPanel(perSite('Trong cuộc gọi / In call', 'in_call', 'none', 'device'))
    .build();
}

/** Nguồn điện: every UPS of the network, for the power company's branches too. */
export function powerDashboard(): Dashboard {
  return new DashboardBuilder('diemcau — Nguồn điện / Power')
    .uid('diemcau-power')
    .tags(['diemcau'])
    .refresh('30s')
    .time({ from: 'now-24h', to: 'now' })
    .timezone('Asia/Ho_Chi_Minh')
    .withVariable(tagVariable('district', 'Huyện / District', 'district'))
    .withVariable(tagVariable('tier', 'Cấp / Tier', 'tier'))
    .withPanel(
      new StateTimelinePanel()
        .title('UPS chạy pin theo điểm cầu / UPS on battery by site')
        .datasource(DATASOURCE)
        .withTarget(
          influx(
            `SELECT max("value") FROM "ups_on_battery" WHERE ${SCOPE} AND $timeFilter GROUP BY time($__interval), "site" fill(previous)`,
          ).alias('$tag_site'),
        ),
    )
    .withPanel(series('Thời gian pin còn lại / UPS runtime', 'ups_runtime_min', 'm', 'site', 'min'))
    .withPanel(series('Điện áp vào / Input voltage', 'ups_input_v', 'volt', 'site'))
    .withPanel(series('Tần số điện vào / Input frequency', 'ups_input_hz', 'hertz', 'site'))
    .withPanel(
      series('Nhiệt độ ắc quy / Battery temperature', 'ups_battery_temp_c', 'celsius', 'site', 'max'),
    )
    .withPanel(series('Điện áp ắc quy / Battery voltage', 'ups_battery_v', 'volt', 'site', 'min'))
    .withPanel(series('Số cảnh báo UPS / UPS alarms present', 'ups_alarms', 'none', 'site', 'max'))
    .build();
}

export const DASHBOARDS = { network: networkDashboard, site: siteDashboard, power: powerDashboard };
