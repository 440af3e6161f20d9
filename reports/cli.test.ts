// `diemcau report` in-process, on a state database and metrics store a runtime wrote.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ObservedCalls } from '../meetings/observed.ts';
import { DbMeetings } from '../meetings/store.ts';
import { parseLocalTime } from '../meetings/time.ts';
import { Fleet, testRuntime } from '../test/helpers/alerts.ts';
import { run } from './cli.ts';

describe('diemcau report', () => {
  it('writes the six-month report as JSON and HTML from the configured data directory', async () => {
    const rt = testRuntime();
    const meetings = new DbMeetings(rt.state, rt.inventory, () => parseLocalTime('2026-01-02T08:00')!);
    const m = meetings.register(
      {
        title: 'Giao ban',
        host_org: 'vp-tinh-uy',
        start: '2026-02-02T08:00',
        end: '2026-02-02T09:00',
        tiers: ['district'],
      },
      'u',
    ).meeting;
    // it took place: one district hall connected for its hour
    const calls = new ObservedCalls(rt.state, rt.inventory, meetings, { intervalMs: 10_000 });
    const fleet = new Fleet(rt.inventory);
    for (let t = m.start; t <= m.end; t += 10_000)
      calls.observe([fleet.mcuPort(m.sites[0]!, t, t < m.end ? 1 : 0)]);
    rt.state.close();
    const cfg = join(rt.dir, 'diemcau.yaml');
    const json = join(rt.dir, 'r.json');
    expect(await run(['six-month', '--from', '2026-01-01', '-c', cfg, '-o', json])).toBe(0);
    const r = JSON.parse(readFileSync(json, 'utf8'));
    expect(r.kind).toBe('six-month');
    expect(r.meetings.by_host).toEqual([{ org: 'vp-tinh-uy', name: 'Văn phòng Tỉnh ủy', count: 1 }]);
    expect(r.meetings.logbook.map((x: { minutes: number }) => x.minutes)).toEqual([60]);
    const html = join(rt.dir, 'r.html');
    expect(await run(['yearly', '--year', '2026', '--html', '-c', cfg, '-o', html])).toBe(0);
    expect(readFileSync(html, 'utf8')).toContain(
      'Tình hình quản lý, vận hành và sử dụng hệ thống hội nghị truyền hình trực tuyến năm 2026',
    );
    const mh = join(rt.dir, 'm.html');
    expect(await run(['meeting', m.id, '--html', '-c', cfg, '-o', mh])).toBe(0);
    expect(readFileSync(mh, 'utf8')).toContain('Giao ban');

    expect(await run(['six-month', '--from', '01/01/2026', '-c', cfg, '-o', join(rt.dir, 'x')])).toBe(2);
    expect(await run(['meeting', 'hop-khong-co', '-c', cfg, '-o', join(rt.dir, 'y')])).toBe(2);
    expect(await run(['weekly', '-c', cfg])).toBe(2);
    expect(existsSync(join(rt.dir, 'x'))).toBe(false);
  });
});
