import { Type, type Static } from '@sinclair/typebox';

export const ProblemFieldError = Type.Object(
  {
    index: Type.Optional(Type.Integer({ minimum: 0, description: 'Position of the record in the batch' })),
    sourceId: Type.Optional(Type.String({ description: 'Source id of the record, when it could be read' })),
    pointer: Type.String({ description: 'JSON Pointer (RFC 6901) or XPath-like path of the bad field' }),
    code: Type.String({ description: 'Stable machine-readable code, e.g. invalid_field' }),
    message: Type.String({ description: 'What was wrong, for a person' }),
  },
  { $id: 'ProblemFieldError', additionalProperties: false },
);
export type ProblemFieldError = Static<typeof ProblemFieldError>;

/** RFC 9457 problem details, served as application/problem+json. */
export const Problem = Type.Object(
  {
    type: Type.String({ description: 'URI identifying the problem type' }),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    code: Type.String({ description: 'Stable error code, e.g. validation_failed' }),
    retriable: Type.Boolean(),
    errors: Type.Optional(Type.Array(ProblemFieldError)),
  },
  { $id: 'Problem', additionalProperties: true },
);
export type Problem = Static<typeof Problem>;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const PROBLEM_TYPE_BASE = 'https://liandong.example/problems/';
