// Paging: who is told what about an episode, and when. Pages wait `group_wait` so that what is due
// together goes out together; every person gets one message per kind per moment listing their
// episodes (a technician only their own sites). Escalation and reminders go to the current owner
// and the NOC only; acknowledging the episode stops both. Messages go to the durable outbox, one
// row per person and channel (notifiers are looped over: whichever channels are configured).
import type { Cause } from '../api/contract.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import { onDuty, orgTechnicians, ROSTER_KINDS } from '../people/roster.ts';
import type { StateDb } from '../storage/state-db.ts';
import type { EngineOptions } from './engine.ts';
import type { Ep } from './episode.ts';
import { SEVERITY_RANK } from './evaluate.ts';
import { time } from './format.ts';
import { type EpisodeView, render, renderDigest } from './messages.ts';
import { CHANNELS, type MessageKind } from './notify/types.ts';
import type { Outbox, OutboxItem } from './outbox.ts';

export interface PagerOptions
  extends Pick<
    EngineOptions,
    | 'groupWaitMs'
    | 'digestIntervalMs'
    | 'escalateAfterMs'
    | 'escalateAfterInMeetingMs'
    | 'renotifyInMeetingMs'
    | 'readinessWindowMs'
    | 'dashboardUrl'
    | 'phone'
    | 'log'
  > {
  view(ep: Ep): EpisodeView;
  changed(ep: Ep): void;
  /** the engine evaluates again (a group wait ended) */
  wake(): void;
}

interface Queued {
  kind: MessageKind;
  ep: Ep;
  people: string[];
  seq: number;
  extra?: {
    by?: string;
    comment?: string;
    previous?: { cause: Cause | null; owner_org: string | null; owner_person: string | null; reason: string };
  };
}

/** Kinds worth an SMS: pages and the all-clear; the rest stay in e-mail, Telegram and Zalo. */
const SMS_KINDS = new Set<MessageKind>(['alert', 'escalation', 'reassign', 'resolve']);

export class Pager {
  private queue: Queued[] = [];
  /** digest-bound episodes that came and went before the digest: it still lists them */
  private late: Ep[] = [];
  private digestAt: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private counter = 0;

  constructor(
    private readonly inv: LoadedInventory,
    private readonly db: StateDb,
    private readonly box: Outbox | null,
    private readonly o: PagerOptions,
  ) {}

  private pages(ep: Ep): boolean {
    return SEVERITY_RANK[ep.e.severity] >= SEVERITY_RANK.major;
  }

  /**
   * Who is told about an episode at an escalation level at `now` (person ids): an owning carrier's or
   * power organisation's person on duty today and its technicians of the sites first (people/roster.ts),
   * then the NOC's and the owner's contacts by level, the owner person and the sites' technicians
   * (the directory's at this moment).
   */
  recipients(ep: Ep, level: number, now: number): string[] {
    const e = ep.e;
    const noc = this.inv.inventory.network.noc;
    const orgs = [noc];
    const first: string[] = [];
    const persons: string[] = [];
    if (this.pages(ep)) {
      if (e.owner_org && e.owner_org !== noc) orgs.push(e.owner_org);
      const owner = e.owner_org ? this.inv.organisations.get(e.owner_org) : undefined;
      if (owner && ROSTER_KINDS.includes(owner.kind)) {
        first.push(...onDuty(this.db, owner.id, e.sites, now));
        first.push(...orgTechnicians(this.db, owner.id, e.sites));
      }
      if (e.owner_person) persons.push(e.owner_person);
      // power cuts and equipment: each site's technician, about their own site
      if ((e.cause === 'power' || e.cause === 'equipment') && !ep.key.startsWith('district:'))
        for (const s of e.sites) {
          const t = this.inv.sites.get(s)?.technician;
          if (t) persons.push(t);
        }
    }
    const out: string[] = [...first];
    for (const id of orgs) {
      const org = this.inv.organisations.get(id);
      if (!org) continue;
      out.push(...org.contacts.slice(0, level + 1));
      if (level >= org.contacts.length && org.head) out.push(org.head);
    }
    out.push(...persons);
    return [...new Set(out)];
  }

  private maxLevel(ep: Ep): number {
    let max = 0;
    for (const id of [this.inv.inventory.network.noc, ep.e.owner_org]) {
      const org = id ? this.inv.organisations.get(id) : undefined;
      if (org) max = Math.max(max, org.contacts.length - 1 + (org.head ? 1 : 0));
    }
    return max;
  }

  /** Per-meeting UPS runtime is a preparation matter: its technicians are told once, not escalated. */
  private escalates(ep: Ep): boolean {
    return !ep.key.startsWith('runtime:');
  }

  private escalateAfter(ep: Ep, now: number): number {
    const m = ep.meetingRef;
    return m && m.start <= now + this.o.readinessWindowMs
      ? this.o.escalateAfterInMeetingMs
      : this.o.escalateAfterMs;
  }

  private enqueue(kind: MessageKind, ep: Ep, people: string[], extra?: Queued['extra']) {
    if (people.length === 0) return;
    this.queue.push({ kind, ep, people, seq: ep.seq++, ...(extra && { extra }) });
  }

  /** Pages, digests, escalations and reminders that are due; then everything queued goes out. */
  due(eps: Ep[], now: number): void {
    for (const ep of eps) {
      // acknowledged before its page went out: the owner is still told once (the NOC taking it on
      // does not fix a carrier's link), but nothing is escalated or reminded
      const firing = ep.e.state === 'firing' || (ep.e.state === 'acknowledged' && !ep.paged);
      if (!firing) {
        if (ep.e.state !== 'acknowledged') ep.nextEscalationAt = null; // suppression does not use up steps
        if (!ep.paged && ep.e.state !== 'settling') ep.notifyAt = null; // (a settling one keeps its digest)
        continue;
      }
      if (!ep.paged) {
        if (!this.pages(ep) && this.o.digestIntervalMs > 0) {
          this.digestAt ??= now + this.o.digestIntervalMs;
          ep.notifyAt = this.digestAt;
        } else if (ep.notifyAt === null || ep.notifyAt > now + this.o.groupWaitMs)
          ep.notifyAt = now + this.o.groupWaitMs;
        continue;
      }
      if (!this.pages(ep)) continue;
      // paged already: whoever the episode now adds (a meeting made it urgent, a site joined it)
      const add = this.recipients(ep, ep.level, now).filter((p) => !ep.e.notified.includes(p));
      if (add.length > 0) {
        this.enqueue('alert', ep, add);
        ep.digestOnly = false;
      }
      if (ep.nextEscalationAt === null && ep.level < this.maxLevel(ep) && this.escalates(ep))
        ep.nextEscalationAt = now + this.escalateAfter(ep, now);
    }
    const ready = eps.filter(
      (ep) =>
        (ep.e.state === 'firing' || ep.e.state === 'acknowledged') &&
        !ep.paged &&
        ep.notifyAt !== null &&
        ep.notifyAt <= now,
    );
    const digest = eps.filter(
      (ep) =>
        (ep.e.state === 'firing' || ep.e.state === 'settling') &&
        !ep.paged &&
        ep.notifyAt !== null &&
        ep.notifyAt <= now &&
        !this.pages(ep),
    );
    if (digest.length > 0) {
      const people = this.recipients(digest[0]!, 0, now);
      for (const ep of digest) {
        this.enqueue('digest', ep, people);
        ep.paged = true;
        ep.digestOnly = true;
        ep.notifyAt = null;
      }
    }
    if (this.digestAt !== null && now >= this.digestAt) this.digestAt = null;
    for (const ep of ready) {
      if (!this.pages(ep)) continue;
      this.enqueue('alert', ep, this.recipients(ep, 0, now));
      ep.paged = true;
      ep.notifyAt = null;
      ep.level = 0;
      ep.nextEscalationAt =
        this.escalates(ep) && ep.e.state === 'firing' ? now + this.escalateAfter(ep, now) : null;
    }
    for (const ep of eps) {
      if (ep.e.state !== 'firing' || !ep.paged || ep.digestOnly) continue;
      if (ep.clearing) {
        // recovering: nobody is woken for it; if it comes back, escalation resumes where it was
        if (ep.nextEscalationAt !== null && ep.nextEscalationAt <= now)
          ep.nextEscalationAt = now + this.escalateAfter(ep, now);
        continue;
      }
      if (ep.nextEscalationAt !== null && now >= ep.nextEscalationAt) {
        const max = this.maxLevel(ep);
        let add: string[] = [];
        while (ep.level < max && add.length === 0) {
          ep.level++;
          add = this.recipients(ep, ep.level, now).filter((p) => !ep.e.notified.includes(p));
        }
        this.enqueue('escalation', ep, add);
        ep.nextEscalationAt = ep.level < max ? now + this.escalateAfter(ep, now) : null;
        ep.e.escalation_level = ep.level;
      }
      const m = ep.meetingRef;
      if (
        m &&
        m.start <= now &&
        ep.lastNotifiedAt !== null &&
        now - ep.lastNotifiedAt >= this.o.renotifyInMeetingMs
      ) {
        // the current owner and the NOC, not whoever owned it before
        const current = this.recipients(ep, ep.level, now).filter((p) => ep.e.notified.includes(p));
        this.enqueue('reminder', ep, current);
        ep.lastNotifiedAt = now;
      }
    }
    this.flush(now);
    const next = Math.min(...eps.filter((ep) => !ep.paged && ep.notifyAt !== null).map((ep) => ep.notifyAt!));
    if (Number.isFinite(next)) this.wakeAt(next, now);
  }

  /** The episode settled: everyone who was paged about it hears it is over (digest-only ones: nobody). */
  resolved(ep: Ep, _now: number): void {
    ep.nextEscalationAt = null;
    if (!ep.paged && ep.notifyAt !== null && !this.pages(ep) && this.o.digestIntervalMs > 0) {
      this.late.push(ep);
      this.digestAt ??= ep.notifyAt;
    }
    ep.notifyAt = null;
    if (ep.paged && !ep.digestOnly) this.enqueue('resolve', ep, ep.e.notified);
  }

  acknowledged(ep: Ep, now: number, by: string, comment: string): void {
    ep.nextEscalationAt = null;
    ep.notifyAt = ep.paged ? null : ep.notifyAt;
    if (ep.paged) this.enqueue('ack', ep, ep.e.notified, { by, comment });
    this.flush(now);
  }

  /** One "reassigned" message to the old and the new owner (and the NOC); never a fresh page. */
  reassigned(ep: Ep, now: number, previous: NonNullable<Queued['extra']>['previous']): void {
    if (ep.paged) {
      const to = [...new Set([...ep.e.notified, ...this.recipients(ep, ep.level, now)])];
      this.enqueue('reassign', ep, to, { ...(previous && { previous }) });
    }
    this.flush(now);
  }

  private flush(now: number) {
    const queue = this.queue;
    this.queue = [];
    if (queue.length === 0) return;
    for (const q of queue) {
      const e = q.ep.e;
      e.notified = [...new Set([...e.notified, ...q.people])];
      q.ep.lastNotifiedAt = now;
      e.notifications.push({ at: now, kind: q.kind, to: q.people, key: `${e.id}.${q.kind}.${q.seq}` });
      for (const s of e.sites) if (!q.ep.pagedSites.includes(s)) q.ep.pagedSites.push(s);
    }
    const items: OutboxItem[] = [];
    const kinds = [...new Set(queue.map((q) => q.kind))];
    for (const kind of kinds) {
      const ofKind = queue.filter((q) => q.kind === kind);
      const byPerson = new Map<string, Queued[]>();
      for (const q of ofKind)
        for (const p of q.people) {
          const l = byPerson.get(p) ?? [];
          if (!l.some((x) => x.ep === q.ep)) l.push(q);
          byPerson.set(p, l);
        }
      for (const [person, qs] of byPerson) items.push(...this.message(kind, qs, person, now));
      if (this.box?.has('webhook')) {
        const first = ofKind[0]!;
        const r = this.renderFor(kind, ofKind, null, now);
        items.push({
          key: `${first.ep.e.id}.${kind}.${first.seq}/webhook`,
          channel: 'webhook',
          recipient: 'webhook',
          person: null,
          alertId: first.ep.e.id,
          kind,
          subject: r.subject,
          body: r.text,
          short: r.short,
          payload: {
            episodes: ofKind.map((q) => this.o.view(q.ep).e),
            recipients: [...new Set(ofKind.flatMap((q) => q.people))],
          },
        });
      }
    }
    if (this.box && items.length > 0) this.box.enqueue(items);
    for (const ep of new Set(queue.map((q) => q.ep))) this.o.changed(ep);
  }

  private renderFor(kind: MessageKind, qs: Queued[], person: string | null, now: number) {
    const views = qs.map((q) => this.o.view(q.ep));
    const extra = qs[0]!.extra ?? {};
    const opts = {
      dashboardUrl: this.o.dashboardUrl,
      phone: this.o.phone,
      now,
      ackBy: extra.by,
      ackComment: extra.comment,
      ...(extra.previous && { previous: extra.previous }),
    };
    return kind === 'digest'
      ? renderDigest(this.inv, views, opts)
      : render(this.inv, kind, views, person, opts);
  }

  private message(kind: MessageKind, qs: Queued[], person: string, now: number): OutboxItem[] {
    if (!this.box) return [];
    const p = this.inv.people.get(person);
    if (!p) return [];
    const r = this.renderFor(kind, qs, person, now);
    const first = qs[0]!;
    const base = `${first.ep.e.id}.${kind}.${first.seq}`;
    const out: OutboxItem[] = [];
    for (const ch of CHANNELS) {
      if (ch === 'webhook' || (ch === 'sms' && !SMS_KINDS.has(kind))) continue;
      const n = this.box.notifier(ch);
      const addr = n?.address(p);
      if (!n || !addr) continue;
      out.push({
        key: `${base}/${ch}/${person}`,
        channel: ch,
        recipient: addr,
        person,
        alertId: first.ep.e.id,
        kind,
        subject: r.subject,
        body: r.text,
        short: r.short,
        payload: { episodes: qs.map((q) => q.ep.e.id), recipients: [person] },
      });
    }
    if (out.length === 0)
      this.o.log.warn({ person, episode: first.ep.e.id }, 'no configured channel reaches this person');
    return out;
  }

  /** A test message to one person on every channel that reaches them (send test). Returns the outbox keys. */
  testNotification(personId: string, by: string, at: number): string[] {
    const person = this.inv.people.get(personId);
    if (!person) throw new Error(`unknown person "${personId}"`);
    if (!this.box) return [];
    const subject = '[THỬ KÊNH THÔNG BÁO] diemcau — kiểm tra kênh nhận cảnh báo';
    const text = `${subject}\nNgười nhận: ${person.name}\nYêu cầu bởi: ${by}, lúc ${time(at)}\nNếu nhận được tin này, kênh thông báo của bạn đang hoạt động.\n\n— English —\n[CHANNEL TEST] diemcau: if you read this, your alert channel works.\n`;
    const keys: string[] = [];
    const items: OutboxItem[] = [];
    for (const ch of CHANNELS) {
      if (ch === 'webhook') continue;
      const n = this.box.notifier(ch);
      const addr = n?.address(person);
      if (!n || !addr) continue;
      const key = `test.${personId}.${at.toString(36)}.${(this.counter++).toString(36)}/${ch}`;
      keys.push(key);
      items.push({
        key,
        channel: ch,
        recipient: addr,
        person: personId,
        alertId: null,
        kind: 'test',
        subject,
        body: text,
        short: 'diemcau: thu kenh thong bao / channel test',
        payload: {},
      });
    }
    this.box.enqueue(items);
    return keys;
  }

  deliveries(id: string) {
    if (!this.box) return [];
    return this.box.rows({ alertId: id }).map((r) => ({ ...r, attempts_log: this.box!.attempts(r.id) }));
  }

  private wakeAt(at: number, now: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.o.wake();
      },
      Math.max(0, at - now),
    );
    this.timer.unref?.();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
