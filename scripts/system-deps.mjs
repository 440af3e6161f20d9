#!/usr/bin/env node
// Checks that the Debian packages the tests talk to are installed; as root it installs the
// missing ones, otherwise it prints the exact apt-get line and stops.
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

const PACKAGES = {
  influxdb: '/usr/bin/influxd',
  // snmpget, snmpwalk, snmptrap, and snmptranslate (collector/mibs.test.ts resolves the profiles' OIDs)
  snmp: '/usr/bin/snmptranslate',
  snmpd: '/usr/sbin/snmpd',
  snmptrapd: '/usr/sbin/snmptrapd',
  snmpsim: '/usr/bin/snmpsimd',
  fping: '/usr/bin/fping',
  'iputils-ping': '/usr/bin/ping',
  chromium: '/usr/bin/chromium',
  // reports/documents.test.ts: the PDF read back (pdftotext) and the .docx unzipped
  'poppler-utils': '/usr/bin/pdftotext',
  unzip: '/usr/bin/unzip',
  // test/e2e/noc-view.test.ts finds the demo's process by its listening port (ss -p)
  iproute2: '/usr/bin/ss',
  // the third-party RTP reflector of collector/rtp-truth.test.ts (snmpsim pulls it in too)
  python3: '/usr/bin/python3',
  'prometheus-snmp-exporter': '/usr/bin/prometheus-snmp-exporter',
  // test/compose.test.ts: `docker-compose config` validates docker-compose.yml (no engine needed)
  'docker-compose': '/usr/bin/docker-compose',
  // bus/nats tests: a real JetStream server (nats-server -js) for the remote collectors' backbone
  'nats-server': '/usr/sbin/nats-server',
};

const missing = Object.entries(PACKAGES)
  .filter(([, bin]) => {
    try {
      accessSync(bin, constants.X_OK);
      return false;
    } catch {
      return true;
    }
  })
  .map(([pkg]) => pkg);

if (missing.length === 0) process.exit(0);
const line = `apt-get update && apt-get install -y ${missing.join(' ')}`;
if (process.getuid?.() !== 0) {
  console.error(`The tests need these Debian packages: ${missing.join(', ')}.\nRun as root:\n  ${line}`);
  process.exit(1);
}
console.error(`installing Debian packages the tests need: ${missing.join(' ')}`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
