// npm `ping` (0.4) ships no types; the collector uses only promise.probe.
declare module 'ping' {
  interface ProbeResult {
    alive: boolean;
    output: string;
    avg: string;
    packetLoss: string;
  }
  const ping: { promise: { probe(host: string, opts: object): Promise<ProbeResult> } };
  export default ping;
}
