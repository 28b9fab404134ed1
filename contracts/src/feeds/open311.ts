import { Type, type Static } from '@sinclair/typebox';
import { Nullable } from '../common.ts';
import { SourceTime } from './common.ts';

const Identifier = Type.Union([Type.String({ minLength: 1, maxLength: 128 }), Type.Integer({ minimum: 0 })]);
const NumericText = Type.String({ pattern: '^\\s*[-+]?(\\d+(\\.\\d*)?|\\.\\d+)\\s*$' });
const OptionalText = (maxLength: number, description?: string) =>
  Type.Optional(Nullable(Type.String({ maxLength, ...(description ? { description } : {}) })));

/**
 * One Open311 GeoReport v2 service request as `GET /requests` returns it (JSON element or XML
 * `<request>`; in XML every value is text). Identifiers may come as numbers, as in the
 * specification's own example; `null` stands for absent. Extensions and personal data
 * (first_name, email, phone, …) are allowed through and kept only in the raw record.
 */
export const Open311ServiceRequest = Type.Object(
  {
    service_request_id: Identifier,
    status: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
    status_notes: OptionalText(4000),
    service_name: OptionalText(200),
    service_code: Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Integer({ minimum: 0 })], {
      description: 'Mapped through the ingest service’s code table to the department vocabulary',
    }),
    description: OptionalText(4000),
    agency_responsible: OptionalText(200),
    service_notice: OptionalText(4000),
    requested_datetime: SourceTime,
    updated_datetime: Type.Optional(
      Nullable(SourceTime, {
        description:
          'Later than requested_datetime: a later state of the request, taken as an Update of its first state (source id `<service_request_id>@<updated UTC>`), once per updated_datetime',
      }),
    ),
    expected_datetime: Type.Optional(Nullable(SourceTime)),
    address: OptionalText(500),
    address_id: Type.Optional(Nullable(Identifier)),
    zipcode: Type.Optional(Nullable(Identifier)),
    lat: Type.Optional(Nullable(Type.Union([Type.Number({ minimum: -90, maximum: 90 }), NumericText]))),
    long: Type.Optional(Nullable(Type.Union([Type.Number({ minimum: -180, maximum: 180 }), NumericText]))),
    media_url: OptionalText(2000, 'Trimmed; http or https only'),
    liandong_status: Type.Optional(
      Type.Union([Type.Literal('Actual'), Type.Literal('Exercise'), Type.Literal('Test')], {
        description:
          'Liandong extension (GeoReport has no status of the kind): Exercise marks a drill; absent is Actual',
      }),
    ),
  },
  {
    $id: 'Open311ServiceRequest',
    additionalProperties: true,
    examples: [
      {
        service_request_id: '12345-DEMO-0001',
        status: 'open',
        service_code: '009',
        service_name: '占道经营',
        description: '路口流动摊贩占道',
        address: '狮山镇罗村大道',
        requested_datetime: '2026-12-02T10:15:00+08:00',
        lat: 23.159566,
        long: 113.022753,
        liandong_status: 'Exercise',
      },
    ],
  },
);
export type Open311ServiceRequest = Static<typeof Open311ServiceRequest>;

/** An ingest service's table from Open311 service_code to a key of its department's vocabulary. */
export const Open311CodeTable = Type.Record(Type.String({ minLength: 1 }), Type.String({ minLength: 1 }), {
  $id: 'Open311CodeTable',
  description: 'service_code → vocabulary key; codes not in the table become `other`',
});
export type Open311CodeTable = Static<typeof Open311CodeTable>;
