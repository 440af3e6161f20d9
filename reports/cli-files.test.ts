// diemcau report --format docx|pdf|csv: the filed document from the command line.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DbMeetings } from '../meetings/store.ts';
import { parseLocalTime } from '../meetings/time.ts';
import { testRuntime } from '../test/helpers/alerts.ts';
import { run } from './cli.ts';

describe('diemcau report --format', () => {
  it('writes the Word document, the PDF and the CSV; refuses a bad format and binary output without --out', async () => {
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
    rt.state.close();
    const cfg = join(rt.dir, 'diemcau.yaml');
    try {
      const docx = join(rt.dir, 'bc.docx');
      expect(
        await run(['six-month', '--from', '2026-01-01', '--format', 'docx', '-c', cfg, '-o', docx]),
      ).toBe(0);
      const xml = execFileSync('unzip', ['-p', docx, 'word/document.xml'], { encoding: 'utf8' });
      expect(xml).toContain('Định kỳ 06 tháng đầu năm 2026');
      expect(xml).toContain('UBND TỈNH BẮC KẠN');

      const pdf = join(rt.dir, 'bc.pdf');
      expect(await run(['meeting', m.id, '--format', 'pdf', '--lang', 'en', '-c', cfg, '-o', pdf])).toBe(0);
      expect(readFileSync(pdf).subarray(0, 5).toString('latin1')).toBe('%PDF-');

      const csv = join(rt.dir, 'bc.csv');
      expect(
        await run([
          'yearly',
          '--year',
          '2026',
          '--format',
          'csv',
          '--table',
          'theo-thang',
          '-c',
          cfg,
          '-o',
          csv,
        ]),
      ).toBe(0);
      expect(readFileSync(csv, 'utf8')).toMatch(/^\uFEFFTháng;Số cuộc họp\r\n01\/2026;/);

      expect(await run(['yearly', '--year', '2026', '--format', 'xlsx', '-c', cfg])).toBe(2);
      expect(await run(['yearly', '--year', '2026', '--format', 'docx', '-c', cfg])).toBe(2);
      expect(
        await run(['yearly', '--year', '2026', '--format', 'csv', '--table', 'nope', '-c', cfg, '-o', csv]),
      ).toBe(2);
    } finally {
      rmSync(rt.dir, { recursive: true, force: true });
    }
  });
});
