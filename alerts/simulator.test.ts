// Faults injected through the simulator, polled by the real collector, judged by the default
// rules (durations ÷ 10), e-mailed through a real SMTP server: who is notified of what.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Episode } from '../api/contract.ts';
import { type LoopbackNet, loopbackNet } from '../test/helpers/fleet.ts';
import { type SmtpSink, startSmtp, until } from '../test/helpers/servers.ts';

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

const episodesAt = (site: string) => net.alerts.episodes({ site, all: true });
const paged = (e: Episode) => e.notified.length > 0;
const people = (eps: Episode[]) => new Set(eps.flatMap((e) => e.notified));

describe('faults through the simulator', () => {
  it('pages the right organisation for each fault, and nobody new when they clear', {
    timeout: 180_000,
  }, async () => {
    const inv = net.rt.inventory;
    const carrierOf = (id: string) => inv.sites.get(id)!.link.carrier;
    expect(carrierOf('xa-so-1')).toBe('vnpt');
    expect(carrierOf('xa-so-2')).toBe('viettel');
    // an MCU port fault needs a codec that reports its call state (a generic codec does not)
    const mcuSite = inv.inventory.sites.find(
      (s) =>
        s.tier === 'commune' &&
        s.district !== 'huyen-4' &&
        !['xa-so-1', 'xa-so-2', 'xa-so-3', 'xa-so-5'].includes(s.id) &&
        inv.devices.get(`${s.id}-codec`)?.profile === 'polycom-group',
    )!.id;
    // a meeting of four sites: loss there is critical, the MCU port is judged, a silent codec is a fault
    const now = Date.now();
    net.meetings.add({
      id: 'hop',
      title: 'Hội nghị thử',
      start: now,
      end: now + 3600_000,
      sites: ['xa-so-1', 'xa-so-2', 'xa-so-5', mcuSite],
    });
    net.sim.meeting.start(['xa-so-1', 'xa-so-2', 'xa-so-5', mcuSite]);
    await new Promise((r) => setTimeout(r, 2000));
    net.sim.faults.inject({ kind: 'power_cut', site: 'xa-so-3', runtime_min: 2 });
    net.sim.faults.inject({ kind: 'link_degraded', site: 'xa-so-1', loss_pct: 6 });
    net.sim.faults.inject({ kind: 'link_degraded', site: 'xa-so-2', loss_pct: 6 });
    net.sim.faults.inject({ kind: 'codec_hung', site: 'xa-so-5' });
    net.sim.faults.inject({ kind: 'mcu_port_fault', site: mcuSite });
    net.sim.faults.inject({ kind: 'district_outage', district: 'huyen-4' });

    const has = (site: string, rule: string, pred: (e: Episode) => boolean = () => true) =>
      episodesAt(site).some((e) => e.rule === rule && paged(e) && pred(e));
    const district = () => net.alerts.episodes({ all: true }).filter((e) => e.rule === 'district-outage');
    try {
      await until(
        () =>
          has('xa-so-3', 'ups-on-battery', (e) => e.cause === 'power') &&
          episodesAt('xa-so-3').some((e) => e.members.some((m) => m.rule === 'site-unreachable')) &&
          has('xa-so-1', 'link-loss') &&
          has('xa-so-2', 'link-loss') &&
          has('xa-so-5', 'codec-down') &&
          has(mcuSite, 'mcu-port-down') &&
          district().some(paged),
        60_000,
        'the episodes',
      );
    } catch (err) {
      for (const site of ['xa-so-3', mcuSite])
        console.log(
          site,
          JSON.stringify(
            [...net.alerts.evaluator.conditions.values()]
              .filter((c) => c.site === site)
              .map((c) => [c.rule.id, c.value, c.active, c.holding]),
          ),
        );
      console.log(
        JSON.stringify(
          net.alerts.episodes({ all: true }).map((e) => [e.rule, e.sites.slice(0, 2), e.state, e.notified]),
        ),
      );
      throw err;
    }

    // power cut at a commune of huyện 3, drained to dark: one power episode, the dark site its child;
    // its Điện lực branch and the technician, not the carrier
    const power = episodesAt('xa-so-3').filter((e) => !NOISE.includes(e.rule) && paged(e));
    expect(power.map((e) => e.rule)).toEqual(['ups-on-battery']);
    expect(power[0]!.owner_org).toBe('dien-luc-huyen-3');
    expect(people(power)).toContain('dl-huyen-3-truc');
    expect(people(power)).toContain('kt-xa-so-3');
    expect([...people(power)].filter((p) => /^(vnpt|viettel)/.test(p))).toEqual([]);

    // 6 % loss in a meeting: VNPT for the VNPT-linked site, Viettel for the Viettel-linked one
    const loss = (site: string) => people(episodesAt(site).filter((e) => e.rule === 'link-loss'));
    expect(loss('xa-so-1')).toContain('vnpt-truc-1');
    expect(loss('xa-so-1')).not.toContain('viettel-truc-1');
    expect(loss('xa-so-2')).toContain('viettel-truc-1');
    expect(loss('xa-so-2')).not.toContain('vnpt-truc-1');

    // codec hang: the technician; MCU port down with the codec in its call: the Viettel MCU team
    expect(people(episodesAt('xa-so-5').filter((e) => e.rule === 'codec-down'))).toEqual(
      new Set(['noc-truc-ban-1', 'kt-xa-so-5']),
    );
    expect(people(episodesAt(mcuSite).filter((e) => e.rule === 'mcu-port-down'))).toContain('viettel-mcu-1');

    // district outage: one Viettel episode for huyện 4, no per-commune pages there
    expect(district()).toHaveLength(1);
    expect(district()[0]!.owner_org).toBe('viettel');
    const communes = inv.inventory.sites.filter((s) => s.district === 'huyen-4');
    expect(district()[0]!.sites.length).toBeGreaterThanOrEqual(communes.length - 1);
    for (const s of communes) {
      // (jitter/RTT episodes from loopback timing noise under test load are not about the outage)
      const own = episodesAt(s.id).filter(
        (e) => !NOISE.includes(e.rule) && e.rule !== 'district-outage' && paged(e),
      );
      expect(own, s.id).toEqual([]);
    }

    // and the e-mails arrived, in Vietnamese
    await net.alerts.outbox.idle(20_000);
    const toPower = smtp.mails.filter((m) => m.to === 'truc-huyen-3@dienluc.diemcau.example');
    expect(toPower.length).toBe(1);
    expect(toPower[0]!.text).toContain('Nguyên nhân: mất điện lưới — đơn vị xử lý: Điện lực Huyện 3');
    const toViettel = smtp.mails.filter((m) => m.to === 'truc-1@viettel.diemcau.example');
    expect(toViettel.map((m) => m.subject)).toContainEqual(
      expect.stringMatching(/^\[CẢNH BÁO NGHIÊM TRỌNG\] Mất kết nối diện rộng — .*Huyện 4 \(\d+ điểm cầu\)$/),
    );

    // recovery: every fault cleared; what was hidden comes back and settles, and nobody is paged anew
    const cleared = Date.now();
    const before = new Map(net.alerts.episodes({ all: true }).map((e) => [e.id, e]));
    net.sim.faults.clearAll();
    // (the meeting's UPS-runtime episode is about the meeting, not an injected fault: it stays)
    const real = () =>
      net.alerts
        .episodes({ all: true })
        .filter((e) => !NOISE.includes(e.rule) && e.rule !== 'ups-runtime-short');
    try {
      await until(
        () =>
          real()
            .filter((e) => before.has(e.id))
            .every((e) => e.state === 'resolved'),
        90_000,
        'settled',
      );
    } catch (err) {
      console.log(
        JSON.stringify(
          real().map((e) => [e.rule, e.sites.slice(0, 2), e.state, e.members.map((m) => [m.rule, m.active])]),
        ),
      );
      throw err;
    }
    await net.alerts.outbox.idle(20_000);
    const after = real().flatMap((e) =>
      e.notifications
        .filter((n) => n.at > cleared && n.kind !== 'resolve' && n.kind !== 'digest')
        .map((n) => `${e.rule}@${e.sites[0]}: ${n.kind}`),
    );
    expect(after).toEqual([]);
    for (const e of real().filter((x) => before.has(x.id))) {
      expect(e.cause_history, e.rule).toHaveLength(1);
      expect(e.cause).toBe(before.get(e.id)!.cause);
      expect(e.owner_org).toBe(before.get(e.id)!.owner_org);
    }
  });
});

describe('more faults through the simulator, over their whole life', () => {
  /** what each person was sent about these episodes, by kind */
  const sent = (eps: Episode[]) => {
    const out: Record<string, string[]> = {};
    for (const e of eps)
      for (const n of e.notifications)
        for (const p of n.to) {
          out[p] ??= [];
          out[p].push(n.kind);
        }
    return out;
  };
  const since = (t: number) =>
    net.alerts.episodes({ all: true }).filter((e) => e.started_at >= t && !NOISE.includes(e.rule));
  // a flapping episode ends a flap hold (30 s) and a settle (33 s) after its last flap: about 63 s
  // alone, well over 90 s beside the rest of the suite on 2 cores
  const settled = (eps: () => Episode[], what: string) =>
    until(() => eps().length > 0 && eps().every((e) => e.state === 'resolved'), 150_000, what);

  it('a link down 2 s / up 2 s: one flapping episode, the carrier paged once and told once it is over', {
    timeout: 220_000,
  }, async () => {
    const inv = net.rt.inventory;
    const site = inv.inventory.sites.find(
      (s) => s.district === 'huyen-1' && s.tier === 'commune' && s.id !== 'xa-so-1',
    )!;
    const t0 = Date.now() - 1000;
    // each outage is shorter than the rule's `for` (3 s here): only the raw transitions show it
    for (let i = 0; i < 8; i++) {
      const id = net.sim.faults.inject({ kind: 'link_down', site: site.id });
      await new Promise((r) => setTimeout(r, 2000));
      net.sim.faults.clear(id);
      await new Promise((r) => setTimeout(r, 2000));
    }
    const eps = () => since(t0).filter((e) => e.sites.includes(site.id));
    await settled(eps, 'the flapping episode settled');
    expect(eps().map((e) => [e.rule, e.flapping])).toEqual([['site-unreachable', true]]);
    const carrier = inv.organisations.get(eps()[0]!.owner_org!)!;
    expect(carrier.kind).toBe('carrier');
    expect(sent(eps())[carrier.contacts[0]!]).toEqual(['alert', 'resolve']);
  });

  it("a whole district's power cut: one episode, one page to its Điện lực branch, each technician their own site", {
    timeout: 220_000,
  }, async () => {
    const inv = net.rt.inventory;
    const sites = inv.inventory.sites.filter((s) => s.district === 'huyen-2').map((s) => s.id);
    const branch = inv.districts.get('huyen-2')!.power_branch;
    const t0 = Date.now() - 1000;
    const ids = sites.map((site) => net.sim.faults.inject({ kind: 'power_cut', site, runtime_min: 90 }));
    await until(() => since(t0).some((e) => e.notifications.length > 0), 30_000, 'the power episode paged');
    await new Promise((r) => setTimeout(r, 8000));
    for (const id of ids) net.sim.faults.clear(id);
    const eps = () => since(t0).filter((e) => e.sites.some((s) => sites.includes(s)));
    await settled(eps, 'the power episode settled');
    expect(eps().map((e) => [e.rule, e.cause, e.owner_org])).toEqual([['ups-on-battery', 'power', branch]]);
    expect(eps()[0]!.sites.sort()).toEqual([...sites].sort());
    const byPerson = sent(eps());
    const duty = inv.organisations.get(branch!)!.contacts[0]!;
    expect(byPerson[duty]).toEqual(['alert', 'resolve']);
    for (const s of sites) expect(byPerson[inv.sites.get(s)!.technician!], s).toEqual(['alert', 'resolve']);
    expect(Object.keys(byPerson).filter((p) => /^(vnpt|viettel)/.test(p))).toEqual([]);
  });

  it('a call that ends early and a site that never joins are attendance, not faults; a power cut in maintenance pages nobody', {
    timeout: 150_000,
  }, async () => {
    const inv = net.rt.inventory;
    const polycom = inv.inventory.sites
      .filter((s) => s.district === 'huyen-3' && s.tier === 'commune' && s.id !== 'xa-so-3')
      .filter((s) => inv.devices.get(`${s.id}-codec`)?.profile === 'polycom-group')
      .map((s) => s.id);
    expect(polycom.length).toBeGreaterThanOrEqual(3);
    const [a, b, never] = polycom as [string, string, string];
    const t0 = Date.now() - 1000;
    net.meetings.add({
      id: 'som',
      title: 'Họp kết thúc sớm',
      start: t0,
      end: t0 + 3600_000,
      sites: [a, b, never],
    });
    net.sim.meeting.start([a, b]); // the third site never dials in
    // a maintenance window over a fourth site of the district, and its mains fail
    const quiet = inv.inventory.sites.find(
      (s) => s.district === 'huyen-3' && s.tier === 'commune' && ![a, b, never, 'xa-so-3'].includes(s.id),
    )!.id;
    net.alerts.addMaintenance(
      {
        id: 'bao-tri-thu',
        scope: { site: quiet },
        weekdays: [],
        start: '00:00',
        duration: 23 * 3600_000 + 59 * 60_000,
        comment: 'Bảo trì',
      },
      'noc',
    );
    const cut = net.sim.faults.inject({ kind: 'power_cut', site: quiet, runtime_min: 90 });
    await new Promise((r) => setTimeout(r, 12_000));
    net.sim.meeting.end(); // the call ends while the registered meeting still runs
    await new Promise((r) => setTimeout(r, 15_000));
    net.sim.faults.clear(cut);
    await new Promise((r) => setTimeout(r, 8000));
    const att = net.alerts.attendance('som');
    expect(
      att
        .filter((x) => x.event === 'left')
        .map((x) => x.site)
        .sort(),
    ).toEqual([a, b].sort());
    expect(att.filter((x) => x.event === 'not_joined').map((x) => x.site)).toEqual([never]);
    // (a UPS that cannot last the meeting is the meeting's preparation, told to its technicians)
    const eps = since(t0).filter(
      (e) => e.rule !== 'ups-runtime-short' && e.sites.some((s) => [a, b, never, quiet].includes(s)),
    );
    // nobody paged: no MCU fault, no technician, and the maintenance held the power cut back
    expect(eps.flatMap((e) => e.notifications)).toEqual([]);
    expect(eps.map((e) => [e.rule, e.suppressed_by])).toEqual([
      ['ups-on-battery', 'maintenance:bao-tri-thu'],
    ]);
    net.alerts.endMaintenance('bao-tri-thu');
  });
});
