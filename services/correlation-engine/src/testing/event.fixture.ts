/** Short-hand events for tests: minutes after a fixed local start, at a point of Guicheng. */
import { NANHAI_TOWNS, type Measurement, type NormalizedEvent } from '@liandong/contracts';
import { destination } from '../domain/wgs84.geometry.ts';
import { buildEvent, type EventSpec } from './event.builder.ts';

export const T0 = Date.parse('2026-06-01T10:00:00+08:00');
const guicheng = NANHAI_TOWNS.find((town) => town.code === 'guicheng')!;
/** The centre of Guicheng Subdistrict (contracts' reference dataset). */
export const GUICHENG: [number, number] = [guicheng.center.lon, guicheng.center.lat];

let counter = 0;

/** `type` at T0 + `minutes`, at Guicheng unless placed elsewhere (lon/lat) or nowhere (lon: undefined). */
export function at(
  minutes: number,
  type: string,
  spec: Partial<Omit<EventSpec, 'type' | 'at'>> & { noLocation?: boolean } = {},
): NormalizedEvent {
  counter += 1;
  const { noLocation, ...rest } = spec;
  return buildEvent({
    sourceId: `T-${counter}`,
    ...(noLocation ? {} : { lon: GUICHENG[0], lat: GUICHENG[1] }),
    ...rest,
    type,
    at: T0 + minutes * 60_000,
  });
}

/** A point `metresEast` east and `metresNorth` north of Guicheng, along the geodesic. */
export function near(metresEast: number, metresNorth = 0): { lon: number; lat: number } {
  const azimuth = (Math.atan2(metresEast, metresNorth) * 180) / Math.PI;
  const [lon, lat] = destination(GUICHENG[0], GUICHENG[1], azimuth, Math.hypot(metresEast, metresNorth));
  return { lon, lat };
}

export function gaugeReading(
  minutes: number,
  type: 'water.river_level' | 'water.rainfall' | 'water.waterlogging_depth' | 'water.water_quality',
  value: number,
  spec: Partial<Omit<EventSpec, 'type' | 'at'>> = {},
): NormalizedEvent {
  const measurement: Omit<Measurement, 'value'> = {
    'water.river_level': { name: 'water_level', unit: 'm', thresholds: { warning: 5, guaranteed: 6.2 } },
    'water.rainfall': {
      name: 'rainfall_1h',
      unit: 'mm',
      thresholds: { blue: 30, yellow: 50, orange: 80, red: 100 },
    },
    'water.waterlogging_depth': {
      name: 'water_depth',
      unit: 'm',
      thresholds: { blue: 0.1, yellow: 0.15, orange: 0.3, red: 0.5 },
    },
    'water.water_quality': { name: 'quality_index', unit: '1', thresholds: { alarm: 60 } },
  }[type];
  return at(minutes, type, {
    measurements: [{ ...measurement, value }],
    place: { id: 'ST-1', name: '测试站', kind: 'station' },
    ...spec,
  });
}
