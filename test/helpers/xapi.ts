// Codecs on the Cisco xAPI in a synthetic inventory (tests of the xAPI driver against the simulator
// and of the collector's wiring): the user, the password's environment, an inventory writer.
import { writeFileSync } from 'node:fs';
import { generateInventory, syntheticUnits } from '../../inventory/generate.ts';
import { withXapiCodecs } from '../../simulator/xapi.ts';

export const XAPI_USER = 'diemcau';
export const XAPI_SECRETS = { DIEMCAU_XAPI_PASSWORD: 'xapi-test-password-3' };

/**
 * Writes a synthetic inventory of `sites` sites on loopback base `base`, its codecs (or those of
 * `only`) on the xAPI at `port`. `shift` moves the sites' third octet (127.base.i+shift.x) and the MCU
 * just past them (127.base.shift+sites.1), so suites on one base do not share an address.
 */
export function writeXapiInventory(
  file: string,
  o: {
    sites: number;
    base: number;
    port: number;
    interval?: string;
    timeout?: string;
    only?: string[];
    shift?: number;
  },
): void {
  let text = generateInventory(syntheticUnits(o.sites), { title: 'Thử xAPI', base: o.base });
  if (o.shift) {
    const re = new RegExp(`127\\.${o.base}\\.(\\d+)\\.`, 'g');
    const last = Math.max(...[...text.matchAll(re)].map((m) => Number(m[1])).filter((n) => n < 250));
    // the MCU (127.base.255.1) moves just past the shifted sites
    text = text.replace(
      re,
      (_m, n: string) => `127.${o.base}.${Number(n) >= 250 ? last + 1 + o.shift! : Number(n) + o.shift!}.`,
    );
  }
  writeFileSync(
    file,
    withXapiCodecs(text, {
      port: o.port,
      user: XAPI_USER,
      ...(o.interval && { interval: o.interval }),
      ...(o.timeout && { timeout: o.timeout }),
      ...(o.only && { sites: o.only }),
    }),
  );
}
