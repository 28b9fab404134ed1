/**
 * Load for the benchmarks: the everyday events of many districts at once, as the topics would
 * hold them (Poisson arrivals with a day/night profile around the towns of Nanhai, gauges every
 * 10 minutes; `tiles` copies of the district side by side, `rateFactor` times busier), built as
 * events directly because millions of them are wanted in seconds. Deterministic for a seed, with
 * the simulator's random source. The incidents and the scenario files come from the simulator
 * (tests/scenarios/simulator-export.ts), not from here.
 */
import {
  NANHAI_GAUGES,
  NANHAI_TOWNS,
  type DepartmentCode,
  type GaugeStation,
  type Measurement,
  type NormalizedEvent,
  type Position,
} from '@liandong/contracts';
import { byArrival } from '@liandong/correlation-engine';
import { buildEvent, type EventSpec } from '@liandong/correlation-engine/testing';
import { createRandom, offset, type Random } from '@liandong/simulator';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The towns of Nanhai (contracts' reference dataset): centres and shares of everyday events. */
const TOWNS = NANHAI_TOWNS.map((town) => ({
  id: town.code,
  center: [town.center.lon, town.center.lat] as Position,
  weight: town.share,
}));

type GaugeKind = GaugeStation['kind'];

interface Gauge {
  readonly stationId: string;
  readonly name: string;
  readonly kind: GaugeKind;
  readonly position: Position;
  readonly river?: string;
  readonly thresholds: Readonly<Record<string, number>>;
  /** Everyday reading and its spread. */
  readonly normal: number;
  readonly spread: number;
}

/** Everyday readings by kind: rivers at about 60 % of their warning level, no rain, clean water. */
function everyday(station: GaugeStation): { normal: number; spread: number } {
  switch (station.kind) {
    case 'river_level':
      return { normal: 0.62 * (station.thresholds['warning'] ?? 5), spread: 0.05 };
    case 'water_quality':
      return { normal: 38, spread: 4 };
    case 'rainfall':
    case 'waterlogging_depth':
      return { normal: 0, spread: 0 };
  }
}

/** The gauges of the demo registry (contracts' reference dataset). */
const GAUGES: readonly Gauge[] = NANHAI_GAUGES.map((station) => ({
  stationId: station.stationId,
  name: station.name.zh,
  kind: station.kind,
  position: [station.position.lon, station.position.lat],
  ...(station.river ? { river: station.river } : {}),
  thresholds: station.thresholds,
  ...everyday(station),
}));

const MEASUREMENT: Record<GaugeKind, { name: string; unit: string; digits: number }> = {
  river_level: { name: 'water_level', unit: 'm', digits: 2 },
  rainfall: { name: 'rainfall_1h', unit: 'mm', digits: 1 },
  waterlogging_depth: { name: 'water_depth', unit: 'm', digits: 2 },
  water_quality: { name: 'quality_index', unit: '1', digits: 0 },
};

/** Everyday events per hour at daytime, by department and vocabulary key. */
const BACKGROUND: Record<Exclude<DepartmentCode, 'water'>, Record<string, number>> = {
  police: {
    theft: 10,
    noise: 8,
    disturbance: 8,
    other: 10,
    fight: 4,
    traffic_accident: 5,
    missing_person: 2,
    crowd_gathering: 0.3,
    petition_gathering: 0.1,
    fire: 0.3,
  },
  urban: {
    road_damage: 3,
    illegal_construction: 2,
    street_vendor: 3,
    garbage: 3,
    noise: 2,
    petition: 0.5,
    manhole_cover: 0.4,
    tree_fallen: 0.2,
    crowd_complaint: 0.1,
    other: 1,
  },
  market: {
    complaint: 3,
    price_complaint: 1,
    food_complaint: 0.3,
    inspection: 1,
    inspection_violation: 0.15,
    special_equipment_fault: 0.15,
    elevator_entrapment: 0.1,
  },
  health: {
    syndromic_fever: 3,
    syndromic_gastro: 1.5,
    ems_dispatch: 1.5,
    infectious_disease: 0.3,
    heatstroke: 0.3,
    other: 0.5,
  },
  traffic: { congestion: 10, vehicle_breakdown: 4, roadworks: 2, obstruction: 2, accident: 2 },
};

/** Share of the daytime rate by local hour. */
function profile(department: DepartmentCode, hour: number): number {
  const night = hour < 7 || hour >= 23;
  switch (department) {
    case 'market':
      return hour >= 8 && hour < 22 ? 1 : 0.05;
    case 'urban':
      return night ? 0.15 : 1;
    case 'police':
    case 'traffic':
      return night ? 0.35 : hour >= 17 && hour < 20 ? 1.3 : 1;
    case 'health':
    case 'water':
      return night ? 0.5 : 1;
  }
}

export interface StreamOptions {
  readonly seed: number;
  /** Multiplies every department's rate (not the gauges). */
  readonly rateFactor?: number;
  /**
   * Copies of the district laid on a grid 0.25° apart (for load: many districts' worth of
   * events at their own density). 1 by default.
   */
  readonly tiles?: number;
  /** Departments left out between these times (a feed outage). */
  readonly outage?: { readonly department: DepartmentCode; readonly from: number; readonly to: number };
}

/** Waiting time to the next arrival of a Poisson process of `ratePerMs`. */
function waiting(random: Random, ratePerMs: number): number {
  return random.exponentialMinutes(ratePerMs * HOUR) * MINUTE;
}

function localHour(ms: number): number {
  return Math.floor(((ms + 8 * HOUR) % (24 * HOUR)) / HOUR);
}

/** Builds the events of one scenario; tracks source ids. */
class StreamWriter {
  readonly random: Random;
  readonly events: NormalizedEvent[] = [];
  private counter = 0;

  constructor(
    seed: number,
    readonly prefix: string,
  ) {
    this.random = createRandom(seed);
  }

  nextId(department: string): string {
    this.counter += 1;
    return `${this.prefix}-${department}-${String(this.counter).padStart(7, '0')}`;
  }

  /** A point around a centre: a random bearing, a Rayleigh-distributed distance of scale σ. */
  around(center: Position, sigmaM: number, maxM = 4 * sigmaM): Position {
    const distance = Math.min(maxM, sigmaM * Math.sqrt(-2 * Math.log(1 - this.random.next())));
    const point = offset({ lon: center[0], lat: center[1] }, distance, this.random.next() * 360);
    return [point.lon, point.lat];
  }

  add(spec: Omit<EventSpec, 'sourceId'> & { sourceId?: string }): NormalizedEvent {
    const department = spec.type.slice(0, spec.type.indexOf('.'));
    const event = buildEvent({ ...spec, sourceId: spec.sourceId ?? this.nextId(department) });
    this.events.push(event);
    return event;
  }

  gauge(
    gauge: Gauge,
    at: number,
    value: number,
    offset: Position = [0, 0],
    stationId = gauge.stationId,
  ): NormalizedEvent {
    const m = MEASUREMENT[gauge.kind];
    const f = 10 ** m.digits;
    const measurement: Measurement = {
      name: m.name,
      value: Math.round(Math.max(0, value) * f) / f,
      unit: m.unit,
      thresholds: { ...gauge.thresholds },
    };
    return this.add({
      type: `water.${gauge.kind}`,
      sourceId: `${stationId}-${new Date(at).toISOString()}`,
      at,
      delaySeconds: 20,
      lon: gauge.position[0] + offset[0],
      lat: gauge.position[1] + offset[1],
      measurements: [measurement],
      place: { id: stationId, name: gauge.name, kind: 'station' },
      attributes: gauge.river ? { river: gauge.river } : {},
    });
  }

  /** Events in the order they stand on the topics: by receipt, then id. */
  sorted(): NormalizedEvent[] {
    return [...this.events].sort(byArrival);
  }
}

function tileOffset(tile: number): Position {
  if (tile === 0) return [0, 0];
  // Districts 0.25° apart on a grid around Nanhai, 50 to a row.
  const columns = 50;
  return [(tile % columns) * 0.25 - 6, Math.floor(tile / columns) * 0.25 - 4];
}

/** Background events of [from, from + span) (an hour by default, at most one) for every tile. */
function backgroundHour(writer: StreamWriter, from: number, options: StreamOptions, span = HOUR): void {
  const random = writer.random;
  const factor = options.rateFactor ?? 1;
  const tiles = options.tiles ?? 1;
  const hour = localHour(from);
  for (let tile = 0; tile < tiles; tile++) {
    const offset = tileOffset(tile);
    for (const [department, rates] of Object.entries(BACKGROUND) as [
      DepartmentCode,
      Record<string, number>,
    ][]) {
      let total = 0;
      for (const r of Object.values(rates)) total += r;
      const ratePerMs = (total * factor * profile(department, hour)) / HOUR;
      for (let t = from + waiting(random, ratePerMs); t < from + span; t += waiting(random, ratePerMs)) {
        const o = options.outage;
        if (o && o.department === department && t >= o.from && t < o.to) continue;
        const key = random.weighted(Object.keys(rates), (k) => rates[k] as number);
        const town = random.weighted(TOWNS, (t) => t.weight);
        const at = writer.around([town.center[0] + offset[0], town.center[1] + offset[1]], 3000, 9000);
        writer.add(backgroundSpec(random, department, key, t, at));
      }
    }
    for (const gauge of GAUGES) {
      for (let t = from; t < from + span; t += 10 * MINUTE) {
        const suffix = tiles > 1 ? `-T${tile}` : '';
        const o = options.outage;
        if (o && o.department === 'water' && t >= o.from && t < o.to) continue;
        writer.gauge(
          gauge,
          t,
          gauge.normal + gauge.spread * (2 * random.next() - 1),
          offset,
          gauge.stationId + suffix,
        );
      }
    }
  }
}

function backgroundSpec(
  random: Random,
  department: DepartmentCode,
  key: string,
  t: number,
  at: Position,
): Omit<EventSpec, 'sourceId'> {
  const type = `${department}.${key}`;
  const base = { type, at: t, lon: at[0], lat: at[1] };
  switch (department) {
    case 'police': {
      // Dispatchers grade most everyday calls priority 4 (Minor).
      const attributes: Record<string, string | number> = { recordType: 'call' };
      const minor = random.chance(0.75);
      if (minor) attributes['priority'] = 4;
      if (key === 'crowd_gathering' || key === 'petition_gathering')
        attributes['peopleInvolved'] = random.int(5, 20);
      return {
        ...base,
        delaySeconds: random.int(20, 120),
        ...(minor ? { severity: 'Minor' as const } : {}),
        attributes,
      };
    }
    case 'urban':
      return {
        ...base,
        delaySeconds: random.int(60, 600),
        format: random.chance(0.7) ? 'open311-v2-json' : 'open311-v2-xml',
      };
    case 'market':
      return {
        ...base,
        delaySeconds: random.int(120, 900),
        attributes: key === 'elevator_entrapment' ? { peopleAffected: random.int(1, 3) } : {},
      };
    case 'health':
      return { ...base, delaySeconds: random.int(300, 2400), attributes: { cases: 1 } };
    case 'traffic':
      return {
        ...base,
        delaySeconds: random.int(10, 90),
        attributes:
          key === 'accident'
            ? {
                vehiclesInvolved: random.int(1, 3),
                injured: random.int(0, 1),
                dead: 0,
                hazardousGoods: false,
              }
            : {},
      };
    case 'water':
      return base;
  }
}

/**
 * An everyday stream of `hours` hours from `from` (for tests and benchmarks), in slices of
 * `sliceMinutes` (each sorted as on the topics).
 */
export function* backgroundStream(
  from: number,
  hours: number,
  options: StreamOptions,
  sliceMinutes = 60,
): Generator<NormalizedEvent[]> {
  const span = Math.min(60, sliceMinutes) * MINUTE;
  for (let i = 0; i * span < hours * HOUR; i++) {
    const writer = new StreamWriter(options.seed * 100_000 + i, `BG${options.seed}-S${i}`);
    backgroundHour(writer, from + i * span, options, span);
    yield writer.sorted();
  }
}
