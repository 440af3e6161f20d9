// Starts a real InfluxDB 1.x (`influxd`, Debian package `influxdb`) for a test: free loopback ports
// (HTTP and the RPC/backup bind-address), a temporary directory for meta/data/wal, reporting off,
// no other listeners. `stop()` kills it and removes the directory; `restart()` keeps the data.
//
//   const influx = await startInfluxd();      // { url: 'http://127.0.0.1:PORT', … }
//   afterAll(() => influx.stop());
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Influxd {
  url: string;
  /** temporary directory holding influxd.conf, meta/, data/, wal/ and influxd.log */
  dir: string;
  /** the running process id, or null while stopped */
  pid(): number | null;
  /** stops influxd (SIGTERM, then SIGKILL) without deleting its data */
  kill(): Promise<void>;
  /** starts it again (after kill) on the same port with the same data */
  start(): Promise<void>;
  /** kill then start */
  restart(): Promise<void>;
  /** kill and delete the temporary directory */
  stop(): Promise<void>;
}

export interface InfluxdOptions {
  binary?: string;
  /** how often continuous queries are checked; default 1s */
  cqRunInterval?: string;
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const live = new Set<ChildProcess>();
let exitHook = false;

export async function startInfluxd(opts: InfluxdOptions = {}): Promise<Influxd> {
  const binary = opts.binary ?? process.env.INFLUXD ?? '/usr/bin/influxd';
  const dir = mkdtempSync(join(tmpdir(), 'diemcau-influxd-'));
  const httpPort = await freePort();
  const rpcPort = await freePort();
  const conf = join(dir, 'influxd.conf');
  writeFileSync(
    conf,
    `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"

[meta]
  dir = "${join(dir, 'meta')}"

[data]
  dir = "${join(dir, 'data')}"
  wal-dir = "${join(dir, 'wal')}"
  query-log-enabled = false

[coordinator]
  max-select-point = 0
  max-select-series = 0

[retention]
  enabled = true

[monitor]
  store-enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:${httpPort}"
  auth-enabled = false
  log-enabled = false
  max-row-limit = 0

[continuous_queries]
  enabled = true
  log-enabled = true
  run-interval = "${opts.cqRunInterval ?? '1s'}"
`,
  );
  const url = `http://127.0.0.1:${httpPort}`;
  let child: ChildProcess | null = null;

  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }

  const start = async () => {
    if (child) return;
    const logFile = join(dir, 'influxd.log');
    const fd = openSync(logFile, 'a');
    const c = spawn(binary, ['run', '-config', conf], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child = c;
    live.add(c);
    let exited = false;
    c.once('exit', () => {
      exited = true;
      live.delete(c);
      if (child === c) child = null;
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (exited) {
        throw new Error(`influxd exited at start; log:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
      }
      try {
        const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) });
        if (res.status === 204) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        c.kill('SIGKILL');
        throw new Error(`influxd did not answer /ping on ${url} within 30 s (log: ${logFile})`);
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
    restart: async () => {
      await kill();
      await start();
    },
    stop: async () => {
      await kill();
      if (!process.env.KEEP_INFLUXD) rmSync(dir, { recursive: true, force: true });
    },
  };
}
