// A site with no path probe (no RTP reflector, no ICMP: a network read through the MCU's and the
// codecs' APIs, issue 20). A silent codec used to wait for a probe that never comes ("awaiting-probe"
// forever: nobody paged, the map green). Now the site's other devices say what the probe would have:
// the UPS answering after the codec fell silent → the codec (equipment); nothing of the site answering
// → the site is dark: the carrier's link, or the mains when the UPS went on battery first. Real bus,
// real alert engine over the Bắc Kạn inventory, the three sites' probes removed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sample } from '../core/bus.ts';
import { type World, world } from '../test/helpers/world.ts';

const MIN = 60_000;
const T0 = Date.parse('2026-03-02T01:00:00Z'); // Monday 08:00 in Bắc Kạn
const SITES = ['xa-bang-thanh', 'xa-coc-dan', 'xa-trung-hoa'];
let w: World;

beforeEach(async () => {
  w = await world(T0);
  for (const id of SITES) {
    const p = w.rt.inventory.sites.get(id)!.probes as { rtp?: string; icmp?: string };
    delete p.rtp;
    delete p.icmp;
  }
  // a meeting of the three now: a silent codec is a fault, not a codec switched off after hours
  w.meetings.register(
    {
      title: 'Giao ban',
      host_org: 'vp-ubnd-tinh',
      start: T0,
      end: T0 + 120 * MIN,
      sites: SITES,
      emergency: true,
      emergency_reason: 'thử',
    },
    'u-noc',
  );
});
afterEach(() => w.stop());

/** a poll round with no probe samples */
const noProbe = (s: Sample[]) => s.filter((x) => !x.device.includes(':'));
/** the episode of the codec's silence at a site (its root or a member), as the engine keeps it */
const episodeOf = (site: string) => {
  const a = w.alerts.list({}).find((x) => x.rule === 'codec-down' && x.site === site);
  expect(a?.suppressed_by ?? '', site).not.toMatch(/^awaiting-probe/);
  return w.alerts.episodes({ site, all: true }).find((e) => e.id === a?.episode);
};

describe('a site with no path probe', () => {
  it('its codec silent while its UPS answers: the codec, paged; all silent: the carrier; on battery first: the mains', () => {
    w.drive(3 * 60, (t) => SITES.flatMap((s) => noProbe(w.fleet.healthy(s, t))));
    w.drive(3 * 60, (t) => [
      ...noProbe(w.fleet.healthy('xa-bang-thanh', t, { codec: 'down' })),
      ...noProbe(w.fleet.healthy('xa-coc-dan', t, { codec: 'down', ups: 'down' })),
      ...noProbe(
        t < T0 + 3 * MIN + 40_000
          ? w.fleet.healthy('xa-trung-hoa', t, { ups: { ups_on_battery: 1, ups_input_v: 0 } })
          : w.fleet.healthy('xa-trung-hoa', t, { codec: 'down', ups: 'down' }),
      ),
    ]);
    const codec = episodeOf('xa-bang-thanh');
    expect([codec?.cause, codec?.notified.length ? 'paged' : 'silent']).toEqual(['equipment', 'paged']);
    const dark = episodeOf('xa-coc-dan');
    expect(dark?.cause).toBe('link');
    // the site's carrier pages its on-call (xã Cốc Đán is on Viettel in the Bắc Kạn inventory)
    expect(w.rt.inventory.sites.get('xa-coc-dan')!.link.carrier).toBe('viettel');
    expect(dark?.owner_org).toMatch(/^viettel/);
    expect(dark?.reasoning).toMatch(
      /^Không thiết bị nào của điểm cầu trả lời từ .* \(điểm cầu không có đầu đo đường truyền\)/,
    );
    // named as a dark site, for the carrier's on-call, not after the codec that first showed it
    expect(dark?.title).toBe('Mất kết nối điểm cầu — Hội trường UBND xã Cốc Đán');
    expect(codec?.title).toMatch(/^Thiết bị codec không phản hồi/);
    expect(dark?.notified.length).toBeGreaterThan(0);
    expect(w.alerts.verdict('xa-coc-dan')?.state).not.toBe('ok');
    const power = episodeOf('xa-trung-hoa');
    expect(power?.cause).toBe('power');
    expect(power?.reasoning).toContain('UPS');
  });
});
