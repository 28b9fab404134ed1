/** A seeded random source (pure-rand's xoroshiro128+) with the draws the scenario generator needs. */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

interface WeightTable {
  readonly keys: string[];
  readonly cumulative: number[];
  readonly total: number;
}

const TABLES = new WeakMap<object, WeightTable>();

export class Random {
  private readonly rng;

  constructor(seed: number) {
    this.rng = xoroshiro128plus(seed);
    // xoroshiro128+ seeded from a small integer starts with correlated draws: warm it up.
    for (let i = 0; i < 20; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    return uniformFloat64(this.rng);
  }

  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  int(min: number, max: number): number {
    return Math.floor(this.between(min, max + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Waiting time of a Poisson process of `ratePerMs`. */
  exponential(ratePerMs: number): number {
    return -Math.log(1 - this.next()) / ratePerMs;
  }

  /** A key drawn with the given weights. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    let table = TABLES.get(weights);
    if (table === undefined) {
      const keys = Object.keys(weights) as K[];
      let total = 0;
      const cumulative = keys.map((k) => (total += weights[k]));
      table = { keys, cumulative, total };
      TABLES.set(weights, table);
    }
    const r = this.next() * table.total;
    const { keys, cumulative } = table;
    for (let i = 0; i < keys.length; i++) if (r < (cumulative[i] as number)) return keys[i] as K;
    return keys[keys.length - 1] as K;
  }
}
