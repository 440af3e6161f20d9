// Starts a real NATS server with JetStream (`nats-server -js`, Debian package `nats-server`) for a
// test: a free loopback port for clients and one for its monitoring endpoint (/healthz tells when
// JetStream is ready), a temporary store directory. `kill()` stops it and keeps the store, `start()`
// brings it back on the same port with the same store, `stop()` kills it and removes the directory.
//
//   const nats = await startNatsServer();     // { url: 'nats://127.0.0.1:PORT', … }
//   afterAll(() => nats.stop());
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './influxd.ts';

export interface NatsServer {
  url: string;
  /** temporary directory: jetstream/ (the store) and nats.log */
  dir: string;
  pid(): number | null;
  /** stops the server (SIGTERM, then SIGKILL), keeping its store */
  kill(): Promise<void>;
  /** starts it again on the same port with the same store */
  start(): Promise<void>;
  /** kill and delete the directory */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHook = false;

export async function startNatsServer(
  binary = process.env.NATS_SERVER ?? '/usr/sbin/nats-server',
  /** the loopback address it listens on (a suite's own 127.N.x.x), default 127.0.0.1 */
  host = '127.0.0.1',
): Promise<NatsServer> {
  const dir = mkdtempSync(join(tmpdir(), 'diemcau-nats-'));
  const port = await freePort(host);
  const monitor = await freePort(host);
  const url = `nats://${host}:${port}`;
  const logFile = join(dir, 'nats.log');
  let child: ChildProcess | null = null;
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }

  const start = async () => {
    if (child) return;
    const fd = openSync(logFile, 'a');
    const c = spawn(
      binary,
      ['-js', '-a', host, '-p', String(port), '-m', String(monitor), '-sd', join(dir, 'jetstream')],
      { stdio: ['ignore', fd, fd] },
    );
    closeSync(fd);
    child = c;
    live.add(c);
    let exited = false;
    c.once('exit', () => {
      exited = true;
      live.delete(c);
      if (child === c) child = null;
    });
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (exited)
        throw new Error(`nats-server exited at start; log:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
      try {
        const res = await fetch(`http://${host}:${monitor}/healthz`, { signal: AbortSignal.timeout(1000) });
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        c.kill('SIGKILL');
        throw new Error(
          `nats-server did not report healthy on port ${monitor} within 20 s (log: ${logFile})`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const kill = async () => {
    const c = child;
    if (!c) return;
    const gone = new Promise<void>((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) resolve();
      else c.once('exit', () => resolve());
    });
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(t);
    child = null;
  };

  await start();
  return {
    url,
    dir,
    pid: () => child?.pid ?? null,
    kill,
    start,
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
