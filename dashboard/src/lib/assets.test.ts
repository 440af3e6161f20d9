// Issue 17: the Assets tab's filters (district, kind, warranty ending within a year), the hand-entered
// form's body (empty clears, the price in whole đồng with dots or spaces typed), dates as dd/mm/yyyy.
import { describe, expect, it } from 'vitest';
import { type Asset, detailsBody, filterAssets, versionOf, viDay } from './assets.ts';

const asset = (device: string, o: Partial<Asset>): Asset => ({
  device,
  kind: 'codec',
  profile: 'generic-codec',
  site: 's',
  site_name: 'S',
  district: 'ba-be',
  district_name: 'Ba Bể',
  identity: {},
  first_seen: null,
  last_seen: null,
  identity_problem: null,
  install_date: null,
  warranty_end: null,
  supplier: null,
  purchase_price: null,
  notes: null,
  updated_at: null,
  updated_by: null,
  age_years: null,
  warranty: 'unknown',
  warranty_days_left: null,
  faults_12m: 0,
  ...o,
});

describe('assets tab helpers', () => {
  const items = [
    asset('a', { warranty: 'expiring' }),
    asset('b', { kind: 'ups', district: 'na-ri' }),
    asset('c', { kind: 'ups', warranty: 'expiring', district: 'na-ri' }),
  ];
  it('filters by district, kind and expiring warranty together', () => {
    expect(filterAssets(items, { district: '', kind: '', expiring: false }).map((a) => a.device)).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(filterAssets(items, { district: 'na-ri', kind: '', expiring: true }).map((a) => a.device)).toEqual(
      ['c'],
    );
    expect(
      filterAssets(items, { district: '', kind: 'codec', expiring: false }).map((a) => a.device),
    ).toEqual(['a']);
  });
  it('the form body: blanks clear, the price typed with dots is whole đồng', () => {
    expect(
      detailsBody({
        install: ' 15/03/2019 ',
        warranty: '',
        supplier: 'VNPT',
        price: '185.000.000',
        notes: ' ',
      }),
    ).toEqual({
      install_date: '15/03/2019',
      warranty_end: null,
      supplier: 'VNPT',
      purchase_price: 185_000_000,
      notes: null,
    });
  });
  it('dates and versions as a person reads them', () => {
    expect(viDay('2021-03-15')).toBe('15/03/2021');
    expect(viDay(null)).toBe('');
    expect(versionOf({ firmware: '9.15', software: '9.15' })).toBe('9.15');
    expect(versionOf({ firmware: 'UPS 09.3', software: 'NMC 6.8' })).toBe('UPS 09.3 / NMC 6.8');
  });
});
