/**
 * Deterministic scenario generator: the shape of the simulator's exports. A background of
 * everyday events for each department (Poisson arrivals with a day/night profile, around the
 * towns of Nanhai, gauges every 10 minutes) and incidents laid over it: a rainstorm, a
 * food-poisoning cluster, a crowd gathering, a hazardous-goods accident that reaches the river,
 * a feed outage. Same seed, same events, in the order they would stand on the topics.
 */
import {
  NANHAI_GAUGES,
  NANHAI_ROADS,
  NANHAI_TOWNS,
  type DepartmentCode,
  type GaugeStation,
  type Measurement,
  type NormalizedEvent,
  type Position,
} from '@liandong/contracts';
import { byArrival } from '../domain/arrival.order.ts';
import { destination } from '../domain/wgs84.geometry.ts';
import { buildEvent, scenarioEventId, type EventSpec } from './event.builder.ts';
import { Random } from './random.source.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The towns of Nanhai (contracts' reference dataset): centres and shares of everyday events. */
export const TOWNS = NANHAI_TOWNS.map((town) => ({
  id: town.code,
  center: [town.center.lon, town.center.lat] as Position,
  weight: town.share,
}));
type Town = (typeof TOWNS)[number];

const TOWN_WEIGHTS: Record<string, number> = Object.fromEntries(TOWNS.map((t) => [t.id, t.weight]));

export type GaugeKind = GaugeStation['kind'];

export interface Gauge {
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
export const GAUGES: readonly Gauge[] = NANHAI_GAUGES.map((station) => ({
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

function localHour(ms: number): number {
  return Math.floor(((ms + 8 * HOUR) % (24 * HOUR)) / HOUR);
}

/** Builds the events of one scenario; tracks source ids. */
export class ScenarioWriter {
  readonly random: Random;
  readonly events: NormalizedEvent[] = [];
  private counter = 0;

  constructor(
    seed: number,
    readonly prefix: string,
  ) {
    this.random = new Random(seed);
  }

  nextId(department: string): string {
    this.counter += 1;
    return `${this.prefix}-${department}-${String(this.counter).padStart(7, '0')}`;
  }

  /** A point around a centre: a random bearing, a Rayleigh-distributed distance of scale σ. */
  around(center: Position, sigmaM: number, maxM = 4 * sigmaM): Position {
    const distance = Math.min(maxM, sigmaM * Math.sqrt(-2 * Math.log(1 - this.random.next())));
    return destination(center[0], center[1], this.random.between(0, 360), distance);
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
export function backgroundHour(
  writer: ScenarioWriter,
  from: number,
  options: StreamOptions,
  span = HOUR,
): void {
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
      for (
        let t = from + random.exponential(ratePerMs);
        t < from + span;
        t += random.exponential(ratePerMs)
      ) {
        const o = options.outage;
        if (o && o.department === department && t >= o.from && t < o.to) continue;
        const key = random.weighted(rates);
        const townId = random.weighted(TOWN_WEIGHTS);
        const town = TOWNS.find((x) => x.id === townId) as Town;
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
          gauge.normal + random.between(-gauge.spread, gauge.spread),
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
    const writer = new ScenarioWriter(options.seed * 100_000 + i, `BG${options.seed}-S${i}`);
    backgroundHour(writer, from + i * span, options, span);
    yield writer.sorted();
  }
}

function backgroundOf(
  writer: ScenarioWriter,
  from: number,
  to: number,
  options: Omit<StreamOptions, 'seed'> = {},
): void {
  for (let t = from; t < to; t += HOUR) backgroundHour(writer, t, { seed: 0, ...options });
}

const local = (iso: string) => Date.parse(`${iso}+08:00`);

/** A gauge of the reference dataset, by station id. */
function gauge(stationId: string): Gauge {
  const found = GAUGES.find((g) => g.stationId === stationId);
  if (!found) throw new Error(`no gauge "${stationId}" in the Nanhai reference dataset`);
  return found;
}

/** A road of the reference dataset, by name. */
function road(name: string): string {
  if (!NANHAI_ROADS.some((r) => r.name === name))
    throw new Error(`no road "${name}" in the Nanhai reference dataset`);
  return name;
}

export interface ScenarioOptions {
  /** Lay the incident over a background of everyday events (default true). */
  readonly background?: boolean;
}

/** A rainstorm over Guicheng: the rain gauge, the river and a tunnel rise; roads flood; 110 rings. */
export function rainstormScenario(options: ScenarioOptions = {}): NormalizedEvent[] {
  const w = new ScenarioWriter(101, 'RAIN');
  const from = local('2026-06-01T12:00:00');
  const to = local('2026-06-01T20:00:00');
  if (options.background !== false) backgroundOf(w, from, to);
  // The background wrote normal readings for every gauge: drop the three the storm drives.
  const driven = new Set(['rain-guicheng', 'guicheng-foshan-waterway', 'haiba-underpass']);
  w.events.splice(0, w.events.length, ...w.events.filter((e) => !(e.place?.id && driven.has(e.place.id))));
  const storm = local('2026-06-01T14:30:00');
  const rainGauge = gauge('rain-guicheng');
  const riverGauge = gauge('guicheng-foshan-waterway');
  const warningLevel = riverGauge.thresholds['warning'] as number;
  for (let t = from; t < to; t += 10 * MINUTE) {
    const m = (t - storm) / MINUTE; // minutes into the storm
    // One-hour rainfall peaks at about 44 mm: over the yellow bound (30), under the orange (50).
    const rain = m < 0 ? 0 : m <= 120 ? 8 + m * 0.3 : Math.max(0, 44 - (m - 120) * 0.4);
    w.gauge(rainGauge, t, rain + w.random.between(-1, 1));
    // The waterway rises to 0.25 m over its warning level, short of its guaranteed level.
    const river = Math.min(warningLevel + 0.25, riverGauge.normal + Math.max(0, m - 30) * 0.012);
    w.gauge(riverGauge, t, river + w.random.between(-0.02, 0.02));
    const depth = m < 50 ? 0 : Math.min(0.45, (m - 50) * 0.006);
    w.gauge(gauge('haiba-underpass'), t, depth);
  }
  const centre: Position = [113.148, 23.031];
  const at = (minutes: number) => storm + minutes * MINUTE;
  const spot = () => w.around(centre, 700, 1800);
  const roads = ['海八路', '南海大道', '桂澜路', '灯湖东路', '南桂路'].map(road);
  const incidents: [number, string, Record<string, string | number | boolean>][] = [
    [70, 'traffic.flooded_road', { roadName: roads[0] as string }],
    [78, 'urban.waterlogging', {}],
    [84, 'police.flooding', { recordType: 'call' }],
    [90, 'urban.waterlogging', {}],
    [95, 'traffic.flooded_road', { roadName: roads[1] as string }],
    [98, 'police.flooding', { recordType: 'call' }],
    [
      104,
      'traffic.accident',
      { roadName: roads[2] as string, vehiclesInvolved: 2, injured: 0, dead: 0, hazardousGoods: false },
    ],
    [106, 'police.traffic_accident', { recordType: 'call' }],
    [110, 'urban.waterlogging', {}],
    [115, 'police.flooding', { recordType: 'call' }],
    [118, 'traffic.flooded_road', { roadName: roads[3] as string }],
    [124, 'police.people_trapped', { recordType: 'call', peopleInvolved: 2 }],
    [128, 'urban.manhole_cover', {}],
    [133, 'police.flooding', { recordType: 'call' }],
    [
      140,
      'traffic.accident',
      { roadName: roads[4] as string, vehiclesInvolved: 3, injured: 1, dead: 0, hazardousGoods: false },
    ],
    [146, 'urban.waterlogging', {}],
    [152, 'police.flooding', { recordType: 'call' }],
  ];
  for (const [minutes, type, attributes] of incidents) {
    const p = spot();
    w.add({ type, at: at(minutes), lon: p[0], lat: p[1], attributes, delaySeconds: w.random.int(20, 300) });
  }
  return w.sorted();
}

/** A wedding lunch at one restaurant: cases at three hospitals, complaints to 12315, a 110 call. */
export function foodPoisoningScenario(options: ScenarioOptions = {}): NormalizedEvent[] {
  const w = new ScenarioWriter(202, 'FOOD');
  const from = local('2026-06-05T10:00:00');
  if (options.background !== false) backgroundOf(w, from, local('2026-06-06T04:00:00'));
  const venue = { id: 'JY24406050012345', name: '桂城某海鲜酒家', kind: 'venue' };
  const restaurant: Position = [113.1602, 23.0413];
  const hospitals: Position[] = [
    [113.1521, 23.0352],
    [113.1705, 23.0468],
    [113.1433, 23.0495],
  ];
  const start = local('2026-06-05T15:30:00');
  const cases = [2, 1, 3, 2, 4, 1, 3, 2, 2, 3, 1, 4, 2, 3, 2];
  cases.forEach((n, i) => {
    const h = hospitals[i % hospitals.length] as Position;
    const late = i === 9; // reported three hours after the fact: beyond the allowed lateness
    w.add({
      type: 'health.food_poisoning',
      at: start + i * 30 * MINUTE,
      delaySeconds: late ? 3 * 3600 : w.random.int(600, 2400),
      lon: h[0],
      lat: h[1],
      place: venue,
      attributes: { recordType: 'case', cases: n, severeCases: 0, deaths: 0 },
    });
  });
  for (const [minutes, type] of [
    [60, 'market.food_complaint'],
    [170, 'market.food_complaint'],
    [260, 'police.poisoning'],
    [330, 'market.food_complaint'],
  ] as const) {
    w.add({
      type,
      at: start + minutes * MINUTE,
      delaySeconds: 300,
      lon: restaurant[0],
      lat: restaurant[1],
      place: venue,
    });
  }
  return w.sorted();
}

/** Workers gather at a factory gate in Dali over unpaid wages: 110 calls, petitions, complaints. */
export function crowdGatheringScenario(options: ScenarioOptions = {}): NormalizedEvent[] {
  const w = new ScenarioWriter(303, 'CROWD');
  if (options.background !== false)
    backgroundOf(w, local('2026-06-08T08:00:00'), local('2026-06-08T14:00:00'));
  const gate: Position = [113.1085, 23.0882];
  const start = local('2026-06-08T09:20:00');
  const reports: [number, string, number][] = [
    [0, 'police.crowd_gathering', 30],
    [12, 'urban.crowd_complaint', 0],
    [20, 'police.petition_gathering', 50],
    [31, 'police.crowd_gathering', 80],
    [38, 'urban.petition', 0],
    [45, 'police.crowd_gathering', 120],
    [52, 'urban.crowd_complaint', 0],
    [60, 'police.crowd_gathering', 150],
    [74, 'police.petition_gathering', 150],
    [90, 'police.crowd_gathering', 100],
  ];
  for (const [minutes, type, people] of reports) {
    const p = w.around(gate, 60, 150);
    const attributes: Record<string, string | number> = type.startsWith('police.')
      ? { recordType: 'call', peopleInvolved: people }
      : {};
    w.add({
      type,
      at: start + minutes * MINUTE,
      delaySeconds: w.random.int(30, 240),
      lon: p[0],
      lat: p[1],
      attributes,
      address: '大沥镇某工业园正门',
    });
  }
  return w.sorted();
}

/**
 * A tanker overturns on the riverside road at Jiujiang, upstream of the water-quality station
 * on the Xijiang (the simulator's hazmat-river scenario, at the same place); the station alarms.
 */
export function hazmatRiverScenario(options: ScenarioOptions = {}): NormalizedEvent[] {
  const w = new ScenarioWriter(404, 'HAZMAT');
  const from = local('2026-06-10T06:00:00');
  const to = local('2026-06-10T14:00:00');
  if (options.background !== false) backgroundOf(w, from, to);
  const station = gauge('jiujiang-water-quality');
  w.events.splice(0, w.events.length, ...w.events.filter((e) => e.place?.id !== station.stationId));
  const bridge = destination(station.position[0], station.position[1], 330, 2200);
  const crash = local('2026-06-10T08:10:00');
  const accident = {
    roadName: road('九江沿江路'),
    vehiclesInvolved: 2,
    injured: 1,
    dead: 0,
    hazardousGoods: true,
    hazardousGoodsClass: '3',
  };
  w.add({
    type: 'traffic.hazardous_goods_accident',
    at: crash,
    lon: bridge[0],
    lat: bridge[1],
    attributes: accident,
    delaySeconds: 60,
  });
  w.add({
    type: 'police.hazardous_goods',
    at: crash + 2 * MINUTE,
    lon: bridge[0] + 0.0004,
    lat: bridge[1] - 0.0003,
    attributes: { recordType: 'call', injured: 1 },
    delaySeconds: 40,
  });
  w.add({
    type: 'health.ems_dispatch',
    at: crash + 5 * MINUTE,
    lon: bridge[0] + 0.0002,
    lat: bridge[1],
    attributes: { recordType: 'dispatch', cases: 1 },
    delaySeconds: 60,
  });
  const cap = w.add({
    type: 'traffic.hazardous_goods_accident',
    cap: true,
    sourceId: 'GD-TRAFFIC-CAP-20260610-0007',
    at: crash + 15 * MINUTE,
    lon: bridge[0],
    lat: bridge[1],
    severity: 'Severe',
    attributes: { hazardousGoods: true },
    delaySeconds: 10,
  });
  w.add({
    type: 'traffic.hazardous_goods_accident',
    cap: true,
    sourceId: 'GD-TRAFFIC-CAP-20260610-0008',
    at: crash + 55 * MINUTE,
    lon: bridge[0],
    lat: bridge[1],
    severity: 'Extreme',
    msgType: 'Update',
    references: [cap.id],
    attributes: { hazardousGoods: true, injured: 2 },
    delaySeconds: 10,
  });
  const spill = local('2026-06-10T09:30:00');
  for (let t = from; t < to; t += 10 * MINUTE) {
    const m = (t - spill) / MINUTE;
    const value =
      m < 0
        ? station.normal + w.random.between(-3, 3)
        : m <= 60
          ? 50 + m * 0.9
          : Math.max(45, 104 - (m - 60) * 0.5);
    w.gauge(station, t, value);
  }
  return w.sorted();
}

/** An ordinary day: nothing a duty officer should be woken for. */
export function quietDayScenario(options: ScenarioOptions = {}): NormalizedEvent[] {
  const w = new ScenarioWriter(505, 'QUIET');
  if (options.background !== false)
    backgroundOf(w, local('2026-06-03T00:00:00'), local('2026-06-04T00:00:00'));
  return w.sorted();
}

/** The traffic connector stops for two and a half hours in the morning, then catches up. */
export function feedOutageScenario(options: ScenarioOptions = {}): NormalizedEvent[] {
  const w = new ScenarioWriter(606, 'OUTAGE');
  if (options.background !== false)
    backgroundOf(w, local('2026-06-12T06:00:00'), local('2026-06-12T14:00:00'), {
      outage: { department: 'traffic', from: local('2026-06-12T09:00:00'), to: local('2026-06-12T11:30:00') },
    });
  return w.sorted();
}

export const SCENARIOS = {
  rainstorm: rainstormScenario,
  'food-poisoning': foodPoisoningScenario,
  'crowd-gathering': crowdGatheringScenario,
  'hazmat-river': hazmatRiverScenario,
  'quiet-day': quietDayScenario,
  'feed-outage': feedOutageScenario,
} as const satisfies Record<string, (options?: ScenarioOptions) => NormalizedEvent[]>;
export type ScenarioName = keyof typeof SCENARIOS;

export { scenarioEventId };

/** Events as NDJSON, one a line, as the scenario files hold them. */
export function toNdjson(events: readonly NormalizedEvent[]): string {
  return events.map((e) => `${JSON.stringify(e)}\n`).join('');
}
