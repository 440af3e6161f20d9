// The site page's Grafana links point at dashboards that exist, with variables they declare.
import { describe, expect, it } from 'vitest';
import { DASHBOARDS } from '../grafana/dashboards.ts';
import { grafanaLinks, SITE_DASHBOARDS } from './grafana-links.ts';

describe('grafana links', () => {
  it('name generated dashboards and their variables', () => {
    const built = Object.values(DASHBOARDS).map((f) => f());
    const site = { id: 'xa-a', district: 'huyen-b', tier: 'commune' };
    for (const d of SITE_DASHBOARDS) {
      const dash = built.find((b) => b.uid === d.uid);
      expect(dash, d.uid).toBeDefined();
      const names = (dash!.templating?.list ?? []).map((v) => v.name);
      expect(names).toEqual(expect.arrayContaining(Object.keys(d.vars(site))));
    }
  });

  it('none without a base address; the base’s trailing slash is not doubled', () => {
    const site = { id: 'xa-a', district: 'huyen-b', tier: 'commune' };
    expect(grafanaLinks(undefined, site)).toEqual([]);
    expect(grafanaLinks('http://g:3000///', site)[0]!.url).toBe('http://g:3000/d/diemcau-site?var-site=xa-a');
  });
});
