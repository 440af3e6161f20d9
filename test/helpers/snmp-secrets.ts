// Shared by the suites that poll the simulator with Net-SNMP's command-line tools.

/** The secrets a suite passes to resolveCredentials (the inventory names them by variable). */
export interface SnmpSecrets {
  DIEMCAU_SNMP_COMMUNITY: string;
  DIEMCAU_SNMP_AUTH_KEY: string;
  DIEMCAU_SNMP_PRIV_KEY: string;
}

/**
 * Net-SNMP arguments for the inventory's two credentials: V2 (SNMPv2c with the community) and V3
 * (authPriv as the inventory's user "diemcau", SHA and AES).
 */
export function netsnmpCredentials(env: SnmpSecrets): { V2: string[]; V3: string[] } {
  return {
    V2: ['-v2c', '-c', env.DIEMCAU_SNMP_COMMUNITY],
    V3: [
      '-v3',
      '-l',
      'authPriv',
      '-u',
      'diemcau',
      '-a',
      'SHA',
      '-A',
      env.DIEMCAU_SNMP_AUTH_KEY,
      '-x',
      'AES',
      '-X',
      env.DIEMCAU_SNMP_PRIV_KEY,
    ],
  };
}
