// An inventory whose MCU speaks the Pexip management API on a free loopback port (tests of the
// Pexip driver against the simulator and of the whole serve stack).
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { generateInventory, syntheticUnits } from '../../inventory/generate.ts';
import { withPexipMcu } from '../../simulator/pexip.ts';

export const PEXIP_USER = 'diemcau';
export const PEXIP_SECRETS = { DIEMCAU_PEXIP_PASSWORD: 'pexip-test-password-7' };

/** A TCP port free on the address now. */
export async function freeTcpPort(host = '127.0.0.1'): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, host, r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** Writes a synthetic inventory of `sites` sites on loopback base `base`, its MCU on the Pexip API at `port`. */
export function writePexipInventory(
  file: string,
  o: { sites: number; base: number; port: number; interval?: string; timeout?: string },
): void {
  const text = generateInventory(syntheticUnits(o.sites), { title: 'Thử Pexip', base: o.base });
  writeFileSync(
    file,
    withPexipMcu(text, {
      url: `http://127.0.0.1:${o.port}`,
      user: PEXIP_USER,
      ...(o.interval && { interval: o.interval }),
      ...(o.timeout && { timeout: o.timeout }),
    }),
  );
}
