import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cellOf,
  cellsWithin,
  destination,
  distanceM,
  resolutionFor,
  riverProjector,
  withinM,
} from './wgs84.geometry.ts';

describe('geometry on WGS-84', () => {
  it('given two points a known distance apart, when measured, then the geodesic distance is returned', () => {
    // The meridian arc from 23° N to 24° N on the WGS-84 ellipsoid.
    expect(distanceM(113.15, 23, 113.15, 24)).toBeCloseTo(110_751, 0);
  });

  it('given pairs of points near and far, when tested within a radius, then the cheap test agrees with the geodesic', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 112.8, max: 113.3, noNaN: true }),
        fc.double({ min: 22.75, max: 23.25, noNaN: true }),
        fc.double({ min: 0, max: 360, noNaN: true }),
        fc.double({ min: 0, max: 2000, noNaN: true }),
        fc.constantFrom(300, 1000, 2000),
        (lon, lat, azimuth, distance, radius) => {
          const [lon2, lat2] = destination(lon, lat, azimuth, distance);
          expect(withinM(lon, lat, lon2, lat2, radius)).toBe(distanceM(lon, lat, lon2, lat2) <= radius);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it.each([300, 1000, 2000, 3000])(
    'given a radius of %i m, when searching cells, then every point within it lies in the searched cells',
    (radius) => {
      const resolution = resolutionFor(radius);
      fc.assert(
        fc.property(
          fc.double({ min: 112.8, max: 113.3, noNaN: true }),
          fc.double({ min: 22.75, max: 23.25, noNaN: true }),
          fc.double({ min: 0, max: 360, noNaN: true }),
          fc.double({ min: 0, max: 1, noNaN: true }),
          (lon, lat, azimuth, fraction) => {
            const [lon2, lat2] = destination(lon, lat, azimuth, radius * fraction);
            const searched = cellsWithin(cellOf(lon, lat, resolution), radius);
            expect(searched).toContain(cellOf(lon2, lat2, resolution));
          },
        ),
        { numRuns: 400 },
      );
    },
  );

  it('given a river, when two points are projected, then the one downstream lies further along', () => {
    const project = riverProjector([
      [113.03, 23.08],
      [113.09, 23.04],
      [113.13, 23.005],
    ]);
    const upstream = project(113.031, 23.0823);
    const downstream = project(113.092, 23.039);
    expect(downstream.alongM - upstream.alongM).toBeGreaterThan(7000);
    expect(downstream.alongM - upstream.alongM).toBeLessThan(8500);
    expect(upstream.offsetM).toBeLessThan(500);
  });
});
