import { Type, type Static } from '@sinclair/typebox';
import { ProblemFieldError } from './problem.ts';

export const RECORD_OUTCOMES = ['accepted', 'duplicate', 'conflict', 'rejected'] as const;
export type RecordOutcome = (typeof RECORD_OUTCOMES)[number];

/** What became of one record of a push. */
export const IngestRecordResult = Type.Object(
  {
    index: Type.Integer({ minimum: 0, description: 'Position of the record in the request' }),
    sourceId: Type.Optional(Type.String()),
    status: Type.Union(
      RECORD_OUTCOMES.map((o) => Type.Literal(o)),
      {
        description:
          'accepted: on Kafka now; duplicate: the same content was accepted before under this source id; ' +
          'conflict: other content was accepted before under this source id, and is kept (errors name the changed fields); ' +
          'rejected: not valid (errors name the fields)',
      },
    ),
    eventId: Type.Optional(
      Type.String({
        format: 'uuid',
        description:
          'The event of the source id (for a conflict, the one first accepted); absent for rejected records',
      }),
    ),
    topic: Type.Optional(Type.String()),
    sameContent: Type.Optional(
      Type.Boolean({ description: 'For duplicates: whether the content equals what was first accepted' }),
    ),
    errors: Type.Optional(
      Type.Array(ProblemFieldError, {
        description: 'For rejected records and conflicts: each field at fault',
      }),
    ),
  },
  { $id: 'IngestRecordResult', additionalProperties: false },
);
export type IngestRecordResult = Static<typeof IngestRecordResult>;

/**
 * The reply to `POST /v1/events`: 202 when every record was accepted or was a duplicate (Kafka
 * has acknowledged every accepted one); with any rejected record the reply is a 400
 * problem+json that carries these same fields, since the valid records of the batch were
 * nonetheless accepted; with conflicts and no rejected record, a 409 problem+json likewise.
 */
export const IngestResponse = Type.Object(
  {
    accepted: Type.Integer({ minimum: 0 }),
    duplicates: Type.Integer({ minimum: 0 }),
    conflicts: Type.Integer({ minimum: 0 }),
    rejected: Type.Integer({ minimum: 0 }),
    results: Type.Array(IngestRecordResult),
  },
  { $id: 'IngestResponse', additionalProperties: false },
);
export type IngestResponse = Static<typeof IngestResponse>;

/** Accepted request media types of the ingest services. */
export const INGEST_MEDIA_TYPES = [
  'application/json',
  'application/cap+xml',
  'application/xml',
  'text/xml',
] as const;
export const MAX_BATCH_RECORDS = 1000;
export const MAX_BODY_BYTES = 5 * 1024 * 1024;
