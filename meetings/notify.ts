// Readiness results to people (Điều 7, 13.4.b): after each test run the host office, the NOC and the
// technician of every site that is not ready get one message through the alert engine's durable outbox.
import type { Outbox, OutboxItem } from '../alerts/outbox.ts';
import type { Logger } from '../core/log.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import type { ReadinessRun } from './readiness.ts';
import type { Meeting } from './store.ts';
import { viDateTime } from './time.ts';

const SLOT_VI: Record<string, [string, string]> = {
  'T-12h': ['trước 1/2 ngày', 'half a day before'],
  'T-1h': ['trước 01 giờ', 'one hour before'],
  manual: ['theo yêu cầu', 'on demand'],
};

export function readinessMessage(
  run: ReadinessRun,
  m: Meeting,
  inv: LoadedInventory,
): { subject: string; text: string; short: string } {
  const [vi, en] = SLOT_VI[run.slot]!;
  const bad = run.results.filter((r) => r.status === 'not_ready');
  const name = (id: string) => inv.sites.get(id)?.name ?? id;
  const subject = `[diemcau] Vận hành thử ${vi}: ${run.ready}/${run.total} điểm cầu sẵn sàng — ${m.title}`;
  const lines = [
    `Cuộc họp: ${m.title}`,
    `Thời gian: ${viDateTime(m.start)} – ${viDateTime(m.end)}`,
    `Vận hành thử ${vi} (Điều 7.1.b) lúc ${viDateTime(run.at)}: ${run.ready}/${run.total} điểm cầu sẵn sàng.`,
    '',
    ...(bad.length
      ? [
          'Điểm cầu chưa sẵn sàng:',
          ...bad.map((r) => `- ${name(r.site)}: ${r.reasons.map((x) => x.vi).join('; ')}`),
        ]
      : ['Tất cả điểm cầu đã sẵn sàng.']),
    '',
    '---',
    `Readiness test run ${en} for "${m.title}": ${run.ready}/${run.total} sites ready.`,
    ...bad.map((r) => `- ${r.site}: ${r.reasons.map((x) => x.en).join('; ')}`),
  ];
  const short = `Van hanh thu ${run.slot}: ${run.ready}/${run.total} san sang — ${m.title}`.slice(0, 160);
  return { subject, text: lines.join('\n'), short };
}

/** Host office and NOC contacts of a meeting: who hears about it. */
export function meetingAudience(inv: LoadedInventory, m: Meeting): Set<string> {
  const people = new Set<string>();
  for (const org of [m.host_org, inv.inventory.network.noc]) {
    for (const p of inv.organisations.get(org)?.contacts ?? []) people.add(p);
  }
  return people;
}

/**
 * One message to each person on every channel they have, plus the webhook (unless `webhook: false`),
 * through the durable outbox; `key` makes each delivery idempotent. Returns how many were queued.
 */
export function enqueueForPeople(
  outbox: Outbox,
  inv: LoadedInventory,
  people: Iterable<string>,
  key: string,
  msg: { subject: string; body: string; short: string; payload: Record<string, unknown> },
  opts: { webhook?: boolean } = {},
): number {
  const base = { alertId: null, kind: 'digest' as const, ...msg };
  const items: OutboxItem[] = [];
  for (const pid of people) {
    const person = inv.people.get(pid);
    if (!person) continue;
    for (const ch of ['email', 'telegram', 'zalo', 'sms'] as const) {
      const addr = outbox.notifier(ch)?.address(person);
      if (addr)
        items.push({ ...base, key: `${key}/${ch}/${pid}`, channel: ch, recipient: addr, person: pid });
    }
  }
  if (opts.webhook !== false && outbox.has('webhook'))
    items.push({ ...base, key: `${key}/webhook`, channel: 'webhook', recipient: 'webhook', person: null });
  return outbox.enqueue(items);
}

/** An `onRun` for startReadiness: one message per run to the host office, the NOC and the technicians of sites not ready. */
export function notifyReadiness(
  outbox: Outbox,
  inv: LoadedInventory,
  log?: Logger,
): (run: ReadinessRun, m: Meeting) => void {
  return (run, m) => {
    const people = meetingAudience(inv, m);
    for (const r of run.results) {
      if (r.status !== 'not_ready') continue;
      const tech = inv.sites.get(r.site)?.technician;
      if (tech) people.add(tech);
    }
    const msg = readinessMessage(run, m, inv);
    const n = enqueueForPeople(outbox, inv, people, `readiness/${m.id}/${run.id}`, {
      subject: msg.subject,
      body: msg.text,
      short: msg.short,
      payload: { readiness: run, meeting: m.id },
    });
    log?.info({ meeting: m.id, run: run.id, messages: n }, 'readiness result queued for delivery');
  };
}
