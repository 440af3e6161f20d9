// Issue 15: the site search finds names typed without diacritics, and a district's sites by its name.
import { describe, expect, it } from 'vitest';
import { fold, type SearchSite, searchSites, shortName } from './search.ts';

const PN = 'Huyện Pác Nặm';
const sites: SearchSite[] = [
  { id: 'xa-bang-thanh', name: 'Hội trường UBND xã Bằng Thành', district: 'pac-nam', districtName: PN },
  {
    id: 'xa-bang-van',
    name: 'Hội trường UBND xã Bằng Vân',
    district: 'ngan-son',
    districtName: 'Huyện Ngân Sơn',
  },
  { id: 'xa-nhan-mon', name: 'Hội trường UBND xã Nhạn Môn', district: 'pac-nam', districtName: PN },
  { id: 'huyen-pac-nam', name: 'Hội trường UBND huyện Pác Nặm', district: 'pac-nam', districtName: PN },
  {
    id: 'xa-thanh-van',
    name: 'Hội trường UBND xã Thanh Vận',
    district: 'cho-moi',
    districtName: 'Huyện Chợ Mới',
  },
  {
    id: 'xa-dong-thanh',
    name: 'Hội trường UBND xã Đồng Thành',
    district: 'ngan-son',
    districtName: 'Huyện Ngân Sơn',
  },
];
const ids = (q: string) => searchSites(sites, q).map((h) => h.site.id);

describe('fold', () => {
  it('drops diacritics, đ → d, lower case, punctuation as spaces', () => {
    expect(fold('Hội trường UBND xã Bằng Thành')).toBe('hoi truong ubnd xa bang thanh');
    expect(fold('Đồng  Thành, Ngân-Sơn')).toBe('dong thanh ngan son');
  });
  it('shortName leaves what people type', () => {
    expect(shortName('Hội trường UBND xã Bằng Thành')).toBe('Bằng Thành');
    expect(shortName('Hội trường UBND huyện Pác Nặm')).toBe('Pác Nặm');
    expect(shortName('Huyện Pác Nặm')).toBe('Pác Nặm');
  });
});

describe('searchSites', () => {
  it('finds "Bằng Thành" typed without diacritics, and with them', () => {
    expect(ids('bang thanh')[0]).toBe('xa-bang-thanh');
    expect(ids('Bằng Thành')[0]).toBe('xa-bang-thanh');
    expect(ids('BANG THANH')).toEqual(['xa-bang-thanh']);
  });
  it('ranks the start of the name before a word inside it, before words in any order', () => {
    // "thanh": Thanh Vận starts with it; Bằng Thành and Đồng Thành have it as a later word
    expect(ids('thanh')).toEqual(['xa-thanh-van', 'xa-bang-thanh', 'xa-dong-thanh']);
    expect(ids('thanh bang')).toEqual(['xa-bang-thanh']);
    expect(ids('bang')).toEqual(['xa-bang-thanh', 'xa-bang-van']);
  });
  it("a district's name finds its sites, after the sites named so", () => {
    const hits = searchSites(sites, 'pac nam');
    expect(hits[0]!.site.id).toBe('huyen-pac-nam');
    expect(hits[0]!.byDistrict).toBe(false);
    expect(hits.slice(1).map((h) => h.site.id)).toEqual(['xa-bang-thanh', 'xa-nhan-mon']);
    expect(hits.slice(1).every((h) => h.byDistrict)).toBe(true);
    expect(ids('ngan son')).toEqual(['xa-bang-van', 'xa-dong-thanh']);
  });
  it('nothing for an empty query or one that matches nothing; at most the limit', () => {
    expect(ids('  ')).toEqual([]);
    expect(ids('hà nội')).toEqual([]);
    expect(searchSites(sites, 'ubnd', 3)).toHaveLength(3);
  });
});
