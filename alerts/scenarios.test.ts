// A fault's whole life, for each of the ordinary faults of the network: who is paged and who is
// not, how many messages each recipient gets from onset through recovery (a real SMTP server
// counts them), no new page after the fault clears, and the same cause and owner at resolve as
// at onset. The scenarios live in test/scenarios/alerts.ts (the benchmark runs the same set).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SmtpSink, startSmtp } from '../test/helpers/servers.ts';
import { runScenario, SCENARIOS } from '../test/scenarios/alerts.ts';

let smtp: SmtpSink;
beforeAll(async () => {
  smtp = await startSmtp();
});
afterAll(async () => {
  await smtp?.close();
});

describe('fault episodes over their whole life', () => {
  for (const s of SCENARIOS)
    it(s.title, async () => {
      const out = await runScenario(s, smtp);
      const got = Object.fromEntries([...out.mails.entries()].sort());
      const detail = JSON.stringify(
        {
          mails: got,
          subjects: Object.fromEntries(out.subjects),
          episodes: out.episodes.map((e) => [
            e.rule,
            e.state,
            e.cause,
            e.owner_org,
            e.sites.length,
            e.notifications.map((n) => `${n.kind}:${n.to.length}`),
          ]),
        },
        null,
        1,
      );
      for (const [who, n] of Object.entries(s.expect.messages))
        expect(out.mails.get(who) ?? 0, `${who}\n${detail}`).toBe(n);
      for (const pattern of s.expect.silent) {
        const match = (p: string) =>
          pattern.endsWith('*') ? p.startsWith(pattern.slice(0, -1)) : p === pattern;
        expect([...out.mails.keys()].filter(match), `silent ${pattern}\n${detail}`).toEqual([]);
      }
      // every recipient: at most page + one escalation + resolve
      for (const [who, n] of out.mails) expect(n, `${who}\n${detail}`).toBeLessThanOrEqual(3);
      expect(out.pagesAtRecovery, detail).toBe(0);
      expect(out.outboxEmails).toBe(smtp.mails.length);
      if (s.expect.episodes !== undefined) expect(out.episodes.length, detail).toBe(s.expect.episodes);
      if (s.expect.sites !== undefined) expect(out.episodes[0]!.sites, detail).toHaveLength(s.expect.sites);
      for (const e of out.episodes) {
        expect(e.state, detail).toBe('resolved');
        // the cause and owner decided at onset are the ones at resolve
        expect(e.cause_history, detail).toHaveLength(1);
        expect(e.cause_history[0]!.cause).toBe(e.cause);
        expect(e.cause_history[0]!.owner_org).toBe(e.owner_org);
        if (s.expect.cause && e.notified.some((p) => !p.startsWith('noc')))
          expect(e.cause, detail).toBe(s.expect.cause);
      }
      for (const [event, n] of Object.entries(s.expect.attendance ?? {}))
        expect(out.attendance[event] ?? 0, `${event} ${JSON.stringify(out.attendance)}`).toBe(n);
    });
});
