/**
 * Geometry on WGS-84 through well-kept libraries: geodesic distances from GeographicLib, the
 * spatial index from H3, circles, centroids and polyline projection from turf.
 */
import type { GeoPoint, GeoPolygon, Position } from '@liandong/contracts';
import turfCentroid from '@turf/centroid';
import turfCircle from '@turf/circle';
import { lineString, multiPoint } from '@turf/helpers';
import nearestPointOnLine from '@turf/nearest-point-on-line';
import geodesic from 'geographiclib-geodesic';
import { cellToBoundary, getHexagonEdgeLengthAvg, gridDisk, latLngToCell } from 'h3-js';

const WGS84 = geodesic.Geodesic.WGS84;
const DISTANCE = geodesic.Geodesic.DISTANCE;

/** Geodesic distance in metres on the WGS-84 ellipsoid. */
export function distanceM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  return WGS84.Inverse(lat1, lon1, lat2, lon2, DISTANCE).s12 ?? Number.NaN;
}

/** The point `distance` metres from a start along an azimuth (degrees from north). */
export function destination(lon: number, lat: number, azimuth: number, distance: number): Position {
  const r = WGS84.Direct(lat, lon, azimuth, distance);
  return [r.lon2 ?? lon, r.lat2 ?? lat];
}

export function cellOf(lon: number, lat: number, resolution: number): string {
  return latLngToCell(lat, lon, resolution);
}

export interface CellScan {
  readonly resolution: number;
  /** Grid distance that covers every point within the radius of any point of a cell. */
  readonly k: number;
}

/**
 * The H3 resolution and ring size for a neighbour search within `radiusM`: the finest
 * resolution whose ring of at most 3 cells still covers the radius. Two points at a grid
 * distance k have centres at least ~1.5·k·edge apart; with a 10 % margin for the variation of
 * cell size, k ≥ (R + 2.2·edge) / (1.35·edge) cells cover the radius.
 */
export function cellScanFor(radiusM: number): CellScan {
  for (let resolution = 12; resolution >= 0; resolution--) {
    const edge = getHexagonEdgeLengthAvg(resolution, 'm');
    const k = Math.max(1, Math.ceil((radiusM + 2.2 * edge) / (1.35 * edge)));
    if (k <= 3) return { resolution, k };
  }
  return { resolution: 0, k: 3 };
}

const DISK_CACHE_LIMIT = 100_000;
const diskCache = new Map<string, readonly string[]>();

/** The cells within grid distance k of a cell (cached: a district has a few thousand cells). */
export function diskOf(cell: string, k: number): readonly string[] {
  const key = k === 1 ? cell : `${cell}/${k}`;
  let disk = diskCache.get(key);
  if (disk === undefined) {
    if (diskCache.size >= DISK_CACHE_LIMIT) diskCache.clear();
    disk = gridDisk(cell, k);
    diskCache.set(key, disk);
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

/** The hexagon of an H3 cell as a GeoJSON polygon (closed ring, longitude first). */
export function cellArea(cell: string): GeoPolygon {
  return { type: 'Polygon', coordinates: [cellToBoundary(cell, true) as Position[]] };
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
