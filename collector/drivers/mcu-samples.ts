// A sample of the MCU read through a management API, shaped like the SNMP MCU's port table: device =
// the MCU, site = the site (or the MCU for its own figures), `probe: mcu`, `instance` = the site's
// mcu_port — so the live view, storage, alerts and the observed calls treat every MCU driver alike.
import type { Sample, SampleTags } from '../../core/bus.ts';
import type { MetricName } from '../../core/metrics.ts';
import type { LoadedInventory } from '../../inventory/load.ts';

/**
 * A site's figure (siteId = the site) or the MCU's own (siteId null, site = the MCU's id); `instance`
 * other than the port for a media channel's figure (rx-audio, …: the media_* metrics).
 */
export function mcuSample(
  inv: LoadedInventory,
  site: string,
  metric: MetricName,
  value: number,
  time: number,
  siteId: string | null,
  instance?: string,
): Sample {
  const s = siteId ? inv.sites.get(siteId) : undefined;
  const tags: SampleTags = s
    ? {
        tier: s.tier,
        district: s.district,
        carrier: s.link.carrier,
        probe: 'mcu',
        ...(instance !== undefined
          ? { instance }
          : s.mcu_port !== undefined && { instance: String(s.mcu_port) }),
      }
    : { tier: 'core', district: '', carrier: '' };
  return {
    time,
    site,
    device: inv.inventory.mcu.id,
    metric,
    value: Math.round(value * 1e6) / 1e6,
    tags,
  };
}
