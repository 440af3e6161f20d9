import { afterEach, describe, expect, it } from 'vitest';
import { openStateDb, type StateDb } from '../storage/state-db.ts';
import { addLogEntry, listLog, maintenanceLogForDevice, syncDeviceSites } from './log.ts';

let db: StateDb;
afterEach(() => db?.close());

describe('maintenance log', () => {
  it('finds a device history: entries naming it and site entries naming no device, newest first', () => {
    db = openStateDb(':memory:');
    expect(maintenanceLogForDevice(db, 'xa-a-codec')).toEqual([]);
    syncDeviceSites(db, [
      { device: 'xa-a-codec', site: 'xa-a' },
      { device: 'xa-a-ups', site: 'xa-a' },
      { device: 'xa-b-codec', site: 'xa-b' },
      { device: 'mcu', site: null },
    ]);
    const base = { by: 'Nguyễn Văn A', created_by: 'admin' };
    const codec = addLogEntry(db, {
      ...base,
      at: 1000,
      site: 'xa-a',
      devices: ['xa-a-codec'],
      done: 'Thay nguồn',
      parts: 'Bộ nguồn 12 V',
    });
    const ups = addLogEntry(db, {
      ...base,
      at: 2000,
      site: 'xa-a',
      devices: ['xa-a-ups'],
      done: 'Thay ắc quy',
    });
    const site = addLogEntry(db, { ...base, at: 3000, site: 'xa-a', done: 'Vệ sinh tủ thiết bị' });
    const other = addLogEntry(db, { ...base, at: 4000, site: 'xa-b', done: 'Kiểm tra định kỳ' });
    addLogEntry(db, { ...base, at: 5000, site: null, devices: ['mcu'], done: 'Nâng cấp phần mềm MCU' });

    expect(maintenanceLogForDevice(db, 'xa-a-codec').map((e) => e.id)).toEqual([site.id, codec.id]);
    expect(maintenanceLogForDevice(db, 'xa-a-ups').map((e) => e.id)).toEqual([site.id, ups.id]);
    expect(maintenanceLogForDevice(db, 'xa-b-codec').map((e) => e.id)).toEqual([other.id]);
    expect(maintenanceLogForDevice(db, 'mcu').map((e) => e.done)).toEqual(['Nâng cấp phần mềm MCU']);
    expect(maintenanceLogForDevice(db, 'xa-a-codec')[1]).toEqual({
      id: codec.id,
      at: 1000,
      plan_id: null,
      site: 'xa-a',
      devices: ['xa-a-codec'],
      done: 'Thay nguồn',
      findings: '',
      parts: 'Bộ nguồn 12 V',
      by: 'Nguyễn Văn A',
    });
    expect(listLog(db, { site: 'xa-a', from: 1500, to: 3000 }).map((e) => e.id)).toEqual([ups.id]);
  });
});
