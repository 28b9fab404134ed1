import { Type, type Static } from '@sinclair/typebox';
import {
  Category,
  Crs,
  EventStatus,
  GeoArea,
  GeoPoint,
  LocalizedText,
  Severity,
  Timestamp,
} from './common.ts';
import { Department, FeedFormatSchema } from './departments.ts';

/**
 * How far after its receipt an event's own time may lie: the clock skew of sources that Liandong
 * tolerates. Ingest refuses a record dated later (except a CAP forecast's onset, kept in its
 * attributes); the correlation engine places an event no later than its receipt plus this bound.
 */
export const MAX_CLOCK_SKEW_MS = 10 * 60_000;

export const EVENT_KINDS = ['incident', 'observation', 'request', 'alert'] as const;
export const EventKind = Type.Union(
  EVENT_KINDS.map((k) => Type.Literal(k)),
  {
    description:
      'incident: something happened (110 call, accident, case); observation: a measurement (gauge); request: a citizen service request or complaint; alert: a warning issued by the department (CAP)',
  },
);
export type EventKind = (typeof EVENT_KINDS)[number];

export const MSG_TYPES = ['Alert', 'Update', 'Cancel'] as const;
export const MsgType = Type.Union(
  MSG_TYPES.map((m) => Type.Literal(m)),
  {
    description: 'CAP msgType: Alert (new), Update (revises what `references` names), Cancel (withdraws it)',
  },
);
export type MsgType = (typeof MSG_TYPES)[number];

export const Measurement = Type.Object(
  {
    name: Type.String({ minLength: 1, description: 'e.g. water_level, rainfall_1h, casualties' }),
    value: Type.Number(),
    unit: Type.String({ description: 'UCUM-style unit: m, mm, mm/h, 1 (count)' }),
    thresholds: Type.Optional(
      Type.Record(Type.String(), Type.Number(), {
        description: 'Named reference levels for this reading, e.g. { warning: 4.2, guaranteed: 5.0 }',
      }),
    ),
  },
  { $id: 'Measurement', additionalProperties: false },
);
export type Measurement = Static<typeof Measurement>;

export const EventText = Type.Object(
  {
    language: Type.String({ description: 'BCP 47 tag, e.g. zh-CN, en-US' }),
    headline: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    instruction: Type.Optional(Type.String()),
    event: Type.Optional(Type.String({ description: 'CAP info/event' })),
    senderName: Type.Optional(Type.String()),
    areaDesc: Type.Optional(Type.String()),
  },
  { $id: 'EventText', additionalProperties: false },
);
export type EventText = Static<typeof EventText>;

export const NamedValue = Type.Object(
  { valueName: Type.String(), value: Type.String() },
  { $id: 'NamedValue', additionalProperties: false },
);
export type NamedValue = Static<typeof NamedValue>;

export const EventSource = Type.Object(
  {
    system: Type.String({
      minLength: 1,
      description: 'The upstream system, e.g. "110-jjxt", "12345-open311"',
    }),
    format: FeedFormatSchema,
    id: Type.String({ minLength: 1, maxLength: 512, description: "The record's id in its source system" }),
    sender: Type.Optional(Type.String({ description: 'CAP sender or submitting organisation' })),
    crs: Type.Optional(Crs),
  },
  { $id: 'EventSource', additionalProperties: false },
);
export type EventSource = Static<typeof EventSource>;

export const Place = Type.Object(
  {
    id: Type.Optional(Type.String({ description: 'Stable id of the venue, station, road or site' })),
    name: Type.Optional(Type.String()),
    kind: Type.Optional(Type.String({ description: 'venue, station, road, river, site, …' })),
  },
  { $id: 'Place', additionalProperties: false },
);
export type Place = Static<typeof Place>;

/**
 * One accepted record from any feed, in the shape every consumer relies on. Produced to
 * `events.<department>.v1` keyed by `id`.
 */
export const NormalizedEvent = Type.Object(
  {
    id: Type.String({
      format: 'uuid',
      description: 'Deterministic: UUID v5 of department and source id (see eventIdFor)',
    }),
    department: Department,
    source: EventSource,
    kind: EventKind,
    category: Category,
    type: Type.String({
      pattern: '^[a-z]+\\.[a-z0-9_]+$',
      description: 'From the department vocabulary, `<department>.<type>`, e.g. police.crowd_gathering',
    }),
    severity: Severity,
    status: EventStatus,
    msgType: MsgType,
    references: Type.Array(Type.String({ format: 'uuid' }), {
      description: 'Ids of earlier events this one updates or cancels',
    }),
    occurredAt: Timestamp,
    receivedAt: Timestamp,
    expiresAt: Type.Optional(Timestamp),
    location: Type.Optional(GeoPoint),
    area: Type.Optional(GeoArea),
    address: Type.Optional(Type.String({ maxLength: 500 })),
    adminCode: Type.Optional(
      Type.String({
        pattern: '^\\d{6}(\\d{3}(\\d{3})?)?$',
        description: 'GB/T 2260 code (6, 9 or 12 digits)',
      }),
    ),
    place: Type.Optional(Place),
    title: Type.Optional(LocalizedText),
    texts: Type.Array(EventText, { description: 'One entry per language (CAP info blocks)' }),
    measurements: Type.Array(Measurement),
    attributes: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]), {
      description: 'Vocabulary-specific facts: casualties, hazardousGoods, peopleInvolved, …',
    }),
    geocodes: Type.Array(NamedValue),
    raw: Type.Object(
      {
        contentType: Type.String(),
        body: Type.String({ description: 'The record as received, for the record' }),
      },
      { additionalProperties: false },
    ),
  },
  { $id: 'NormalizedEvent', additionalProperties: false },
);
export type NormalizedEvent = Static<typeof NormalizedEvent>;
