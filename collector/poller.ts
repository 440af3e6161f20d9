// The SNMP side of the collector: one session per device, polls spread over the interval,
// bounded concurrency, unreachable devices retried on a backoff capped at one interval.
import type { DeviceEvent, Sample } from '../core/bus.ts';
import type { Runtime } from '../core/runtime.ts';
import type { DeviceRef, ResolvedCredential } from '../inventory/load.ts';
import { type DeviceMemory, evaluate, siteTags } from './evaluate.ts';
import { type FetchPlan, fetchBulk, fetchClassic, planFor } from './fetch.ts';
import { describeIdentity, readIdentity } from './identity.ts';
import type { SelfMetrics } from './metrics.ts';
import type { Profile } from './profile.ts';
import { classify, SnmpClient, type SnmpError } from './snmp.ts';

export interface PollerOptions {
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  concurrency: number;
  /** identity read again after this long (also at the first answer and after a reboot) */
  identityMs: number;
}

export interface DeviceStatus {
  id: string;
  reachable: boolean;
  lastPoll: number | null;
  lastError: string | null;
}

interface DeviceRun {
  dev: DeviceRef;
  profile: Profile;
  plan: FetchPlan;
  client: SnmpClient;
  mem: DeviceMemory;
  mode: 'bulk' | 'classic';
  reachable: boolean | null;
  lastPoll: number | null;
  lastError: string | null;
  lastProblem: string | null;
  failures: number;
  /** when the identity is read next (0: at the next successful poll) */
  identityDue: number;
  /** the identity objects answered garbage (kept in lastError until they answer well) */
  identityProblem: string | null;
  timer: NodeJS.Timeout | null;
  running: Promise<void> | null;
  due: number;
}

interface Job {
  run: DeviceRun;
  due: number;
  scheduled: boolean;
  done: () => void;
}

export class Poller {
  private runs = new Map<string, DeviceRun>();
  private queue: Job[] = [];
  private active = 0;
  private stopped = false;
  /** site → latest in_call from its codec (for MCU port state when the MCU has no port table) */
  readonly inCall = new Map<string, { value: number; time: number }>();

  constructor(
    private readonly rt: Runtime,
    devices: DeviceRef[],
    profiles: Map<string, Profile>,
    credentials: Map<string, ResolvedCredential>,
    private readonly opts: PollerOptions,
    private readonly m: SelfMetrics,
  ) {
    for (const dev of devices) {
      // a device read through its management API has its own driver (collector/drivers)
      if (dev.protocol && dev.protocol !== 'snmp') continue;
      const profile = profiles.get(dev.profile);
      if (!profile) {
        rt.log.error(
          {
            device: dev.id,
            profile: dev.profile,
            known: [...profiles.keys()].filter((p) => !p.startsWith('_')),
          },
          'device names an unknown profile; it will not be polled (add collector/profiles/<name>.yaml)',
        );
        continue;
      }
      const cred = credentials.get(dev.snmp);
      if (!cred) {
        rt.log.error(
          { device: dev.id, credential: dev.snmp },
          'no resolved SNMP credential; device not polled',
        );
        continue;
      }
      this.runs.set(dev.id, {
        dev,
        profile,
        plan: this.planOf(profile),
        client: new SnmpClient(dev.address.host, dev.address.port, cred, {
          timeoutMs: dev.timeoutMs ?? opts.timeoutMs,
          retries: this.retriesOf(dev),
        }),
        mem: { counters: new Map(), uptimeTicks: null },
        mode: 'bulk',
        reachable: null,
        lastPoll: null,
        lastError: null,
        lastProblem: null,
        failures: 0,
        identityDue: 0,
        identityProblem: null,
        timer: null,
        running: null,
        due: 0,
      });
    }
  }

  /** one fetch plan per profile, shared by its devices (10,000 copies were ~4 MB of heap) */
  private readonly plans = new Map<Profile, FetchPlan>();
  private planOf(profile: Profile): FetchPlan {
    let plan = this.plans.get(profile);
    if (!plan) {
      plan = planFor(profile);
      this.plans.set(profile, plan);
    }
    return plan;
  }

  /** the inventory's per-device retries, else collector.snmp_retries */
  private retriesOf(dev: DeviceRef): number {
    return dev.retries ?? this.opts.retries;
  }

  get size(): number {
    return this.runs.size;
  }

  has(id: string): boolean {
    return this.runs.has(id);
  }

  profileOf(id: string): Profile | undefined {
    return this.runs.get(id)?.profile;
  }

  /** Spreads the first polls evenly over one interval (no thundering herd). */
  start(): void {
    const list = [...this.runs.values()];
    const now = Date.now();
    list.forEach((run, i) => {
      const offset = Math.floor((i * this.opts.intervalMs) / Math.max(1, list.length));
      this.schedule(run, now + offset);
    });
    this.updateGauge();
  }

  private schedule(run: DeviceRun, due: number): void {
    if (this.stopped) return;
    run.due = due;
    if (run.timer) clearTimeout(run.timer);
    run.timer = setTimeout(
      () => {
        run.timer = null;
        void this.enqueue(run, due, true, false);
      },
      Math.max(0, due - Date.now()),
    );
  }

  private enqueue(run: DeviceRun, due: number, scheduled: boolean, urgent: boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      const job: Job = { run, due, scheduled, done: resolve };
      if (urgent) this.queue.unshift(job);
      else this.queue.push(job);
      this.pump();
    });
  }

  private pump(): void {
    while (!this.stopped && this.active < this.opts.concurrency && this.queue.length > 0) {
      const job = this.queue.shift()!;
      const { run } = job;
      if (run.running) {
        // one poll per device at a time: run this one right after
        const prev = run.running;
        void prev.then(() => {
          if (job.scheduled) this.queue.push(job);
          else this.queue.unshift(job);
          this.pump();
        });
        continue;
      }
      this.active++;
      this.m.pollLag.observe(Math.max(0, Date.now() - job.due) / 1000);
      const p = this.poll(run)
        .catch((err) => this.rt.log.error({ err, device: run.dev.id }, 'poll failed unexpectedly'))
        .finally(() => {
          run.running = null;
          this.active--;
          if (job.scheduled) this.reschedule(run, job.due);
          job.done();
          this.pump();
        });
      run.running = p;
    }
    if (this.stopped) for (const job of this.queue.splice(0)) job.done();
  }

  private reschedule(run: DeviceRun, due: number): void {
    const now = Date.now();
    const I = this.opts.intervalMs;
    if (run.reachable === false) {
      // backoff after failures, never longer than one interval
      const delay = Math.min(I, (I / 4) * 2 ** Math.max(0, run.failures - 1));
      this.schedule(run, now + delay);
      return;
    }
    let next = due + I;
    while (next <= now) next += I;
    this.schedule(run, next);
  }

  pollNow(id: string): Promise<void> {
    const run = this.runs.get(id);
    if (!run) return Promise.reject(new Error(`unknown device "${id}"`));
    return this.enqueue(run, Date.now(), false, true);
  }

  private async poll(run: DeviceRun): Promise<void> {
    const started = performance.now();
    const { dev } = run;
    const now = Date.now();
    let outcome = 'ok';
    const samples: Sample[] = [];
    try {
      let got: Awaited<ReturnType<typeof fetchBulk>>;
      // a socket made between `sent` and the request would bias the time of the counters' read
      run.client.prepare();
      const sent = Date.now();
      if (run.mode === 'bulk') {
        try {
          got = await fetchBulk(run.client, run.plan);
        } catch (err) {
          const e = classify(err);
          if (e.kind !== 'snmp_error') throw e;
          // the agent refuses GETBULK (or the combined request): fall back for good
          this.rt.log.warn({ device: dev.id, err: e.message }, 'GETBULK refused; using GET and walks');
          run.mode = 'classic';
          got = await fetchClassic(run.client, run.plan);
        }
      } else got = await fetchClassic(run.client, run.plan);
      // the agent read its counters somewhere between request and answer: take the middle
      const t = got.requests <= 1 ? Math.round((sent + Date.now()) / 2) : Date.now();
      this.m.values.inc(got.values);
      this.m.requests.inc(got.requests);
      const ev = evaluate(dev, run.profile, got, run.mem, t, this.rt.inventory);
      samples.push(...ev.samples);
      samples.push(this.sample(dev, 'snmp_up', 1, t));
      run.lastPoll = t;
      run.failures = 0;
      if (run.reachable === false) {
        this.event(
          dev,
          'reachable',
          'snmp_reachable',
          'Thiết bị trả lời SNMP trở lại / answering SNMP again',
        );
        run.client.setRetries(this.retriesOf(dev));
      }
      if (run.reachable !== true) {
        run.reachable = true;
        this.updateGauge();
      }
      run.lastError = null;
      if (ev.rebooted) {
        this.event(dev, 'reboot', 'reboot', 'Thiết bị vừa khởi động lại (sysUpTime giảm) / device rebooted');
      }
      if (ev.problems.length > 0) {
        outcome = 'partial';
        for (const p of ev.problems) this.m.errors.inc({ device: dev.id, kind: p.kind });
        const text = ev.problems.map((p) => p.message).join('; ');
        run.lastError = text;
        if (text !== run.lastProblem) {
          this.event(dev, 'bad_response', 'wrong_type', text);
        }
      }
      run.lastProblem = ev.problems.length > 0 ? run.lastError : null;
      if (ev.rebooted || Date.now() >= run.identityDue) await this.identity(run);
      if (run.identityProblem)
        run.lastError = [run.lastError, run.identityProblem].filter(Boolean).join('; ');
      if (dev.kind === 'codec' && dev.site) {
        const ic = ev.samples.find((s) => s.metric === 'in_call');
        if (ic) this.inCall.set(dev.site.id, { value: ic.value, time: t });
      }
      if (ev.portsMissing) samples.push(...this.derivedPorts(dev, t));
    } catch (err) {
      const e: SnmpError = classify(err);
      outcome = e.kind;
      this.m.errors.inc({ device: dev.id, kind: e.kind });
      if (e.kind === 'timeout') this.m.timeouts.inc({ device: dev.id });
      run.lastError = e.message;
      run.lastPoll = now;
      run.failures++;
      samples.push(this.sample(dev, 'snmp_up', 0, Date.now()));
      if (run.reachable !== false) {
        this.event(dev, 'unreachable', e.kind === 'timeout' ? 'snmp_timeout' : `snmp_${e.kind}`, e.message);
        run.reachable = false;
        this.updateGauge();
      }
      // a fresh socket (and SNMPv3 engine discovery) for the next try; no retries while down
      run.client.reset(e.kind === 'timeout' ? 0 : this.retriesOf(dev));
    } finally {
      run.client.idle();
      this.m.pollDuration.observe({ kind: dev.kind, outcome }, (performance.now() - started) / 1000);
    }
    if (!this.stopped) {
      this.m.samples.inc(samples.length);
      this.rt.bus.publish(samples);
    }
  }

  /**
   * Reads the device's identity and publishes it ('identity' event). Garbage values mark the device
   * (bad_response, once per distinct problem); a failed request is retried at the next poll.
   */
  private async identity(run: DeviceRun): Promise<void> {
    const { dev } = run;
    try {
      const got = await readIdentity(run.client, run.profile.identity);
      run.identityDue = Date.now() + this.opts.identityMs;
      const problem =
        got.problems.length > 0
          ? `Thông tin nhận dạng không hợp lệ / garbage identity: ${got.problems.join('; ')}`
          : null;
      if (problem && problem !== run.identityProblem) {
        this.m.errors.inc({ device: dev.id, kind: 'bad_response' });
        this.event(dev, 'bad_response', 'identity_garbage', problem);
      }
      run.identityProblem = problem;
      if (Object.keys(got.identity).length > 0 || !problem)
        this.event(dev, 'identity', 'identity', describeIdentity(got.identity), {
          ...got.identity,
          garbage: problem !== null,
        });
    } catch (err) {
      const e = classify(err);
      this.rt.log.warn({ device: dev.id, err: e.message }, 'identity read failed; retried at the next poll');
    }
  }

  /** Reads the identity at the device's next poll, now. */
  identityNow(id: string): Promise<void> {
    const run = this.runs.get(id);
    if (!run) return Promise.reject(new Error(`unknown device "${id}"`));
    run.identityDue = 0;
    return this.pollNow(id);
  }

  /** MCU port state from each mapped site's codec call state (no port table on this MCU). */
  private derivedPorts(mcu: DeviceRef, t: number): Sample[] {
    const out: Sample[] = [];
    for (const [port, siteId] of this.rt.inventory.mcuPorts) {
      const s = this.rt.inventory.sites.get(siteId);
      const ic = this.inCall.get(siteId);
      if (!s || !ic || t - ic.time > 3 * this.opts.intervalMs) continue;
      out.push({
        time: t,
        site: siteId,
        device: mcu.id,
        metric: 'mcu_port_up',
        value: ic.value,
        tags: {
          tier: s.tier,
          district: s.district,
          carrier: s.link.carrier,
          probe: 'derived',
          instance: String(port),
        },
      });
    }
    return out;
  }

  sample(dev: DeviceRef, metric: Sample['metric'], value: number, time: number): Sample {
    return { time, site: dev.site?.id ?? dev.id, device: dev.id, metric, value, tags: siteTags(dev) };
  }

  event(
    dev: DeviceRef,
    kind: DeviceEvent['kind'],
    name: string,
    detail: string,
    data?: DeviceEvent['data'],
  ): void {
    if (this.stopped) return;
    this.rt.bus.publishEvent({
      time: Date.now(),
      kind,
      site: dev.site?.id ?? dev.id,
      device: dev.id,
      name,
      detail,
      ...(data && { data }),
    });
  }

  /** counts every device: called when one changes state, not on every poll */
  private updateGauge(): void {
    let up = 0;
    let down = 0;
    let unknown = 0;
    for (const r of this.runs.values()) {
      if (r.reachable === true) up++;
      else if (r.reachable === false) down++;
      else unknown++;
    }
    this.m.devices.set({ state: 'reachable' }, up);
    this.m.devices.set({ state: 'unreachable' }, down);
    this.m.devices.set({ state: 'unknown' }, unknown);
  }

  status(): DeviceStatus[] {
    return [...this.runs.values()].map((r) => ({
      id: r.dev.id,
      reachable: r.reachable === true,
      lastPoll: r.lastPoll,
      lastError: r.lastError,
    }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const r of this.runs.values()) if (r.timer) clearTimeout(r.timer);
    for (const job of this.queue.splice(0)) job.done();
    const running = [...this.runs.values()].map((r) => r.running).filter((p): p is Promise<void> => !!p);
    await Promise.race([Promise.allSettled(running), new Promise((r) => setTimeout(r, 3000).unref())]);
    for (const r of this.runs.values()) r.client.close();
  }
}
