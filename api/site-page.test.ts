// The site page's API (issue 15, NOC view): contacts' phone numbers for the roles that may call them,
// links to the site's Grafana dashboards when `grafana.url` is set, and the running alert rules'
// threshold lines beside a site's metrics.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.ts';
import { siteHours } from '../inventory/hours.ts';
import { type Client, clientsByRole, startTestApi, type TestEnv } from '../test/helpers/api.ts';
import type { GrafanaLink, Role, Threshold } from './contract.ts';
import { thresholdsOf } from './thresholds.ts';

let env: TestEnv;
let c: Record<Role, Client>;
let own: string;
const PHONE = '+84 912 345 678';

interface Person {
  id: string;
  email: string | null;
  phone: string | null;
}
interface Detail {
  contacts: { carrier: { people: Person[] } | null };
  grafana: GrafanaLink[];
  hours: { vi: string; en: string; own: boolean; now: boolean };
}

beforeAll(async () => {
  env = await startTestApi({ sites: 6, base: 64, alerts: true });
  own = [...env.rt.inventory.sites.keys()][2]!;
  c = await clientsByRole(env, [own]);
  // the generated inventory's carrier on-call people carry `phone: { env: DIEMCAU_PHONE_<CARRIER>_1 }`
  process.env['DIEMCAU_PHONE_VIETTEL_1'] = PHONE;
  process.env['DIEMCAU_PHONE_VNPT_1'] = PHONE;
});
afterAll(async () => {
  delete process.env['DIEMCAU_PHONE_VIETTEL_1'];
  delete process.env['DIEMCAU_PHONE_VNPT_1'];
  await env?.stop();
});

const detail = async (role: Role) => {
  const res = await c[role].get(`/api/v1/sites/${own}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Detail;
};
const onCall = (d: Detail) => d.contacts.carrier!.people.find((p) => p.id.endsWith('-truc-1'))!;

describe('operating hours (Điều 5.6)', () => {
  it('the default in words, and whether the site is within them now (Bắc Kạn time)', async () => {
    const h = (await detail('viewer')).hours;
    expect(h.vi).toBe('Thứ Hai–Thứ Sáu 07:00–17:00, nghỉ ngày lễ, Tết');
    expect(h.en).toBe('Mon–Fri 07:00–17:00, closed on public holidays');
    expect(h.own).toBe(false);
    expect(h.now).toBe(siteHours(env.rt.config.operations, env.rt.inventory).inHours(own, Date.now()));
  });
});

describe('contacts’ phone numbers', () => {
  it.each(['admin', 'noc'] as const)('%s sees the on-call number, resolved from its secret', async (role) => {
    expect(onCall(await detail(role)).phone).toBe(PHONE);
  });

  it.each(['technician', 'host', 'viewer'] as const)('%s gets no number', async (role) => {
    const p = onCall(await detail(role));
    expect(p.phone).toBeNull();
    // e-mail stays as it was: technicians yes, host and viewer no
    expect(p.email === null).toBe(role !== 'technician');
  });

  it('a person without a number, or whose secret does not resolve, has none', async () => {
    const d = await detail('noc');
    expect(d.contacts.carrier!.people.find((p) => p.id.endsWith('-truc-2'))!.phone).toBeNull();
    const saved = { v: process.env['DIEMCAU_PHONE_VIETTEL_1'], n: process.env['DIEMCAU_PHONE_VNPT_1'] };
    delete process.env['DIEMCAU_PHONE_VIETTEL_1'];
    delete process.env['DIEMCAU_PHONE_VNPT_1'];
    try {
      expect(onCall(await detail('noc')).phone).toBeNull();
    } finally {
      process.env['DIEMCAU_PHONE_VIETTEL_1'] = saved.v;
      process.env['DIEMCAU_PHONE_VNPT_1'] = saved.n;
    }
  });
});

describe('Grafana links', () => {
  it('none while grafana.url is not configured', async () => {
    expect(env.rt.config.grafana.url).toBeUndefined();
    expect((await detail('viewer')).grafana).toEqual([]);
  });

  it('the site and power dashboards, with the site’s variables, once configured', async () => {
    env.rt.config.grafana.url = 'https://grafana.noc.example/grafana/';
    try {
      const site = env.rt.inventory.sites.get(own)!;
      const links = (await detail('viewer')).grafana;
      expect(links.map((l) => l.dashboard)).toEqual(['diemcau-site', 'diemcau-power']);
      expect(links[0]!.url).toBe(`https://grafana.noc.example/grafana/d/diemcau-site?var-site=${own}`);
      expect(links[1]!.url).toBe(
        `https://grafana.noc.example/grafana/d/diemcau-power?var-district=${site.district}&var-tier=${site.tier}`,
      );
    } finally {
      delete env.rt.config.grafana.url;
    }
  });

  it('the config key takes an http(s) address only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'diemcau-grafana-'));
    const file = (text: string) => {
      const f = join(dir, `c${Math.random()}.yaml`);
      writeFileSync(f, text);
      return f;
    };
    expect(loadConfig(file('grafana:\n  url: http://127.0.0.1:3000\n'), {}).grafana.url).toBe(
      'http://127.0.0.1:3000',
    );
    expect(loadConfig(file('{}\n'), {}).grafana.url).toBeUndefined();
    expect(() => loadConfig(file('grafana:\n  url: "javascript:alert(1)"\n'), {})).toThrow(
      /grafana\.url: must be an http\(s\) address/,
    );
  });
});

describe('threshold lines beside the metrics', () => {
  it('are the running rules’ lines for the metrics asked, whoever asks', async () => {
    const res = await c.viewer.get(`/api/v1/sites/${own}/metrics?metric=loss_pct,mos,rtt_ms`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { thresholds: Threshold[] };
    expect(body.thresholds).toEqual(thresholdsOf(env.alerts!.rules.rules, ['loss_pct', 'mos', 'rtt_ms']));
    const loss = body.thresholds.filter((t) => t.metric === 'loss_pct');
    expect(loss.map((t) => [t.direction, t.value, t.severity])).toEqual([
      ['above', 1, 'major'],
      ['above', 5, 'critical'],
    ]);
    expect(loss[0]!.title).toBe('Mất gói trên đường truyền');
    expect(body.thresholds.filter((t) => t.metric === 'mos').map((t) => [t.direction, t.value])).toEqual([
      ['below', 3.6],
      ['below', 3.1],
    ]);
    // nothing for a metric not asked
    expect(body.thresholds.some((t) => t.metric === 'jitter_ms')).toBe(false);
  });
});
