// diemcau reflector: the small responder for the collector's RTP/UDP jitter probe, for a site
// that has no other. It sends every datagram back to its sender unchanged.
//   diemcau reflector [--listen 0.0.0.0:5004]
import { parseArgs } from 'node:util';
import { startReflector } from '../collector/rtp.ts';
import { log } from '../core/log.ts';
import { formatAddress, parseAddress } from '../inventory/load.ts';

const HELP = `diemcau reflector — phản hồi gói đo RTP/UDP của bộ thu thập tại điểm cầu
Answer the collector's RTP/UDP jitter probe at a site.

  --listen ADDR:PORT   where to listen (default 0.0.0.0:5004); open this UDP port to the NOC only
`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      listen: { type: 'string', short: 'l', default: '0.0.0.0:5004' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const { host, port } = parseAddress(values.listen!, 5004);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    process.stderr.write(`diemcau reflector: cổng không hợp lệ / invalid port in "${values.listen}"\n`);
    return 2;
  }
  let r: Awaited<ReturnType<typeof startReflector>>;
  try {
    r = await startReflector(host, port);
  } catch (err) {
    process.stderr.write(
      `diemcau reflector: không mở được ${values.listen} / cannot listen on ${values.listen}: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    return 1;
  }
  const where = formatAddress(r.address);
  log.info({ listen: where }, 'reflector listening');
  process.stderr.write(`diemcau reflector: đang phản hồi tại / echoing on udp ${where}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log.info({ packets: r.packets() }, 'reflector stopped');
  await r.close();
  return 0;
}
