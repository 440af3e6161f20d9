// The RTP probe's own thread: sends and timestamps the probe's packets on an event loop that does
// nothing else, so a collector busy with SNMP polls (or a burst of bus subscribers) does not delay
// the receive timestamps and read as path jitter. Started by collector/rtp-thread.ts.
import { parentPort } from 'node:worker_threads';
import { type RtpProbeOptions, rtpProbe } from './rtp.ts';

export interface ProbeRequest {
  id: number;
  host: string;
  port: number;
  opts: RtpProbeOptions;
}

parentPort?.on('message', (m: ProbeRequest) => {
  rtpProbe(m.host, m.port, m.opts).then(
    (result) => parentPort!.postMessage({ id: m.id, result }),
    (err: unknown) =>
      parentPort!.postMessage({
        id: m.id,
        error: err instanceof Error ? err.message : String(err),
        code: (err as NodeJS.ErrnoException)?.code,
      }),
  );
});
