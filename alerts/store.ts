// Alerts and episodes in the state database (tables of migrations 020 and 021): written on every
// change, read back at start (open ones, and the newest resolved for the lists) and on demand.
import type { Alert, Episode } from '../api/contract.ts';
import type { StateDb } from '../storage/state-db.ts';
import { type AlertRec, type Ep, type Member, OFF_IN_HOURS } from './episode.ts';

export interface HistoryEntry {
  at: number;
  event: string;
  detail: string;
}

/** a codec switched off within operating hours is no fault: the reports' reads leave it out */
const NOT_OFF_IN_HOURS = `coalesce(json_extract(body, '$.priv.key'), '') NOT LIKE '${OFF_IN_HOURS}%'`;

/**
 * Fault episodes whose start (first evidence) is in [from, to), oldest first: the reports' read of
 * the `episodes` table, bounded by time (index episodes_started) so a yearly report does not load
 * the whole history through the engine. Returns the API's Episode shape.
 */
export function episodesStartedIn(db: StateDb, from: number, to: number): Episode[] {
  const rows = db
    .prepare(
      `SELECT body FROM episodes WHERE started_at >= ? AND started_at < ? AND ${NOT_OFF_IN_HOURS}
       ORDER BY started_at, id`,
    )
    .all(from, to) as { body: string }[];
  return rows.map((r) => (JSON.parse(r.body) as { episode: Episode }).episode);
}

/**
 * Episodes that were open at some point of [from, to): started before `to` and not resolved before
 * `from` — what touched a meeting's window. Bounded by the start index.
 */
export function episodesOverlapping(db: StateDb, from: number, to: number): Episode[] {
  const rows = db
    .prepare(
      `SELECT body FROM episodes WHERE started_at < ? AND (resolved_at IS NULL OR resolved_at >= ?)
       AND ${NOT_OFF_IN_HOURS} ORDER BY started_at, id`,
    )
    .all(to, from) as { body: string }[];
  return rows.map((r) => (JSON.parse(r.body) as { episode: Episode }).episode);
}

/** how many resolved alerts and episodes are read back at start, for the lists */
const RECENT = 500;

export class EngineStore {
  constructor(
    private readonly db: StateDb,
    private readonly now: () => number,
  ) {}

  saveAlert(rec: AlertRec): void {
    const a = rec.alert;
    this.db
      .prepare(
        `INSERT INTO alerts (id, fingerprint, state, started_at, resolved_at, updated_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, resolved_at = excluded.resolved_at,
           updated_at = excluded.updated_at, body = excluded.body`,
      )
      .run(
        a.id,
        rec.fp,
        a.state,
        a.started_at,
        a.resolved_at,
        this.now(),
        JSON.stringify({ alert: a, priv: { fp: rec.fp } }),
      );
  }

  saveEpisode(ep: Ep): void {
    const { e: _e, members, ...priv } = ep;
    this.db
      .prepare(
        `INSERT INTO episodes (id, state, started_at, resolved_at, updated_at, body) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, started_at = excluded.started_at,
           resolved_at = excluded.resolved_at, updated_at = excluded.updated_at, body = excluded.body`,
      )
      .run(
        ep.e.id,
        ep.e.state,
        ep.e.started_at,
        ep.e.resolved_at,
        this.now(),
        JSON.stringify({ episode: ep.e, priv: { ...priv, members: [...members.values()] } }),
      );
  }

  alert(id: string): AlertRec | undefined {
    const row = this.db.prepare('SELECT body FROM alerts WHERE id = ?').get(id) as
      | { body: string }
      | undefined;
    return row ? this.alertFrom(row) : undefined;
  }

  episode(id: string): Ep | undefined {
    const row = this.db.prepare('SELECT body FROM episodes WHERE id = ?').get(id) as
      | { body: string }
      | undefined;
    return row ? this.episodeFrom(row) : undefined;
  }

  /** The open alerts and episodes, and the newest resolved ones. A restored open one is marked so. */
  loadRecent(): { alerts: AlertRec[]; episodes: Ep[] } {
    const rows = (table: 'alerts' | 'episodes') =>
      this.db
        .prepare(
          `SELECT body FROM ${table} WHERE state <> 'resolved' UNION ALL SELECT body FROM (SELECT body FROM ${table} WHERE state = 'resolved' ORDER BY started_at DESC LIMIT ${RECENT})`,
        )
        .all() as { body: string }[];
    const episodes = rows('episodes').map((r) => this.episodeFrom(r));
    for (const ep of episodes) if (ep.e.state === 'resolved') ep.restored = null;
    return { alerts: rows('alerts').map((r) => this.alertFrom(r)), episodes };
  }

  alertHistory(id: string, at: number, event: string, detail: string): void {
    this.db
      .prepare('INSERT INTO alert_history (alert_id, at, event, detail) VALUES (?, ?, ?, ?)')
      .run(id, at, event, detail);
  }

  episodeHistory(id: string, at: number, event: string, detail: string): void {
    this.db
      .prepare('INSERT INTO episode_history (episode_id, at, event, detail) VALUES (?, ?, ?, ?)')
      .run(id, at, event, detail);
  }

  /** History of an alert or an episode (created, settling, recurred, acknowledged, resolved, …). */
  history(id: string): HistoryEntry[] {
    return this.db
      .prepare(
        'SELECT at, event, detail FROM alert_history WHERE alert_id = ? UNION ALL SELECT at, event, detail FROM episode_history WHERE episode_id = ? ORDER BY at',
      )
      .all(id, id) as HistoryEntry[];
  }

  private alertFrom(row: { body: string }): AlertRec {
    const { alert, priv } = JSON.parse(row.body) as { alert: Alert; priv: { fp: string } };
    return { alert, fp: priv.fp, restored: this.now() };
  }

  private episodeFrom(row: { body: string }): Ep {
    const { episode, priv } = JSON.parse(row.body) as {
      episode: Episode;
      priv: Omit<Ep, 'e' | 'members'> & { members: Member[] };
    };
    return {
      ...priv,
      clearing: false,
      e: episode,
      members: new Map(priv.members.map((m) => [m.fp, m])),
      restored: this.now(),
    };
  }
}
