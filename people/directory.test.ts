// The directory against a real state database across restarts: the inventory file seeds it, a copy
// nobody edited follows the file, an edit wins, a person added to the file later appears, and the
// loaded inventory's own objects carry the directory's people and technicians.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadInventory } from '../inventory/load.ts';
import { openStateDb } from '../storage/state-db.ts';
import { BAC_KAN } from '../test/helpers/alerts.ts';
import { PeopleDirectory } from './directory.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('people directory', () => {
  it('seeds from the inventory, keeps edits over a changed file, and follows the file where nobody edited', () => {
    const dir = mkdtempSync(join(tmpdir(), 'diemcau-directory-'));
    dirs.push(dir);
    const db = openStateDb(join(dir, 'state.db'));
    const inv1 = loadInventory(BAC_KAN);
    const d1 = new PeopleDirectory(db, inv1);
    expect(d1.people()).toHaveLength(inv1.inventory.people.length);
    expect(d1.technicians('xa-bang-thanh').current).toMatchObject({
      person: 'kt-xa-bang-thanh',
      by: 'inventory',
    });
    d1.updatePerson('noc-truc-ban-2', { name: 'Nguyễn Thu Trang' }, 'u-admin');
    d1.replaceTechnician('xa-bang-thanh', { person: 'kt-xa-phuc-loc', reason: 'Kiêm nhiệm' }, 'u-noc');
    // the loaded inventory's own objects changed: every reader sees it
    const held = inv1.inventory.people.find((p) => p.id === 'noc-truc-ban-2')!;
    expect(held).toBe(inv1.people.get('noc-truc-ban-2'));
    expect(held.name).toBe('Nguyễn Thu Trang');
    expect(inv1.inventory.sites.find((s) => s.id === 'xa-bang-thanh')!.technician).toBe('kt-xa-phuc-loc');

    // the file changes: both NOC names, a new person, Bằng Thành's and Phúc Lộc's technicians
    const text = readFileSync(BAC_KAN, 'utf8')
      .replace('name: "Trực ban NOC ca 1"', 'name: "Trực ban ca sáng"')
      .replace('name: "Trực ban NOC ca 2"', 'name: "Trực ban ca chiều"')
      .replace(
        '  - { id: noc-truc-ban-2,',
        '  - { id: noc-truc-ban-3, name: "Trực ban ca đêm", org: so-tttt, channels: { phone: "0209 3870 333" } }\n  - { id: noc-truc-ban-2,',
      )
      .replace(/ {2}- \{ id: noc-lanh-dao,[^\n]*\n/, '')
      .replace('    head: noc-lanh-dao\n', '')
      .replace('technician: kt-xa-bang-thanh\n', 'technician: kt-xa-banh-trach\n')
      .replace('technician: kt-xa-phuc-loc\n', 'technician: kt-xa-bang-thanh\n');
    const file = join(dir, 'inventory.yaml');
    writeFileSync(file, text);
    const inv2 = loadInventory(file);
    const d2 = new PeopleDirectory(db, inv2);
    expect(inv2.people.get('noc-truc-ban-1')!.name).toBe('Trực ban ca sáng'); // never edited: the file
    expect(inv2.people.get('noc-truc-ban-2')!.name).toBe('Nguyễn Thu Trang'); // edited: the DB
    expect(inv2.people.get('noc-truc-ban-3')).toMatchObject({ channels: { phone: '0209 3870 333' } });
    expect(d2.person('noc-truc-ban-3')).toMatchObject({ phone: '0209 3870 333', from_inventory: true });
    // taken out of the file and never edited: not listed, not in the loaded inventory
    expect(inv2.people.has('noc-lanh-dao')).toBe(false);
    expect(d2.people().map((p) => p.id)).not.toContain('noc-lanh-dao');
    expect(d2.people().map((p) => p.id)).toContain('noc-truc-ban-3');
    // Bằng Thành was replaced through the API: it stays; Phúc Lộc was the file's: it follows, with history
    expect(inv2.sites.get('xa-bang-thanh')!.technician).toBe('kt-xa-phuc-loc');
    expect(inv2.sites.get('xa-phuc-loc')!.technician).toBe('kt-xa-bang-thanh');
    expect(d2.technicians('xa-phuc-loc').history.map((r) => [r.person, r.valid_to === null])).toEqual([
      ['kt-xa-bang-thanh', true],
      ['kt-xa-phuc-loc', false],
    ]);
    expect(d2.changes(0, Date.now() + 60_000).map((r) => [r.site, r.person, r.by])).toEqual([
      ['xa-bang-thanh', 'kt-xa-phuc-loc', 'u-noc'],
    ]);
    db.close();
  });
});
