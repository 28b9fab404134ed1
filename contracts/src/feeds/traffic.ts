import { Type, type Static } from '@sinclair/typebox';
import { recordBase, SourceTime, vocabularyKeys, type Vocabulary } from './common.ts';

/** DATEX II situation record types used as the traffic vocabulary's upper level. */
export const DATEX_RECORD_TYPES = [
  'Accident',
  'AbnormalTraffic',
  'RoadOrCarriagewayOrLaneManagement',
  'EnvironmentalObstruction',
  'GeneralObstruction',
  'VehicleObstruction',
  'MaintenanceWorks',
  'PoorEnvironmentConditions',
] as const;
export type DatexRecordType = (typeof DATEX_RECORD_TYPES)[number];

/** Traffic (交通) vocabulary, each type tied to its DATEX II situation record type. */
export const TRAFFIC_VOCABULARY = {
  accident: { name: { zh: '交通事故', en: 'Accident' }, category: 'accident', severity: 'Moderate' },
  hazardous_goods_accident: {
    name: { zh: '危化品运输事故', en: 'Hazardous goods accident' },
    category: 'accident',
    severity: 'Severe',
  },
  congestion: { name: { zh: '交通拥堵', en: 'Congestion' }, category: 'accident', severity: 'Minor' },
  road_closure: { name: { zh: '道路封闭', en: 'Road closure' }, category: 'accident', severity: 'Moderate' },
  flooded_road: {
    name: { zh: '道路水浸', en: 'Flooded road' },
    category: 'natural_disaster',
    severity: 'Moderate',
  },
  obstruction: { name: { zh: '道路障碍', en: 'Obstruction' }, category: 'accident', severity: 'Minor' },
  vehicle_breakdown: {
    name: { zh: '车辆故障', en: 'Vehicle breakdown' },
    category: 'accident',
    severity: 'Minor',
  },
  roadworks: { name: { zh: '道路施工', en: 'Roadworks' }, category: 'accident', severity: 'Minor' },
  poor_visibility: {
    name: { zh: '低能见度', en: 'Poor visibility' },
    category: 'natural_disaster',
    severity: 'Moderate',
  },
} as const satisfies Vocabulary<string>;
export type TrafficType = keyof typeof TRAFFIC_VOCABULARY;

export const TRAFFIC_DATEX_TYPE: Record<TrafficType, DatexRecordType> = {
  accident: 'Accident',
  hazardous_goods_accident: 'Accident',
  congestion: 'AbnormalTraffic',
  road_closure: 'RoadOrCarriagewayOrLaneManagement',
  flooded_road: 'EnvironmentalObstruction',
  obstruction: 'GeneralObstruction',
  vehicle_breakdown: 'VehicleObstruction',
  roadworks: 'MaintenanceWorks',
  poor_visibility: 'PoorEnvironmentConditions',
};

/** An accident, congestion or closure as the traffic management system sends it (DATEX II vocabulary). */
export const TrafficRecord = Type.Object(
  {
    recordId: Type.String({ minLength: 1, maxLength: 128, description: 'Situation record id' }),
    situationRecordType: Type.Union(
      DATEX_RECORD_TYPES.map((t) => Type.Literal(t)),
      {
        description: 'DATEX II situation record type',
      },
    ),
    type: Type.Union(vocabularyKeys(TRAFFIC_VOCABULARY).map((k) => Type.Literal(k))),
    occurredAt: SourceTime,
    roadName: Type.Optional(Type.String({ maxLength: 200 })),
    direction: Type.Optional(Type.String({ maxLength: 100 })),
    vehiclesInvolved: Type.Optional(Type.Integer({ minimum: 0 })),
    injured: Type.Optional(Type.Integer({ minimum: 0 })),
    dead: Type.Optional(Type.Integer({ minimum: 0 })),
    hazardousGoods: Type.Optional(
      Type.Boolean({ description: 'A vehicle carrying dangerous goods is involved' }),
    ),
    hazardousGoodsClass: Type.Optional(
      Type.String({ description: 'UN class, e.g. "3" (flammable liquids)' }),
    ),
    queueLengthM: Type.Optional(Type.Number({ minimum: 0 })),
    lanesClosed: Type.Optional(Type.Integer({ minimum: 0 })),
    fullClosure: Type.Optional(Type.Boolean()),
    waterDepthCm: Type.Optional(Type.Number({ minimum: 0 })),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    ...recordBase,
  },
  {
    $id: 'TrafficRecord',
    additionalProperties: false,
    examples: [
      {
        recordId: 'SZ-DEMO-0001',
        situationRecordType: 'Accident',
        type: 'accident',
        roadName: '南海大道',
        vehiclesInvolved: 2,
        injured: 0,
        occurredAt: '2026-12-02T10:15:00+08:00',
        status: 'Exercise',
        adminCode: '440605',
        location: { lon: 112.983531, lat: 23.130529, crs: 'WGS84' },
      },
    ],
  },
);
export type TrafficRecord = Static<typeof TrafficRecord>;
