// An inventory whose MCU speaks the Cisco TelePresence XML-RPC API on a loopback port (tests of the
// Cisco driver against the simulator).
import { writeFileSync } from 'node:fs';
import { generateInventory, RTP_PORT, SNMP_PORT, syntheticUnits } from '../../inventory/generate.ts';
import { withPexipMcu } from '../../simulator/pexip.ts';

export const CISCO_USER = 'diemcau';
export const CISCO_PASSWORD_ENV = 'DIEMCAU_TPS_PASSWORD';
export const CISCO_SECRETS = { [CISCO_PASSWORD_ENV]: 'tps-test-password-3' };

/**
 * Writes a synthetic inventory of `sites` sites on loopback base `base`, its MCU on the XML-RPC API at
 * `host:port` (default host: the MCU's own address in that base, 127.<base>.255.1).
 */
export function writeCiscoInventory(
  file: string,
  o: {
    sites: number;
    base: number;
    port: number;
    host?: string;
    protocol?: 'cisco-tps-xmlrpc' | 'cisco-mcu-xmlrpc';
    interval?: string;
    timeout?: string;
    /** the agents' SNMP and the reflectors' RTP port, so that two suites can share a loopback base */
    ports?: { snmp: number; rtp: number };
  },
): void {
  let text = generateInventory(syntheticUnits(o.sites), { title: 'Thử Cisco TelePresence', base: o.base });
  if (o.ports)
    text = text
      .replaceAll(`:${SNMP_PORT}"`, `:${o.ports.snmp}"`)
      .replaceAll(`:${RTP_PORT}"`, `:${o.ports.rtp}"`);
  writeFileSync(
    file,
    withPexipMcu(text, {
      url: `http://${o.host ?? `127.${o.base}.255.1`}:${o.port}`,
      user: CISCO_USER,
      protocol: o.protocol ?? 'cisco-tps-xmlrpc',
      passwordEnv: CISCO_PASSWORD_ENV,
      ...(o.interval && { interval: o.interval }),
      ...(o.timeout && { timeout: o.timeout }),
    }),
  );
}
