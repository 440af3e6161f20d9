// Alerts benchmark: detection latency from fault injection to the e-mail received by a real SMTP
// server, and the engine's evaluation cost.
//  1. engine + outbox + SMTP alone: a UPS trap event published on the bus → e-mail (n = 20);
//  2. full path: a power cut injected in the simulator → UPS trap → collector → bus → rules →
//     outbox → SMTP (default rules and timings; target ≤ 3 s);
//  3. full path: a site's link cut in the simulator → RTP probe misses → `for: 30s` → e-mail
//     (collector interval 10 s; bound: one interval + 30 s + group_wait);
//  4. evaluation cost: one poll round of the 120-site Bắc Kạn network through the engine.
// Run alone: node --import tsx bench/alerts.ts
import { fileURLToPath } from 'node:url';
import { StaticMeetings, startAlerts } from '../alerts/index.ts';
import { parseDuration } from '../config/config.ts';
import { log } from '../core/log.ts';
import { Clock, Fleet, testRuntime } from '../test/helpers/alerts.ts';
import { type LoopbackNet, loopbackNet } from '../test/helpers/fleet.ts';
import { type SmtpSink, startSmtp, until } from '../test/helpers/servers.ts';
import { runScenario, SCENARIOS } from '../test/scenarios/alerts.ts';
import type { BenchOutput, Target } from './results.ts';

/** loopback base of the benchmark fleet (127.62.x.x; the alert tests use 60) */
const BASE = 62;
const INTERVAL = '10s';

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))]!;
};
const sec = (ms: number) => (ms / 1000).toFixed(ms < 100 ? 3 : 2);
const row = (what: string, xs: number[], target: string) =>
  `| ${what} | ${xs.length} | ${sec(q(xs, 0.5))} | ${sec(q(xs, 0.95))} | ${sec(Math.max(...xs))} | ${target} |`;

/**
 * Few channels are configured here: the engine's warnings about people no channel reaches would be
 * printed into the Markdown report.
 */
const quiet = <T extends { log: typeof log }>(rt: T): T => ({
  ...rt,
  log: log.child({}, { level: 'error' }),
});

async function engineOnly(smtp: SmtpSink, groupWait: string): Promise<number[]> {
  smtp.mails.length = 0;
  const rt = quiet(
    testRuntime(
      `alerts:\n  group_wait: ${groupWait}\n  outbox: { poll: 100ms }\nnotify:\n  email: { host: 127.0.0.1, port: ${smtp.port} }\n`,
    ),
  );
  const engine = await startAlerts(rt, { meetings: new StaticMeetings(), env: {} });
  const fleet = new Fleet(rt.inventory);
  const sites = rt.inventory.inventory.sites.filter((s) => s.tier === 'commune').slice(0, 20);
  const out: number[] = [];
  for (const s of sites) {
    const name = s.name.replace(/^Hội trường UBND /, '');
    const t0 = Date.now();
    rt.bus.publishEvent(fleet.trap(s.id, t0, 'upsTrapOnBattery'));
    await until(
      () =>
        smtp.mails.some((m) => m.subject.includes('UPS đang chạy pin') && m.subject.endsWith(`— ${name}`)),
      10_000,
    );
    out.push(Date.now() - t0);
  }
  await engine.stop();
  rt.state.close();
  return out;
}

async function fullPath(smtp: SmtpSink): Promise<{ power: number[]; dark: number[]; net: LoopbackNet }> {
  const net = await loopbackNet({
    sites: 60,
    base: BASE,
    smtpPort: smtp.port,
    interval: INTERVAL,
    ruleScale: 1,
    groupWait: null,
  });
  await new Promise((r) => setTimeout(r, 12_000)); // one healthy round everywhere
  const inv = net.rt.inventory;
  const communes = inv.inventory.sites.filter((s) => s.tier === 'commune');
  const label = (id: string) => inv.sites.get(id)!.name.replace(/^Hội trường UBND /, '');
  // grouped messages name several sites: "— 2 điểm cầu: xã Số 7, xã Số 9"
  const names = (subject: string) => subject.split(/ — |: |, /);
  const mailed = (id: string, title: string) => () =>
    smtp.mails.some((m) => m.subject.includes(title) && names(m.subject).includes(label(id)));
  // power cuts, one after the other, at communes of different districts
  const power: number[] = [];
  for (const s of communes.slice(0, 6)) {
    const t0 = Date.now();
    const id = net.sim.faults.inject({ kind: 'power_cut', site: s.id });
    await until(mailed(s.id, 'UPS đang chạy pin'), 30_000, `power e-mail for ${s.id}`);
    power.push(Date.now() - t0);
    net.sim.faults.clear(id);
  }
  // links cut at three communes of three different districts, at once
  const byDistrict = new Map<string, string>();
  for (const s of communes.slice(6)) if (!byDistrict.has(s.district)) byDistrict.set(s.district, s.id);
  const dark = [...byDistrict.values()].slice(0, 3);
  const t0 = Date.now();
  const ids = dark.map((site) => net.sim.faults.inject({ kind: 'link_down', site }));
  const lat: number[] = [];
  await Promise.all(
    dark.map(async (site) => {
      await until(mailed(site, 'Mất kết nối điểm cầu'), 120_000, `dark e-mail for ${site}`);
      lat.push(Date.now() - t0);
    }),
  );
  for (const id of ids) net.sim.faults.clear(id);
  return { power, dark: lat, net };
}

async function evaluationCostAsync(): Promise<{ perRoundMs: number; samples: number; sites: number }> {
  const rt = quiet(testRuntime('alerts:\n  group_wait: 1s\n'));
  const clock = new Clock(Date.UTC(2026, 10, 30, 1, 0, 0));
  const engine = await startAlerts(rt, {
    meetings: new StaticMeetings(),
    now: clock.now,
    env: {},
    tickMs: 3_600_000,
  });
  const fleet = new Fleet(rt.inventory);
  const sites = [...rt.inventory.sites.keys()];
  const rounds = 300;
  let samples = 0;
  let spent = 0;
  for (let i = 0; i < rounds; i++) {
    clock.t += 10_000;
    // a realistic mix: a few sites degraded, one dark
    const batch = sites.flatMap((s, k) =>
      fleet.healthy(
        s,
        clock.t,
        k === 7
          ? { probe: { reachable: 0 }, codec: 'down', ups: 'down' }
          : k % 20 === 3
            ? { probe: { loss_pct: 3 } }
            : {},
      ),
    );
    samples = batch.length;
    const t0 = performance.now();
    rt.bus.publish(batch);
    engine.tickNow();
    if (i >= 20) spent += performance.now() - t0;
  }
  await engine.stop();
  rt.state.close();
  return { perRoundMs: spent / (rounds - 20), samples, sites: sites.length };
}

/** The fault scenarios back to back: messages per recipient and per episode, pages at recovery. */
export async function episodesTable(
  smtp: SmtpSink,
): Promise<{ lines: string[]; worst: number; recovery: number }> {
  const out = [
    'Fault episodes over their whole life (test/scenarios/alerts.ts: the scenario suite of alerts/scenarios.test.ts, default rules, real SMTP server): e-mails each recipient received from onset through recovery and settle.',
    '',
    '| scenario | episodes | recipients | e-mails | max per recipient | max per recipient per episode | pages at recovery | cause kept |',
    '| --- | --: | --: | --: | --: | --: | --: | --- |',
  ];
  let worst = 0;
  let recovery = 0;
  for (const s of SCENARIOS) {
    const r = await runScenario(s, smtp);
    const counts = [...r.mails.values()];
    const total = counts.reduce((a, b) => a + b, 0);
    const max = Math.max(0, ...counts);
    const perEp = Math.max(
      0,
      ...r.episodes.flatMap((e) => {
        const m = new Map<string, number>();
        for (const n of e.notifications) for (const p of n.to) m.set(p, (m.get(p) ?? 0) + 1);
        return [...m.values()];
      }),
    );
    worst = Math.max(worst, perEp);
    recovery += r.pagesAtRecovery;
    const kept = r.episodes.every(
      (e) => e.cause_history.length === 1 && e.cause_history[0]!.cause === e.cause,
    );
    out.push(
      `| ${s.id} | ${r.episodes.length} | ${r.mails.size} | ${total} | ${max} | ${perEp} | ${r.pagesAtRecovery} | ${kept ? 'yes' : 'no'} |`,
    );
  }
  out.push('');
  return { lines: out, worst, recovery };
}

export async function benchAlerts(): Promise<BenchOutput> {
  const smtp = await startSmtp();
  const lines: string[] = [];
  const targets: Target[] = [];
  try {
    const episodes = await episodesTable(smtp);
    lines.push(...episodes.lines);
    const e1 = await engineOnly(smtp, '1s');
    const e0 = await engineOnly(smtp, '0s');
    const cost = await evaluationCostAsync();
    smtp.mails.length = 0;
    const { power, dark, net } = await fullPath(smtp);
    await net.stop();
    const boundDark = parseDuration(INTERVAL) + 30_000 + 1000;
    lines.push(
      'Latency from fault injection to the e-mail accepted by a real SMTP server on loopback (smtp-server), default rules and timings (group_wait 1 s).',
      '',
      '| path | n | p50 s | p95 s | max s | target |',
      '| --- | --: | --: | --: | --: | --- |',
      row('power cut → simulator UPS trap → collector → rules → outbox → SMTP', power, '≤ 3 s'),
      row(
        `site link cut → RTP probe (interval ${INTERVAL}) → \`for: 30s\` → SMTP`,
        dark,
        `≤ ${sec(boundDark)} s (interval + for + group_wait)`,
      ),
      row('trap event on the bus → engine → outbox → SMTP (group_wait 1 s)', e1, '—'),
      row('trap event on the bus → engine → outbox → SMTP (group_wait 0)', e0, '—'),
      '',
      `Evaluation cost: one poll round of the ${cost.sites}-site Bắc Kạn network (${cost.samples} samples, a few sites degraded, one dark) through rules, root cause and routing: ${cost.perRoundMs.toFixed(2)} ms (mean of 280 rounds, same process).`,
    );
    targets.push(
      {
        target: 'trap-signalled power cut e-mailed ≤ 3 s (p95)',
        measured: `${sec(q(power, 0.95))} s`,
        met: q(power, 0.95) <= 3000,
      },
      {
        target: 'dark site e-mailed within one poll interval + `for` + group_wait',
        measured: `${sec(Math.max(...dark))} s ≤ ${sec(boundDark)} s`,
        met: Math.max(...dark) <= boundDark,
      },
      {
        target: '≤ 3 messages per owner per episode, over its whole life',
        measured: `worst ${episodes.worst} (${SCENARIOS.length} scenarios)`,
        met: episodes.worst <= 3,
      },
      { target: '0 pages at recovery', measured: String(episodes.recovery), met: episodes.recovery === 0 },
    );
  } finally {
    await smtp.close();
  }
  return { markdown: lines.join('\n'), targets, complete: true };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log((await benchAlerts()).markdown);
  process.exit(0);
}
