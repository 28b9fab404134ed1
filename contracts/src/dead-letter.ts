import { Type, type Static } from '@sinclair/typebox';
import { Timestamp } from './common.ts';
import { ProblemFieldError } from './problem.ts';

/** A record that could not be accepted (ingest) or processed (a consumer), with the reason. */
export const DeadLetter = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    stage: Type.Union([Type.Literal('ingest'), Type.Literal('consume')]),
    service: Type.String({ description: 'The process that dead-lettered it' }),
    department: Type.Optional(Type.String()),
    sourceId: Type.Optional(Type.String()),
    at: Timestamp,
    reason: Type.Object(
      {
        code: Type.String(),
        message: Type.String(),
        errors: Type.Array(ProblemFieldError),
        attempts: Type.Optional(Type.Integer({ minimum: 0 })),
      },
      { additionalProperties: false },
    ),
    contentType: Type.Optional(Type.String()),
    payload: Type.String({ description: 'The rejected record as text (truncated at 1 MiB)' }),
    truncated: Type.Boolean(),
    origin: Type.Optional(
      Type.Object(
        {
          topic: Type.String(),
          partition: Type.Integer({ minimum: 0 }),
          offset: Type.String(),
          key: Type.Optional(Type.String()),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { $id: 'DeadLetter', additionalProperties: false },
);
export type DeadLetter = Static<typeof DeadLetter>;
