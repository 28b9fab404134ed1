import gcoordModule from 'gcoord';

// gcoord is CommonJS whose typings declare a default export; at run time the module object is it.
type Gcoord = typeof gcoordModule.default;
const gcoord = ((gcoordModule as unknown as { default?: Gcoord }).default ??
  gcoordModule) as unknown as Gcoord;
import type { Crs, GeoPoint } from '@liandong/contracts';

export interface CoordinateIssue {
  pointer: string;
  message: string;
}

const CRS_TO_GCOORD = {
  WGS84: gcoord.WGS84,
  GCJ02: gcoord.GCJ02,
  BD09: gcoord.BD09,
} as const;

/** Where GCJ-02 and BD-09 apply: mainland China's bounding box, generously. */
export const CHINA_BOUNDS = { west: 72, east: 138, south: 0.8, north: 56 } as const;

/** Seven decimals of a degree are about 1 cm: more is noise. */
function round(value: number): number {
  return Math.round(value * 1e7) / 1e7;
}

/**
 * Converts a source position to a WGS-84 GeoJSON point. GCJ-02 and BD-09 go through gcoord.
 * CGCS2000 is taken as WGS-84: the two frames differ by a few centimetres, far below what any
 * feed's positions mean.
 */
export function toWgs84(
  lon: unknown,
  lat: unknown,
  crs: Crs,
  pointer = '/location',
): { ok: true; point: GeoPoint } | { ok: false; issue: CoordinateIssue } {
  if (typeof lon !== 'number' || !Number.isFinite(lon) || lon < -180 || lon > 180) {
    return {
      ok: false,
      issue: { pointer: `${pointer}/lon`, message: 'longitude must be a finite number in [-180, 180]' },
    };
  }
  if (typeof lat !== 'number' || !Number.isFinite(lat) || lat < -90 || lat > 90) {
    return {
      ok: false,
      issue: { pointer: `${pointer}/lat`, message: 'latitude must be a finite number in [-90, 90]' },
    };
  }
  if (crs === 'WGS84' || crs === 'CGCS2000') {
    return { ok: true, point: { type: 'Point', coordinates: [round(lon), round(lat)] } };
  }
  if (
    lon < CHINA_BOUNDS.west ||
    lon > CHINA_BOUNDS.east ||
    lat < CHINA_BOUNDS.south ||
    lat > CHINA_BOUNDS.north
  ) {
    return {
      ok: false,
      issue: {
        pointer,
        message: `${crs} is defined only within China (longitude ${CHINA_BOUNDS.west}–${CHINA_BOUNDS.east}, latitude ${CHINA_BOUNDS.south}–${CHINA_BOUNDS.north}); this point lies outside: check the CRS and the order of longitude and latitude`,
      },
    };
  }
  const [x, y] = gcoord.transform<[number, number]>([lon, lat], CRS_TO_GCOORD[crs], gcoord.WGS84);
  return { ok: true, point: { type: 'Point', coordinates: [round(x), round(y)] } };
}
