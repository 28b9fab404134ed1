import { Type, type SchemaOptions, type Static, type TSchema } from '@sinclair/typebox';

export const Timestamp = Type.String({
  format: 'date-time',
  description: 'RFC 3339 date-time; produced by Liandong always in UTC with a `Z`',
  examples: ['2026-06-01T02:15:00.000Z'],
});

export const LocalizedText = Type.Object(
  {
    zh: Type.String({ minLength: 1, description: 'Simplified Chinese (zh-CN)' }),
    en: Type.String({ minLength: 1, description: 'English' }),
  },
  { $id: 'LocalizedText', additionalProperties: false },
);
export type LocalizedText = Static<typeof LocalizedText>;

/** A WGS-84 position as GeoJSON orders it: longitude first. */
export const Position = Type.Tuple(
  [Type.Number({ minimum: -180, maximum: 180 }), Type.Number({ minimum: -90, maximum: 90 })],
  { description: '[longitude, latitude] in WGS-84 (GeoJSON order)' },
);
export type Position = Static<typeof Position>;

export const GeoPoint = Type.Object(
  { type: Type.Literal('Point'), coordinates: Position },
  { $id: 'GeoPoint', additionalProperties: false },
);
export type GeoPoint = Static<typeof GeoPoint>;

const LinearRing = Type.Array(Position, { minItems: 4 });
export const GeoPolygon = Type.Object(
  { type: Type.Literal('Polygon'), coordinates: Type.Array(LinearRing, { minItems: 1 }) },
  { $id: 'GeoPolygon', additionalProperties: false },
);
export type GeoPolygon = Static<typeof GeoPolygon>;

export const GeoMultiPolygon = Type.Object(
  {
    type: Type.Literal('MultiPolygon'),
    coordinates: Type.Array(Type.Array(LinearRing, { minItems: 1 }), { minItems: 1 }),
  },
  { $id: 'GeoMultiPolygon', additionalProperties: false },
);
export type GeoMultiPolygon = Static<typeof GeoMultiPolygon>;

export const GeoArea = Type.Union([GeoPolygon, GeoMultiPolygon], {
  description: 'A GeoJSON Polygon or MultiPolygon in WGS-84',
});
export type GeoArea = Static<typeof GeoArea>;

/** The coordinate reference systems sources may send; everything is stored in WGS-84. */
export const CRS_CODES = ['WGS84', 'GCJ02', 'BD09', 'CGCS2000'] as const;
export const Crs = Type.Union(
  CRS_CODES.map((c) => Type.Literal(c)),
  {
    description:
      'WGS84 (GPS), GCJ02 (China survey offset, used by AMap/Tencent), BD09 (Baidu), CGCS2000 (China Geodetic Coordinate System 2000)',
  },
);
export type Crs = (typeof CRS_CODES)[number];

/** CAP 1.2 severity. */
export const SEVERITIES = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'] as const;
export const Severity = Type.Union(SEVERITIES.map((s) => Type.Literal(s)));
export type Severity = (typeof SEVERITIES)[number];

/** Rank for comparisons: higher is more severe; Unknown ranks lowest. */
export const SEVERITY_RANK: Record<Severity, number> = {
  Unknown: 0,
  Minor: 1,
  Moderate: 2,
  Severe: 3,
  Extreme: 4,
};

/** CAP 1.2 status values that flow through the pipeline (System and Draft are refused at ingest). */
export const EVENT_STATUSES = ['Actual', 'Exercise', 'Test'] as const;
export const EventStatus = Type.Union(
  EVENT_STATUSES.map((s) => Type.Literal(s)),
  {
    description: 'Actual: real; Exercise: a drill (shown as such on every screen); Test: technical test',
  },
);
export type EventStatus = (typeof EVENT_STATUSES)[number];

/** The four kinds of emergency of the PRC Emergency Response Law (突发事件应对法, art. 3). */
export const CATEGORIES = ['natural_disaster', 'accident', 'public_health', 'social_security'] as const;
export const Category = Type.Union(
  CATEGORIES.map((c) => Type.Literal(c)),
  {
    description:
      'natural_disaster 自然灾害, accident 事故灾难, public_health 公共卫生事件, social_security 社会安全事件',
  },
);
export type Category = (typeof CATEGORIES)[number];

export const CATEGORY_NAMES: Record<Category, LocalizedText> = {
  natural_disaster: { zh: '自然灾害', en: 'Natural disaster' },
  accident: { zh: '事故灾难', en: 'Accident' },
  public_health: { zh: '公共卫生事件', en: 'Public health' },
  social_security: { zh: '社会安全事件', en: 'Social security' },
};

/** Early-warning levels, lowest first: blue (IV), yellow (III), orange (II), red (I). */
export const LEVELS = ['blue', 'yellow', 'orange', 'red'] as const;
export const Level = Type.Union(
  LEVELS.map((l) => Type.Literal(l)),
  {
    description: 'blue = IV (一般), yellow = III (较重), orange = II (严重), red = I (特别严重)',
  },
);
export type Level = (typeof LEVELS)[number];

export const LEVEL_NAMES: Record<Level, LocalizedText & { roman: string }> = {
  blue: { zh: '蓝色预警', en: 'Blue (IV)', roman: 'IV' },
  yellow: { zh: '黄色预警', en: 'Yellow (III)', roman: 'III' },
  orange: { zh: '橙色预警', en: 'Orange (II)', roman: 'II' },
  red: { zh: '红色预警', en: 'Red (I)', roman: 'I' },
};

export function levelRank(level: Level): number {
  return LEVELS.indexOf(level);
}

export function maxLevel(a: Level, b: Level): Level {
  return levelRank(a) >= levelRank(b) ? a : b;
}

export function Nullable<T extends TSchema>(schema: T, options?: SchemaOptions) {
  return Type.Union([schema, Type.Null()], options);
}
