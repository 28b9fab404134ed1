import {
  NANHAI_GAUGES,
  NANHAI_ROADS,
  NANHAI_TOWNS,
  type DepartmentCode,
  type GaugeStation,
} from '@liandong/contracts';
import {
  healthRecord,
  marketRecord,
  observation,
  open311Request,
  policeRecord,
  trafficRecord,
} from './builders.ts';
import { createRandom, near, type Random } from './random.ts';
import { MINUTE, type SimRecord } from './sim-record.ts';

/** Everyday arrivals per hour over the whole district (at speed 1). */
export const BACKGROUND_RATES: Record<Exclude<DepartmentCode, 'water'>, number> = {
  police: 24,
  urban: 14,
  market: 8,
  health: 8,
  traffic: 12,
};

/** Gauges report every five minutes. */
export const GAUGE_INTERVAL_MS = 5 * MINUTE;

const ROADS = NANHAI_ROADS.map((road) => road.name);

const URBAN_CODES = [
  ['002', '道路破损', '路面出现坑洼'],
  ['008', '违法建设', '楼顶搭建铁皮房'],
  ['009', '占道经营', '路口流动摊贩占道'],
  ['010', '垃圾堆积', '垃圾未及时清运'],
  ['011', '噪音扰民', '夜间施工噪音'],
  ['004', '树木倒伏', '路边树木倾斜'],
] as const;

/** A gauge's everyday reading. */
export function normalReading(station: GaugeStation, random: Random, minuteOfDay: number): number {
  switch (station.kind) {
    case 'river_level': {
      const warning = station.thresholds['warning'] ?? 5;
      // Tidal rivers of the Pearl River delta swing twice a day.
      return warning * (0.62 + 0.06 * Math.sin((minuteOfDay / 745) * 2 * Math.PI)) + random.normal(0, 0.02);
    }
    case 'rainfall':
      return random.chance(0.1) ? Math.max(0, random.normal(1.5, 1)) : 0;
    case 'waterlogging_depth':
      return 0;
    case 'water_quality':
      return Math.max(10, random.normal(32, 4));
  }
}

/**
 * The everyday feed of all six departments: scattered minor incidents, requests and complaints
 * in every town, and every gauge reporting on time. Deterministic for a seed.
 */
export function createBackground(seed: number, runId: string, startMinuteOfDay = 0) {
  const random = createRandom(seed);
  const next = new Map<string, number>();
  let serial = 0;
  const id = (prefix: string) => `${prefix}-${runId}-${(serial += 1).toString().padStart(6, '0')}`;

  function recordFor(department: Exclude<DepartmentCode, 'water'>, atMs: number): SimRecord {
    // Towns by their share of the district's incidents, anywhere in and around the built-up area.
    const town = random.weighted(NANHAI_TOWNS, (t) => t.share);
    const point = near(random, town.center, 2 * town.radiusM);
    const road = random.pick(ROADS);
    const address = `${town.name.zh}${road}`;
    const base = { atMs, department, scenario: 'background' };
    switch (department) {
      case 'police': {
        const type = random.pick([
          'theft',
          'disturbance',
          'noise',
          'fight',
          'traffic_accident',
          'missing_person',
          'other',
        ] as const);
        const recordId = id('JJ');
        return {
          ...base,
          sourceId: recordId,
          contentType: 'application/json',
          build: policeRecord(recordId, {
            recordType: 'call',
            type,
            // Dispatchers grade most everyday calls priority 4 (Minor).
            priority: random.pick([3, 4, 4, 4] as const),
            summary: `${address}附近群众报警`,
            point,
            address,
          }),
        };
      }
      case 'urban': {
        const [code, name, description] = random.pick(URBAN_CODES);
        const requestId = id('12345');
        return {
          ...base,
          sourceId: requestId,
          contentType: 'application/json',
          build: open311Request(requestId, {
            serviceCode: code,
            serviceName: name,
            description,
            point,
            address,
          }),
        };
      }
      case 'market': {
        const recordId = id('12315');
        return {
          ...base,
          sourceId: recordId,
          contentType: 'application/json',
          build: marketRecord(recordId, {
            recordType: 'complaint',
            type: random.pick(['complaint', 'price_complaint', 'complaint'] as const),
            description: '消费者投诉商品质量问题',
            venue: { name: `${town.name.zh}某商店` },
            point,
            address,
          }),
        };
      }
      case 'health': {
        const recordId = id('CDC');
        return {
          ...base,
          sourceId: recordId,
          contentType: 'application/json',
          build: healthRecord(recordId, {
            recordType: random.chance(0.6) ? 'dispatch' : 'syndromic',
            type: random.pick(['ems_dispatch', 'syndromic_fever', 'syndromic_gastro'] as const),
            cases: 1,
            facility: '南海区人民医院',
            point,
          }),
        };
      }
      case 'traffic': {
        const type = random.pick(['congestion', 'accident', 'vehicle_breakdown', 'roadworks'] as const);
        const recordId = id('SZ');
        return {
          ...base,
          sourceId: recordId,
          contentType: 'application/json',
          build: trafficRecord(recordId, {
            situationRecordType:
              type === 'congestion'
                ? 'AbnormalTraffic'
                : type === 'accident'
                  ? 'Accident'
                  : type === 'vehicle_breakdown'
                    ? 'VehicleObstruction'
                    : 'MaintenanceWorks',
            type,
            roadName: road,
            ...(type === 'accident' ? { vehiclesInvolved: 2, injured: 0 } : {}),
            point,
          }),
        };
      }
    }
  }

  return {
    /** The records due from the previous call up to `untilMs` (offsets from the start). */
    until(untilMs: number): SimRecord[] {
      const out: SimRecord[] = [];
      for (const department of Object.keys(BACKGROUND_RATES) as (keyof typeof BACKGROUND_RATES)[]) {
        let due = next.get(department) ?? random.exponentialMinutes(BACKGROUND_RATES[department]) * MINUTE;
        while (due < untilMs) {
          out.push(recordFor(department, Math.round(due)));
          due += random.exponentialMinutes(BACKGROUND_RATES[department]) * MINUTE;
        }
        next.set(department, due);
      }
      let gaugeDue = next.get('gauges') ?? 0;
      while (gaugeDue < untilMs) {
        const minuteOfDay = (startMinuteOfDay + gaugeDue / MINUTE) % 1440;
        for (const station of NANHAI_GAUGES) {
          const observationId = id(`OBS${String(station.datastreamId)}`);
          out.push({
            atMs: gaugeDue,
            department: 'water',
            scenario: 'background',
            sourceId: `${String(station.datastreamId)}:${observationId}`,
            contentType: 'application/json',
            build: observation(
              Number(station.datastreamId),
              observationId,
              normalReading(station, random, minuteOfDay),
            ),
          });
        }
        gaugeDue += GAUGE_INTERVAL_MS;
      }
      next.set('gauges', gaugeDue);
      return out.sort((a, b) => a.atMs - b.atMs);
    },
  };
}

export type Background = ReturnType<typeof createBackground>;
