// `diemcau inventory export` as an operator runs it: people and a site technician edited in the state
// database come back in a YAML file that `inventory check` accepts, that keeps the file's comments and
// untouched entries, and that seeds a fresh state database with the same people.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadInventory } from '../inventory/load.ts';
import { openStateDb } from '../storage/state-db.ts';
import { BAC_KAN } from '../test/helpers/alerts.ts';
import { runCommand } from '../test/helpers/command.ts';
import { PeopleDirectory } from './directory.ts';

const run = (...args: string[]) => runCommand('node', ['bin/diemcau.js', ...args]);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function workspace() {
  const dir = mkdtempSync(join(tmpdir(), 'diemcau-people-'));
  dirs.push(dir);
  const config = join(dir, 'diemcau.yaml');
  writeFileSync(config, `inventory: ${JSON.stringify(BAC_KAN)}\ndata_dir: ${JSON.stringify(dir)}\n`);
  return { dir, config };
}

/** what a person is, as the directory lists them (no edit stamps) */
const essence = (d: PeopleDirectory) =>
  d.people().map(({ id, name, title, org, email, phone, phone_secret, telegram, zalo, sites }) => ({
    id,
    name,
    title,
    org,
    email,
    phone,
    phone_secret,
    telegram,
    zalo,
    sites,
  }));

describe('diemcau inventory export', () => {
  it('without edits it writes the inventory back unchanged', async () => {
    const { dir, config } = workspace();
    openStateDb(join(dir, 'state.db')).close();
    const out = join(dir, 'out.yaml');
    const r = await run('inventory', 'export', '-c', config, '-o', out);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('0 people changed, 0 added, 0 site technicians changed');
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(BAC_KAN, 'utf8'));
  });

  it('writes the edited people and technicians: inventory check accepts it and it seeds the same people', async () => {
    const { dir, config } = workspace();
    const db = openStateDb(join(dir, 'state.db'));
    const dirA = new PeopleDirectory(db, loadInventory(BAC_KAN));
    dirA.createPerson(
      {
        id: 'kt-bang-thanh-moi',
        name: 'Lường Thị Hoa',
        title: 'Công chức văn hóa - xã hội',
        org: 'so-tttt',
        email: 'luong-thi-hoa@site.diemcau.example',
        phone: '+84 987 654 321',
      },
      'u-noc',
    );
    dirA.updatePerson('noc-truc-ban-2', { name: 'Nguyễn Thu Trang', phone: '0209 3870 123' }, 'u-admin');
    dirA.replaceTechnician('xa-bang-thanh', { person: 'kt-bang-thanh-moi', reason: 'Nghỉ hưu' }, 'u-noc');
    const want = essence(dirA);
    db.close();

    const out = join(dir, 'out.yaml');
    const r = await run('inventory', 'export', '-c', config, '-o', out);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('1 people changed, 1 added, 1 site technicians changed');
    const check = await run('inventory', 'check', out);
    expect(check).toMatchObject({
      code: 0,
      stdout: 'ok: 120 sites (4 province, 8 district, 108 commune), 361 devices\n',
    });

    const text = readFileSync(out, 'utf8');
    const original = readFileSync(BAC_KAN, 'utf8');
    // comments and untouched entries as they were; the edited person rewritten in its flow style
    expect(text).toContain('# People. Names here are role placeholders');
    const kept = original.split('\n').filter((l) => l.includes('id: noc-truc-ban-1,'));
    expect(kept).toHaveLength(1);
    expect(text).toContain(kept[0]!);
    expect(text).toContain(
      '  - { id: noc-truc-ban-2, name: "Nguyễn Thu Trang", org: so-tttt, channels: { email: truc-ban-2@noc.diemcau.example, phone: "0209 3870 123" } }\n',
    );
    expect(text.split('\n').length - original.split('\n').length).toBe(1);

    const inv = loadInventory(out);
    expect(inv.sites.get('xa-bang-thanh')!.technician).toBe('kt-bang-thanh-moi');
    expect(inv.people.get('kt-bang-thanh-moi')).toEqual({
      id: 'kt-bang-thanh-moi',
      name: 'Lường Thị Hoa',
      title: 'Công chức văn hóa - xã hội',
      org: 'so-tttt',
      channels: { email: 'luong-thi-hoa@site.diemcau.example', phone: '+84 987 654 321' },
    });
    // a fresh state database seeded from the exported file holds the same people
    const fresh = openStateDb(join(dir, 'fresh.db'));
    try {
      expect(essence(new PeopleDirectory(fresh, inv))).toEqual(want);
    } finally {
      fresh.close();
    }
  }, 30_000);

  it('says where the state database is missing, and exits 1', async () => {
    const { config } = workspace();
    const r = await run('inventory', 'export', '-c', config);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/không có cơ sở dữ liệu trạng thái .*state\.db \/ no state database at/);
  });
});
