// Runs RTP probes in a worker thread (collector/rtp-worker.ts): the probe's packets are sent and
// their answers timestamped on an event loop of their own. From a checkout the worker is the
// TypeScript file (loaded through tsx), in production `dist/rtp-worker.js` (scripts/build-server.mjs).
// Where neither can start, probes run on the calling thread, as before — and say so once.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RtpProbeOptions, RtpResult } from './rtp.ts';
import { rtpProbe } from './rtp.ts';

type Reply = { id: number; result?: RtpResult; error?: string; code?: string };

/** the worker: compiled JavaScript, or the TypeScript source behind a tsx loader registered in the thread */
function workerScript(): { code: string | URL; eval: boolean } | null {
  const here = fileURLToPath(import.meta.url);
  const dir = dirname(here);
  if (here.endsWith('.ts')) {
    const ts = join(dir, 'rtp-worker.ts');
    if (!existsSync(ts)) return null;
    const url = pathToFileURL(ts).href;
    // tsx as this checkout has it, whatever the working directory (an eval'd worker resolves from there)
    let tsx: string;
    try {
      tsx = pathToFileURL(
        createRequire(import.meta.url)
          .resolve('tsx/esm/api')
          .replace(/\.cjs$/, '.mjs'),
      ).href;
    } catch {
      return null;
    }
    return {
      code: `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url)}); });`,
      eval: true,
    };
  }
  // compiled: this code sits in dist/ or dist/chunks/
  for (const f of [join(dir, 'rtp-worker.js'), join(dir, '..', 'rtp-worker.js')])
    if (existsSync(f)) return { code: pathToFileURL(f), eval: false };
  return null;
}

export class RtpThread {
  private worker: Worker | null = null;
  private next = 1;
  private readonly waiting = new Map<
    number,
    { resolve: (r: RtpResult) => void; reject: (e: Error) => void; run: () => Promise<RtpResult> }
  >();
  /** why probes run on the calling thread (null: in the worker) */
  inline: string | null = null;

  constructor(private readonly onProblem: (message: string) => void = () => {}) {}

  private start(): Worker | null {
    if (this.worker || this.inline) return this.worker;
    const script = workerScript();
    if (!script) {
      this.inline = 'rtp-worker not found beside the collector';
      this.onProblem(this.inline);
      return null;
    }
    const w = new Worker(script.code, { eval: script.eval });
    w.unref();
    w.on('message', (m: Reply) => {
      const p = this.waiting.get(m.id);
      if (!p) return;
      this.waiting.delete(m.id);
      if (m.result) p.resolve(m.result);
      else p.reject(Object.assign(new Error(m.error ?? 'probe failed'), { code: m.code }));
    });
    w.on('error', (err) => this.fail(`RTP worker failed: ${err.message}`));
    w.on('exit', (code) => {
      if (this.worker === w) this.fail(`RTP worker exited (${code})`);
    });
    this.worker = w;
    return w;
  }

  private fail(message: string): void {
    this.worker = null;
    this.inline = message;
    // the probes it was running start again here: a broken thread is not a broken path
    const caught = [...this.waiting.values()];
    this.waiting.clear();
    for (const p of caught) p.run().then(p.resolve, p.reject);
    this.onProblem(message);
  }

  probe(host: string, port: number, opts: RtpProbeOptions): Promise<RtpResult> {
    const w = this.start();
    if (!w) return rtpProbe(host, port, opts);
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, run: () => rtpProbe(host, port, opts) });
      w.ref();
      w.postMessage({ id, host, port, opts });
    }).finally(() => {
      if (this.waiting.size === 0) w.unref();
    }) as Promise<RtpResult>;
  }

  async stop(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.inline = 'stopped';
    if (w) await w.terminate();
  }
}
