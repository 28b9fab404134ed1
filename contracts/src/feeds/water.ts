import { Type, type Static } from '@sinclair/typebox';
import { Crs } from '../common.ts';
import type { Vocabulary } from './common.ts';

/** Water (水务) vocabulary: gauge observations from SensorThings, and alarms. */
export const WATER_VOCABULARY = {
  river_level: {
    name: { zh: '河道水位', en: 'River level' },
    category: 'natural_disaster',
    severity: 'Minor',
  },
  rainfall: { name: { zh: '降雨量', en: 'Rainfall' }, category: 'natural_disaster', severity: 'Minor' },
  waterlogging_depth: {
    name: { zh: '内涝积水深度', en: 'Waterlogging depth' },
    category: 'natural_disaster',
    severity: 'Minor',
  },
  water_quality: { name: { zh: '水质监测', en: 'Water quality' }, category: 'accident', severity: 'Minor' },
  other: { name: { zh: '其他', en: 'Other' }, category: 'natural_disaster', severity: 'Minor' },
} as const satisfies Vocabulary<string>;
export type WaterType = keyof typeof WATER_VOCABULARY;

export const GAUGE_KINDS = ['river_level', 'rainfall', 'waterlogging_depth', 'water_quality'] as const;
export type GaugeKind = (typeof GAUGE_KINDS)[number];

/** Measurement names the water events carry, by gauge kind. */
export const GAUGE_MEASUREMENT: Record<GaugeKind, { name: string; unit: string }> = {
  river_level: { name: 'water_level', unit: 'm' },
  rainfall: { name: 'rainfall_1h', unit: 'mm' },
  waterlogging_depth: { name: 'water_depth', unit: 'm' },
  water_quality: { name: 'quality_index', unit: '1' },
};

/**
 * One station of the gauge registry: which SensorThings Datastream feeds it, where it is and
 * the levels that matter. River levels: `warning` (警戒水位) and `guaranteed` (保证水位), metres
 * above the Pearl River datum; rainfall: mm in the past hour for blue/yellow/orange/red;
 * waterlogging: depth in metres for blue/yellow/orange/red; water quality: an alarm value of its
 * index. Thresholds are in the measurement's unit (GAUGE_MEASUREMENT), whatever `unit` says.
 */
export const GaugeStation = Type.Object(
  {
    datastreamId: Type.Union([Type.String({ minLength: 1 }), Type.Integer()], {
      description: 'SensorThings Datastream @iot.id',
    }),
    stationId: Type.String({ minLength: 1 }),
    name: Type.Object({ zh: Type.String(), en: Type.String() }, { additionalProperties: false }),
    kind: Type.Union(GAUGE_KINDS.map((k) => Type.Literal(k))),
    river: Type.Optional(Type.String({ description: 'River or waterway code, e.g. beijiang' })),
    position: Type.Object(
      {
        lon: Type.Number({ minimum: -180, maximum: 180 }),
        lat: Type.Number({ minimum: -90, maximum: 90 }),
        crs: Type.Optional(Crs),
      },
      { additionalProperties: false },
    ),
    adminCode: Type.Optional(Type.String({ pattern: '^\\d{6}(\\d{3}(\\d{3})?)?$' })),
    address: Type.Optional(Type.String()),
    unit: Type.String({ description: 'Unit of the Datastream results (m, mm, …)' }),
    thresholds: Type.Record(Type.String(), Type.Number(), {
      description:
        'Named levels: warning/guaranteed (river), blue/yellow/orange/red (rainfall, waterlogging), alarm (quality)',
    }),
  },
  { $id: 'GaugeStation', additionalProperties: false },
);
export type GaugeStation = Static<typeof GaugeStation>;

/**
 * An OGC SensorThings API 1.1 Observation as pushed or pulled. The Datastream is named by a
 * nested `Datastream` with `@iot.id`, or by a `Datastream@iot.navigationLink`
 * (`…/Datastreams(<id>)…`), or by the `X-Datastream-Id` the connector knows it by.
 */
export const SensorThingsObservation = Type.Object(
  {
    '@iot.id': Type.Union([Type.String({ minLength: 1 }), Type.Integer()]),
    '@iot.selfLink': Type.Optional(Type.String()),
    phenomenonTime: Type.String({ minLength: 1, description: 'Instant or interval (start/end) in ISO 8601' }),
    resultTime: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    result: Type.Unknown({ description: 'A number for the gauges Liandong reads' }),
    resultQuality: Type.Optional(Type.Unknown()),
    parameters: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    Datastream: Type.Optional(
      Type.Object({ '@iot.id': Type.Union([Type.String(), Type.Integer()]) }, { additionalProperties: true }),
    ),
    'Datastream@iot.navigationLink': Type.Optional(Type.String()),
    'FeatureOfInterest@iot.navigationLink': Type.Optional(Type.String()),
  },
  {
    $id: 'SensorThingsObservation',
    additionalProperties: true,
    examples: [
      {
        '@iot.id': 'OBS17-DEMO-0001',
        phenomenonTime: '2026-12-02T02:15:00.000Z',
        resultTime: '2026-12-02T02:15:05.000Z',
        result: 3.35,
        Datastream: { '@iot.id': 17 },
        parameters: { status: 'Exercise' },
      },
    ],
  },
);
export type SensorThingsObservation = Static<typeof SensorThingsObservation>;
