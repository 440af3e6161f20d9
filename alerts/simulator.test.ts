// Faults injected through the simulator, polled by the real collector, judged by the default
// rules (durations ÷ 10), e-mailed through a real SMTP server: who is notified of what.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../api/contract.ts';
import { type LoopbackNet, loopbackNet } from './fleet.ts';
import { type SmtpSink, startSmtp, until } from './test-servers.ts';

/** RTP jitter and RTT (and the MOS computed from them) measured on a loaded loopback (simulator, collector and tests on 2 cores) are noisy */
const NOISE = ['link-jitter', 'link-rtt', 'link-mos'];
let net: LoopbackNet;
let smtp: SmtpSink;

beforeAll(async () => {
  smtp = await startSmtp();
  // 60 sites: 4 districts of 13 communes; districts 1 and 3 on VNPT, 2 and 4 on Viettel
  net = await loopbackNet({ sites: 60, base: 60, smtpPort: smtp.port, interval: '1s', ruleScale: 10 });
  await new Promise((r) => setTimeout(r, 3000)); // a few healthy rounds first
});

afterAll(async () => {
  await net?.stop();
  await smtp?.close();
});

const about = (site: string) => net.alerts.list({ site });
const notified = (alerts: Alert[]) => new Set(alerts.flatMap((a) => a.notified ?? []));

describe('faults through the simulator', () => {
  it('pages the right organisation for each fault', async () => {
    const inv = net.rt.inventory;
    const carrierOf = (id: string) => inv.sites.get(id)!.link.carrier;
    expect(carrierOf('xa-so-1')).toBe('vnpt');
    expect(carrierOf('xa-so-2')).toBe('viettel');
    // a meeting with two of the sites: the MCU port is judged only while its site is in a meeting
    const now = Date.now();
    net.meetings.add({
      id: 'hop',
      title: 'Hội nghị thử',
      start: now,
      end: now + 3600_000,
      sites: ['xa-so-5', 'xa-so-9'],
    });
    net.sim.meeting.start(['xa-so-5', 'xa-so-9']);
    await new Promise((r) => setTimeout(r, 2000));
    net.sim.faults.inject({ kind: 'power_cut', site: 'xa-so-3', runtime_min: 2 });
    net.sim.faults.inject({ kind: 'link_degraded', site: 'xa-so-1', loss_pct: 5 });
    net.sim.faults.inject({ kind: 'link_degraded', site: 'xa-so-2', loss_pct: 5 });
    net.sim.faults.inject({ kind: 'codec_hung', site: 'xa-so-5' });
    net.sim.faults.inject({ kind: 'mcu_port_down', site: 'xa-so-9' });
    net.sim.faults.inject({ kind: 'district_outage', district: 'huyen-4' });

    const has = (site: string, rule: string, pred: (a: Alert) => boolean = () => true) =>
      about(site).some((a) => a.rule === rule && (a.notified ?? []).length > 0 && pred(a));
    await until(
      () =>
        has('xa-so-3', 'site-unreachable', (a) => a.cause === 'power') &&
        has('xa-so-1', 'link-loss') &&
        has('xa-so-2', 'link-loss') &&
        has('xa-so-5', 'codec-down') &&
        has('xa-so-9', 'mcu-port-down') &&
        net.alerts.list().some((a) => a.rule === 'district-outage' && (a.notified ?? []).length > 0),
      60_000,
      `alerts: ${JSON.stringify(net.alerts.list().map((a) => [a.rule, a.site, a.state, a.notified]))}`,
    );

    // power cut at a commune of huyện 3: its Điện lực branch and the technician, not the carrier
    const powerAlerts = about('xa-so-3').filter((a) => !NOISE.includes(a.rule));
    for (const a of powerAlerts.filter((x) => (x.notified ?? []).length > 0)) {
      expect(a.rule === 'ups-runtime-short' ? ['power', 'equipment'] : ['power'], a.rule).toContain(a.cause);
      if (a.cause === 'power') expect(a.owner_org).toBe('dien-luc-huyen-3');
    }
    const power = notified(powerAlerts);
    expect(power).toContain('dl-huyen-3-truc');
    expect(power).toContain('kt-xa-so-3');
    expect([...power].filter((p) => /^(vnpt|viettel)/.test(p))).toEqual([]);
    expect(about('xa-so-3').find((a) => a.rule === 'site-unreachable')!.reasoning).toContain('UPS chạy pin');

    // 5 % loss: VNPT for the VNPT-linked site, Viettel for the Viettel-linked one
    expect(notified(about('xa-so-1').filter((a) => a.rule === 'link-loss'))).toContain('vnpt-truc-1');
    expect(notified(about('xa-so-1').filter((a) => a.rule === 'link-loss'))).not.toContain('viettel-truc-1');
    expect(notified(about('xa-so-2').filter((a) => a.rule === 'link-loss'))).toContain('viettel-truc-1');
    expect(notified(about('xa-so-2').filter((a) => a.rule === 'link-loss'))).not.toContain('vnpt-truc-1');

    // codec hang: the technician; MCU port down with a healthy codec: the Viettel MCU team
    expect(notified(about('xa-so-5').filter((a) => a.rule === 'codec-down'))).toEqual(
      new Set(['noc-truc-ban-1', 'kt-xa-so-5']),
    );
    expect(notified(about('xa-so-9').filter((a) => a.rule === 'mcu-port-down'))).toContain('viettel-mcu-1');

    // district outage: one Viettel alert for huyện 4, no per-commune pages there
    const district = net.alerts.list().filter((a) => a.rule === 'district-outage');
    expect(district).toHaveLength(1);
    expect(district[0]!.owner_org).toBe('viettel');
    const communes = inv.inventory.sites.filter((s) => s.district === 'huyen-4');
    expect(district[0]!.sites.length).toBeGreaterThanOrEqual(communes.length - 1);
    for (const s of communes) {
      // (jitter/RTT alerts from loopback timing noise under test load are not about the outage)
      const paged = about(s.id).filter(
        (a) => !NOISE.includes(a.rule) && a.rule !== 'district-outage' && (a.notified ?? []).length > 0,
      );
      expect(paged, s.id).toEqual([]);
    }

    // and the e-mails arrived, in Vietnamese
    await net.alerts.outbox.idle(20_000);
    const toPower = smtp.mails.filter((m) => m.to === 'truc-huyen-3@dienluc.diemcau.example');
    expect(toPower.length).toBeGreaterThan(0);
    expect(toPower.map((m) => m.text).join('\n')).toContain('Nguyên nhân: nguồn điện (Điện lực Huyện 3)');
    const toViettel = smtp.mails.filter((m) => m.to === 'truc-1@viettel.diemcau.example');
    expect(toViettel.some((m) => m.subject.includes('Mất kết nối diện rộng — huyện Huyện 4'))).toBe(true);
  });
});
