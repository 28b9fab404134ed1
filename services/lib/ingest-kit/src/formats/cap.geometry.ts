import { centroid } from '@turf/centroid';
import { circle } from '@turf/circle';
import type { GeoArea, GeoPoint, Position } from '@liandong/contracts';
import { toWgs84 } from '../domain/coordinates.ts';
import type { RecordIssue } from '../domain/outcome.ts';

/** Vertices of the polygon that approximates a CAP circle (turf's default, about 5.6° apart). */
export const CIRCLE_STEPS = 64;

/** Half the Earth's circumference: a larger circle covers the whole Earth and wraps. */
export const MAX_CIRCLE_RADIUS_KM = 20_000;

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)$/;

function round(value: number): number {
  return Math.round(value * 1e7) / 1e7;
}

/** Reads one CAP "lat,lon" pair (WGS-84, latitude first) into a GeoJSON [lon, lat] position. */
function readPair(pair: string, path: string, ordinal: number): Position | RecordIssue {
  const parts = pair.split(',');
  const [lat, lon] = parts;
  if (parts.length !== 2 || !NUMBER.test(lat ?? '') || !NUMBER.test(lon ?? '')) {
    return {
      pointer: path,
      code: 'invalid_coordinates',
      message: `pair ${ordinal} "${pair}" is not "latitude,longitude" in decimal degrees (CAP writes latitude first)`,
    };
  }
  const converted = toWgs84(Number(lon), Number(lat), 'WGS84', path);
  if (!converted.ok) {
    return {
      pointer: path,
      code: 'invalid_coordinates',
      message: `pair ${ordinal} "${pair}": ${converted.issue.message} (CAP writes latitude first)`,
    };
  }
  return converted.point.coordinates;
}

/**
 * A CAP polygon ("lat,lon lat,lon …", at least four pairs, the first and last equal) as a
 * GeoJSON ring of [lon, lat] positions.
 */
export function readCapPolygon(text: string, path: string): Position[] | RecordIssue {
  const pairs = text.trim().split(/\s+/).filter(Boolean);
  const ring: Position[] = [];
  for (const [i, pair] of pairs.entries()) {
    const position = readPair(pair, path, i + 1);
    if (!Array.isArray(position)) return position;
    ring.push(position);
  }
  const first = ring[0];
  const last = ring[ring.length - 1];
  if (ring.length < 4) {
    return {
      pointer: path,
      code: 'invalid_polygon',
      message: `a CAP polygon needs at least four "latitude,longitude" pairs, the last equal to the first; it has ${ring.length}`,
    };
  }
  if (!first || !last || first[0] !== last[0] || first[1] !== last[1]) {
    return {
      pointer: path,
      code: 'invalid_polygon',
      message: 'a CAP polygon must be closed: its last pair must repeat its first',
    };
  }
  return ring;
}

export type CapCircle = { kind: 'point'; point: Position } | { kind: 'polygon'; ring: Position[] };

/** Keeps turf's output within the contract's ranges: longitudes wrap, latitudes clamp. */
function normalizePosition([lon, lat]: number[]): Position {
  const wrapped = (((((lon ?? 0) + 180) % 360) + 360) % 360) - 180;
  return [round(wrapped), round(Math.max(-90, Math.min(90, lat ?? 0)))];
}

/**
 * A CAP circle ("lat,lon radius", radius in km) as a polygon approximation of CIRCLE_STEPS
 * vertices (turf, on the sphere); a radius of 0 is the point itself.
 */
export function readCapCircle(text: string, path: string): CapCircle | RecordIssue {
  const parts = text.trim().split(/\s+/);
  const [pair, radiusText] = parts;
  if (parts.length !== 2 || pair === undefined || radiusText === undefined || !NUMBER.test(radiusText)) {
    return {
      pointer: path,
      code: 'invalid_circle',
      message:
        'a CAP circle is "latitude,longitude radius" with the radius in kilometres, e.g. "23.03,113.14 5"',
    };
  }
  const center = readPair(pair, path, 1);
  if (!Array.isArray(center)) return center;
  const radius = Number(radiusText);
  if (radius < 0 || radius > MAX_CIRCLE_RADIUS_KM) {
    return {
      pointer: path,
      code: 'invalid_circle',
      message: `the radius of a CAP circle is between 0 and ${MAX_CIRCLE_RADIUS_KM} km (half the Earth's circumference); it is ${radiusText}`,
    };
  }
  if (radius === 0) return { kind: 'point', point: center };
  const polygon = circle(center, radius, { steps: CIRCLE_STEPS, units: 'kilometers' });
  const ring = (polygon.geometry.coordinates[0] ?? []).map(normalizePosition);
  // Rounding must not open the ring.
  const first = ring[0];
  if (first) ring[ring.length - 1] = [first[0], first[1]];
  return { kind: 'polygon', ring };
}

/** One polygon, or a multipolygon of several; undefined for none. */
export function areaOf(rings: Position[][]): GeoArea | undefined {
  if (rings.length === 0) return undefined;
  if (rings.length === 1) return { type: 'Polygon', coordinates: [rings[0] as Position[]] };
  return { type: 'MultiPolygon', coordinates: rings.map((ring) => [ring]) };
}

/** The centroid (mean of the vertices, turf) of the area, or of the points when there is no area. */
export function centroidOf(area: GeoArea | undefined, points: Position[]): GeoPoint | undefined {
  const geometry =
    area ?? (points.length > 0 ? { type: 'MultiPoint' as const, coordinates: points } : undefined);
  if (!geometry) return undefined;
  const [lon = 0, lat = 0] = centroid(geometry).geometry.coordinates;
  return { type: 'Point', coordinates: [round(lon), round(lat)] };
}
