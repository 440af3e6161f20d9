// The drivers of the site devices whose inventory entry names a management API instead of SNMP
// (codecs on protocol cisco-xapi); the collector runs each with a DriverRunner (run.ts).
import { readFileSync } from 'node:fs';
import { type DeviceRef, type LoadedInventory, resolveDevicePassword } from '../../inventory/load.ts';
import { SourceErrors } from '../../inventory/source.ts';
import { JsonClient } from './http.ts';
import type { Driver } from './types.ts';
import { XapiDriver } from './xapi.ts';

export interface DeviceDriver {
  driver: Driver;
  /** the device's own interval (inventory `interval`), else the collector's */
  intervalMs: number | undefined;
}

/**
 * One driver per device given (a shard's) that names a management API. Passwords and CA files are
 * read now: one that does not resolve stops the start with the inventory's FILE:LINE.
 */
export function deviceDrivers(
  inv: LoadedInventory,
  devices: Iterable<DeviceRef>,
  env: NodeJS.ProcessEnv = process.env,
): DeviceDriver[] {
  const out: DeviceDriver[] = [];
  for (const dev of devices) {
    const api = inv.deviceApis.get(dev.id);
    if (!api) continue;
    let ca: Buffer | undefined;
    if (api.caFile) {
      try {
        ca = readFileSync(api.caFile);
        if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no PEM certificate in it');
      } catch (err) {
        for (const d of out) d.driver.close();
        throw new SourceErrors([
          inv.source.error(
            [...api.path, 'ca_file'],
            `device "${dev.id}": ca_file ${api.caFile}: ${(err as Error).message}`,
          ),
        ]);
      }
    }
    let password: string;
    try {
      password = resolveDevicePassword(inv, dev.id, env);
    } catch (err) {
      for (const d of out) d.driver.close();
      throw err;
    }
    const client = new JsonClient({
      url: api.url,
      user: api.user,
      password,
      timeoutMs: api.timeoutMs ?? 5000,
      credentialsField: `thiết bị / device ${dev.id}: credentials`,
      caField: `thiết bị / device ${dev.id}: ca_file`,
      pinField: `thiết bị / device ${dev.id}: pin_sha256`,
      ...(ca && { ca }),
      ...(api.pinSha256 && { pinSha256: api.pinSha256 }),
    });
    out.push({ driver: new XapiDriver(dev, client), intervalMs: api.intervalMs });
  }
  return out;
}
