// diemcau user: creates accounts without any default password, tokens shown once, every change audited.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { run } from '../cli/user.ts';
import { generateInventory, syntheticUnits } from '../inventory/generate.ts';
import { openStateDb } from '../storage/state-db.ts';
import { findToken, getUserWithHash, listAudit, verifyPassword } from './accounts.ts';

let dir: string;
let cfg: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'diemcau-cli-user-'));
  writeFileSync(
    join(dir, 'inv.yaml'),
    generateInventory(syntheticUnits(6), { title: 'Thử nghiệm', base: 58 }),
  );
  cfg = join(dir, 'diemcau.yaml');
  writeFileSync(cfg, stringify({ inventory: 'inv.yaml', data_dir: 'data' }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err += String(s);
    return true;
  });
  try {
    return { code: await run([...args, '-c', cfg]), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const db = () => openStateDb(join(dir, 'data', 'state.db'));

describe('diemcau user', () => {
  it('add prints a random password once; only its scrypt hash is stored', async () => {
    const r = await cli('add', 'lan', '--role', 'noc');
    expect(r.code).toBe(0);
    const pw = /password \(shown once\): (\S+)/.exec(r.out)?.[1];
    expect(pw).toMatch(/^[A-Za-z0-9]{20}$/);
    const state = db();
    const u = getUserWithHash(state, 'lan')!;
    expect(u.role).toBe('noc');
    expect(u.hash).toMatch(/^scrypt\$32768\$8\$3\$/);
    expect(u.hash).not.toContain(pw!);
    expect(await verifyPassword(pw!, u.hash)).toBe(true);
    expect(listAudit(state, { action: 'user.create', limit: 10, offset: 0 }).items[0]).toMatchObject({
      target: 'lan',
      actor: expect.stringMatching(/^cli:/),
    });
    state.close();
  });

  it('refuses a technician without sites, unknown sites, unknown roles, duplicates', async () => {
    expect((await cli('add', 'kt', '--role', 'technician')).code).toBe(1);
    const unknown = await cli('add', 'kt', '--role', 'technician', '--sites', 'xa-khong-co');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/xa-khong-co/);
    expect((await cli('add', 'x1', '--role', 'root')).code).toBe(1);
    expect((await cli('add', 'lan', '--role', 'viewer')).err).toMatch(/already exists/);
    expect((await cli('add', 'kt', '--role', 'technician', '--sites', 'tinh-uy,xa-so-1')).code).toBe(0);
    expect((await cli('list')).out).toMatch(/kt\s+technician\s+sites=tinh-uy,xa-so-1/);
  });

  it('token create prints a working token once; revoke stops it', async () => {
    const r = await cli('token', 'create', 'lan', '--label', 'grafana');
    expect(r.code).toBe(0);
    const token = /^(dmc_\S+)$/m.exec(r.out)![1]!;
    const state = db();
    expect(findToken(state, token)?.user.name).toBe('lan');
    const id = token.slice(4, 16);
    expect((await cli('token', 'revoke', id)).code).toBe(0);
    expect(findToken(state, token)).toBeNull();
    state.close();
  });

  it('passwd sets a new random password that verifies', async () => {
    const r = await cli('passwd', 'lan');
    const pw = /shown once\): (\S+)/.exec(r.out)![1]!;
    const state = db();
    expect(await verifyPassword(pw, getUserWithHash(state, 'lan')!.hash)).toBe(true);
    state.close();
  });
});
