// A TCP relay on a free loopback port (127.0.0.1 unless told) to an upstream server, for tests that
// need a link that stalls:
// `hold()` keeps what the server sends (buffered, in order) from the client until `release()`, while
// the client's bytes still reach the server — a published message is stored, its acknowledgement late.
import { createServer, type Socket, connect as tcpConnect } from 'node:net';

export interface TcpProxy {
  port: number;
  hold(): void;
  release(): void;
  stop(): Promise<void>;
}

export async function startTcpProxy(
  upstream: { host: string; port: number },
  /** the loopback address it listens on (a suite's own 127.N.x.x), default 127.0.0.1 */
  listen = '127.0.0.1',
): Promise<TcpProxy> {
  let held = false;
  const pairs = new Set<{ client: Socket; server: Socket; queue: Buffer[] }>();
  const srv = createServer((client) => {
    const server = tcpConnect(upstream.port, upstream.host);
    const pair = { client, server, queue: [] as Buffer[] };
    pairs.add(pair);
    client.on('data', (b) => server.write(b));
    server.on('data', (b) => {
      if (held) pair.queue.push(b);
      else client.write(b);
    });
    const close = () => {
      pairs.delete(pair);
      client.destroy();
      server.destroy();
    };
    client.on('close', close);
    server.on('close', close);
    client.on('error', close);
    server.on('error', close);
  });
  await new Promise<void>((r) => srv.listen(0, listen, () => r()));
  const port = (srv.address() as { port: number }).port;
  return {
    port,
    hold: () => {
      held = true;
    },
    release: () => {
      held = false;
      for (const p of pairs) for (const b of p.queue.splice(0)) p.client.write(b);
    },
    stop: async () => {
      for (const p of pairs) {
        p.client.destroy();
        p.server.destroy();
      }
      await new Promise<void>((r) => srv.close(() => r()));
    },
  };
}
