/**
 * Geometry on WGS-84 through well-kept libraries: geodesic distances from GeographicLib, the
 * spatial index from H3, circles, centroids and polyline projection from turf.
 */
import type { GeoPoint, GeoPolygon, Position } from '@liandong/contracts';
import turfCentroid from '@turf/centroid';
import turfCircle from '@turf/circle';
import turfDistance from '@turf/distance';
import { lineString, multiPoint } from '@turf/helpers';
import nearestPointOnLine from '@turf/nearest-point-on-line';
import geodesic from 'geographiclib-geodesic';
import { edgeLength, getHexagonEdgeLengthAvg, gridDisk, latLngToCell, originToDirectedEdges } from 'h3-js';

const WGS84 = geodesic.Geodesic.WGS84;
const DISTANCE = geodesic.Geodesic.DISTANCE;

/** Geodesic distance in metres on the WGS-84 ellipsoid. */
export function distanceM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  return WGS84.Inverse(lat1, lon1, lat2, lon2, DISTANCE).s12 ?? Number.NaN;
}

/**
 * Whether two points lie within `radiusM` on the ellipsoid. The great-circle distance on the
 * mean sphere (turf, cheap) differs from the geodesic by less than 0.6 %, so it settles pairs
 * clearly inside or outside; only pairs near the edge pay for the geodesic.
 */
export function withinM(lon1: number, lat1: number, lon2: number, lat2: number, radiusM: number): boolean {
  const sphere = turfDistance([lon1, lat1], [lon2, lat2], { units: 'meters' });
  if (sphere > radiusM * 1.006) return false;
  if (sphere < radiusM * 0.994) return true;
  return distanceM(lon1, lat1, lon2, lat2) <= radiusM;
}

/** The point `distance` metres from a start along an azimuth (degrees from north). */
export function destination(lon: number, lat: number, azimuth: number, distance: number): Position {
  const r = WGS84.Direct(lat, lon, azimuth, distance);
  return [r.lon2 ?? lon, r.lat2 ?? lat];
}

export function cellOf(lon: number, lat: number, resolution: number): string {
  return latLngToCell(lat, lon, resolution);
}

/**
 * Two points at a grid distance k lie in cells whose centres are at least ~1.5·k·edge apart
 * (the narrow direction of the hexagon grid), and a point lies within ~1 edge of its cell's
 * centre. So the cells within R of any point of a cell lie within
 * k = ⌈(R + 2.2·longest edge) / (1.4·shortest edge)⌉ rings, measured on the cell itself (H3
 * cells differ in size across the globe), with margins for the cells' irregular shape.
 */
function ringsFor(cell: string, radiusM: number): number {
  let shortest = Infinity;
  let longest = 0;
  for (const edge of originToDirectedEdges(cell)) {
    const length = edgeLength(edge, 'm');
    shortest = Math.min(shortest, length);
    longest = Math.max(longest, length);
  }
  return Math.max(1, Math.ceil((radiusM + 2.2 * longest) / (1.4 * shortest)));
}

/** The finest H3 resolution at which a neighbour search within `radiusM` needs at most 3 rings. */
export function resolutionFor(radiusM: number): number {
  for (let resolution = 12; resolution > 0; resolution--) {
    const edge = getHexagonEdgeLengthAvg(resolution, 'm');
    if (Math.ceil((radiusM + 2.2 * edge) / (1.4 * edge)) <= 3) return resolution;
  }
  return 0;
}

const CACHE_LIMIT = 200_000;
const diskCache = new Map<string, readonly string[]>();
/** One string instance per cell, so that the cached rings share them. */
const cellNames = new Map<string, string>();

function interned(cells: string[]): readonly string[] {
  if (cellNames.size >= 4 * CACHE_LIMIT) cellNames.clear();
  return cells.map((c) => {
    const known = cellNames.get(c);
    if (known !== undefined) return known;
    cellNames.set(c, c);
    return c;
  });
}

const ringCaches = new Map<number, Map<string, readonly string[]>>();

/**
 * The cells that may hold a point within `radiusM` of any point of `cell`. Cached for the process
 * (per radius): the H3 grid never changes, and a district has a few thousand cells.
 */
export function cellsWithin(cell: string, radiusM: number): readonly string[] {
  let cache = ringCaches.get(radiusM);
  if (cache === undefined) {
    cache = new Map();
    ringCaches.set(radiusM, cache);
  }
  let disk = cache.get(cell);
  if (disk === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    disk = interned(gridDisk(cell, ringsFor(cell, radiusM)));
    cache.set(cell, disk);
  }
  return disk;
}

/** The cell and its first ring (cached). */
export function ringOf(cell: string): readonly string[] {
  let disk = diskCache.get(cell);
  if (disk === undefined) {
    if (diskCache.size >= CACHE_LIMIT) diskCache.clear();
    disk = interned(gridDisk(cell, 1));
    diskCache.set(cell, disk);
  }
  return disk;
}

export function point(lon: number, lat: number): GeoPoint {
  return { type: 'Point', coordinates: [lon, lat] };
}

/** A polygon approximating the geodesic circle of `radiusM` around a point. */
export function circleArea(center: Position, radiusM: number): GeoPolygon {
  const feature = turfCircle(center, radiusM / 1000, { steps: 32, units: 'kilometers' });
  return { type: 'Polygon', coordinates: feature.geometry.coordinates as Position[][] };
}

export function centroidOf(points: readonly Position[]): Position {
  if (points.length === 1) return points[0] as Position;
  return turfCentroid(multiPoint(points as Position[])).geometry.coordinates as Position;
}

/** Where a point lies relative to a river: metres along it from its upstream end, metres off it. */
export interface RiverPosition {
  readonly alongM: number;
  readonly offsetM: number;
}

export type RiverProjector = (lon: number, lat: number) => RiverPosition;

export function riverProjector(line: readonly Position[]): RiverProjector {
  const river = lineString(line as Position[]);
  return (lon, lat) => {
    const nearest = nearestPointOnLine(river, [lon, lat], { units: 'meters' });
    return { alongM: nearest.properties.totalDistance, offsetM: nearest.properties.pointDistance };
  };
}
