import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import destination from '@turf/destination';
import { point } from '@turf/helpers';

/** A seeded source of randomness: the same seed gives the same feeds. */
export interface Random {
  next(): number;
  int(from: number, to: number): number;
  pick<T>(items: readonly T[]): T;
  /** An item drawn with the probability of its weight among all. */
  weighted<T>(items: readonly T[], weight: (item: T) => number): T;
  chance(p: number): boolean;
  /** Minutes until the next arrival of a Poisson process with `perHour` arrivals an hour. */
  exponentialMinutes(perHour: number): number;
  normal(mean: number, sd: number): number;
}

export function createRandom(seed: number): Random {
  const rng = xoroshiro128plus(seed);
  const next = () => uniformFloat64(rng);
  return {
    next,
    int: (from, to) => uniformInt(rng, from, to),
    pick: (items) => items[uniformInt(rng, 0, items.length - 1)] as (typeof items)[number],
    chance: (p) => next() < p,
    weighted: (items, weight) => {
      let r = next() * items.reduce((sum, item) => sum + weight(item), 0);
      for (const item of items) if ((r -= weight(item)) < 0) return item;
      return items[items.length - 1] as (typeof items)[number];
    },
    exponentialMinutes: (perHour) => (-Math.log(1 - next()) / perHour) * 60,
    normal: (mean, sd) => mean + sd * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
  };
}

/** A point `distanceM` metres from `center` on `bearing` degrees (geodesic, via turf). */
export function offset(center: { lon: number; lat: number }, distanceM: number, bearing: number) {
  const [lon, lat] = destination(point([center.lon, center.lat]), distanceM / 1000, bearing, {
    units: 'kilometers',
  }).geometry.coordinates as [number, number];
  return { lon: Math.round(lon * 1e6) / 1e6, lat: Math.round(lat * 1e6) / 1e6 };
}

/** A point spread around `center` within `radiusM` (uniform over the disc). */
export function near(random: Random, center: { lon: number; lat: number }, radiusM: number) {
  return offset(center, radiusM * Math.sqrt(random.next()), random.next() * 360);
}
