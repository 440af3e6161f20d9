// Quality keeps its source end to end. During a meeting a site's loss comes from three places: the
// path probe (RTP), the codec's call statistics and the site's MCU port. They are kept apart in the
// API (site status, metrics series), the live stream and /metrics, and the site's headline figure
// follows the documented precedence: MCU port while in a call, else codec, else path probe. Before,
// whichever sample arrived last was "the" loss (publish rtp 0, codec 7, mcu 2: the view said 2, then
// a later rtp 0 said 0).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sample } from '../core/bus.ts';
import {
  type Client,
  clientsByRole,
  readEvents,
  type SseEvent,
  startTestApi,
  type TestEnv,
} from '../test/helpers/api.ts';
import type { LiveEvents, SiteStatus } from './contract.ts';

let env: TestEnv;
let noc: Client;
let site: string;
let other: string;

beforeAll(async () => {
  env = await startTestApi({ sites: 12, base: 50 });
  noc = (await clientsByRole(env, [...env.rt.inventory.sites.keys()].slice(0, 1))).noc;
  const withPort = [...env.rt.inventory.sites.values()].filter(
    (s) => s.mcu_port !== undefined && s.devices.some((d) => d.kind === 'codec'),
  );
  site = withPort[0]!.id;
  other = withPort[1]!.id;
});
afterAll(async () => {
  await env?.stop();
});

/** a sample as the collector publishes it: from the path probe, the codec or the MCU's port table */
function from(
  source: 'rtp' | 'codec' | 'mcu',
  siteId: string,
  metric: Sample['metric'],
  value: number,
): Sample {
  const s = env.rt.inventory.sites.get(siteId)!;
  const device =
    source === 'rtp'
      ? `${siteId}:rtp`
      : source === 'codec'
        ? s.devices.find((d) => d.kind === 'codec')!.id
        : env.rt.inventory.inventory.mcu.id;
  return {
    time: Date.now(),
    site: siteId,
    device,
    metric,
    value,
    tags: {
      tier: s.tier,
      district: s.district,
      carrier: s.link.carrier,
      probe: source,
      ...(source === 'mcu' && { instance: String(s.mcu_port) }),
    },
  };
}

/** every site's numbers of the `metrics` events, in order (each event carries a batch) */
const updatesOf = (evs: SseEvent[]) =>
  evs
    .filter((e) => e.event === 'metrics')
    .flatMap((e) => (JSON.parse(e.data) as LiveEvents['metrics']).updates);

const status = async (id: string) =>
  ((await (await noc.get(`/api/v1/sites/${id}`)).json()) as { site: SiteStatus }).site;

describe('loss from the path probe, the codec and the MCU port', () => {
  it('out of a call: the three are kept, the headline is the path probe', async () => {
    env.rt.bus.publish([from('rtp', site, 'loss_pct', 0)]);
    env.rt.bus.publish([from('codec', site, 'loss_pct', 7)]);
    env.rt.bus.publish([from('mcu', site, 'loss_pct', 2)]);
    await new Promise((r) => setTimeout(r, 20));
    const s = await status(site);
    expect(s.quality.path).toMatchObject({ loss_pct: 0, probe: 'rtp' });
    expect(s.quality.codec).toMatchObject({ loss_pct: 7 });
    expect(s.quality.mcu).toMatchObject({ loss_pct: 2 });
    // no call is up: the codec's and the MCU's figures are of the last call, not now
    expect(s.metrics.loss_pct).toBe(0);
    expect(s.sources.loss_pct).toBe('path');
  });

  it('in a call: the MCU port is the headline, whatever arrives last; the live stream says whose', async () => {
    const res = await noc.get('/api/v1/live');
    const reading = readEvents(res, (evs) => updatesOf(evs).filter((u) => u.site === site).length >= 3);
    await new Promise((r) => setTimeout(r, 50));
    env.rt.bus.publish([from('codec', site, 'in_call', 1), from('codec', site, 'loss_pct', 7)]);
    await new Promise((r) => setTimeout(r, 10));
    env.rt.bus.publish([from('mcu', site, 'loss_pct', 2), from('mcu', site, 'jitter_ms', 11)]);
    await new Promise((r) => setTimeout(r, 10));
    // the path probe reports last: it does not take over the headline
    env.rt.bus.publish([from('rtp', site, 'loss_pct', 0), from('rtp', site, 'jitter_ms', 1.5)]);
    // each site's numbers in the order they arrived, whether batched into one event or several
    const events = updatesOf(await reading).filter((m) => m.site === site);
    const last = events.at(-1)!;
    expect(last.values.loss_pct).toBe(2);
    expect(last.sources).toMatchObject({ loss_pct: 'mcu', jitter_ms: 'mcu' });
    expect(last.quality.path).toMatchObject({ loss_pct: 0, jitter_ms: 1.5, probe: 'rtp' });
    // each event carries the figures of the sources that reported, apart
    expect(events[0]!.quality.codec).toMatchObject({ loss_pct: 7 });
    expect(events[1]!.quality.mcu).toMatchObject({ loss_pct: 2, jitter_ms: 11 });
    const s = await status(site);
    expect(s.metrics).toMatchObject({ loss_pct: 2, jitter_ms: 11, in_call: 1 });
    expect(s.sources).toMatchObject({ loss_pct: 'mcu', jitter_ms: 'mcu' });
    expect(s.quality).toMatchObject({ path: { loss_pct: 0 }, codec: { loss_pct: 7 }, mcu: { loss_pct: 2 } });
  });

  it('in a call without MCU statistics: the codec is the headline', async () => {
    env.rt.bus.publish([from('rtp', other, 'loss_pct', 0.5)]);
    env.rt.bus.publish([from('codec', other, 'in_call', 1), from('codec', other, 'loss_pct', 4)]);
    await new Promise((r) => setTimeout(r, 20));
    const s = await status(other);
    expect(s.metrics.loss_pct).toBe(4);
    expect(s.sources.loss_pct).toBe('codec');
    expect(s.quality.path?.loss_pct).toBe(0.5);
  });

  it('/metrics: one series per source (source label) and which one is the headline', async () => {
    const text = await (await fetch(`${env.url}/metrics`)).text();
    const s = env.rt.inventory.sites.get(site)!;
    const labels = `site="${site}",tier="${s.tier}",district="${s.district}",carrier="${s.link.carrier}"`;
    expect(text).toContain(`diemcau_site_loss_pct{${labels},source="path"} 0`);
    expect(text).toContain(`diemcau_site_loss_pct{${labels},source="codec"} 7`);
    expect(text).toContain(`diemcau_site_loss_pct{${labels},source="mcu"} 2`);
    expect(text).toContain(`diemcau_site_headline_source{${labels},metric="loss_pct",source="mcu"} 1`);
    // names come from core/metrics.ts as they are (no renaming on the way)
    expect(text).toContain('# TYPE diemcau_site_ups_runtime_min gauge');
    expect(text).toContain('# TYPE diemcau_site_ups_battery_v gauge');
  });

  it('the stored series keep their source: /sites/{id}/metrics gives three loss series', async () => {
    await env.store.flush();
    const res = await noc.get(`/api/v1/sites/${site}/metrics?metric=loss_pct`);
    const body = (await res.json()) as {
      series: { source?: string; probe?: string; buckets: { mean: number }[] }[];
    };
    const bySource = Object.fromEntries(body.series.map((x) => [x.source, x.buckets.at(-1)!.mean]));
    expect(bySource).toEqual({ path: 0, codec: 7, mcu: 2 });
  });
});

describe('devices are recognised by kind', () => {
  it('a UPS whose id does not end in -ups still says nothing about reachability', async () => {
    const s = env.rt.inventory.sites.get(other)!;
    const ups = s.devices.find((d) => d.kind === 'ups')!;
    // rename the UPS: its kind, not its id, decides
    env.rt.inventory.devices.delete(ups.id);
    const renamed = { ...ups, id: `${other}-luu-dien` };
    env.rt.inventory.devices.set(renamed.id, renamed as never);
    env.rt.bus.publish([{ ...from('rtp', other, 'reachable', 1) }]);
    env.rt.bus.publish([
      {
        time: Date.now(),
        site: other,
        device: renamed.id,
        metric: 'reachable',
        value: 0,
        tags: { tier: s.tier, district: s.district, carrier: s.link.carrier },
      },
    ]);
    await new Promise((r) => setTimeout(r, 20));
    expect((await status(other)).metrics.reachable).toBe(1);
  });
});
