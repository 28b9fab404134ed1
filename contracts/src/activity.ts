import { Type, type Static } from '@sinclair/typebox';
import { Level, Timestamp } from './common.ts';
import { Unit } from './departments.ts';

export const Actor = Type.Object(
  {
    username: Type.String(),
    role: Type.Union([
      Type.Literal('operator'),
      Type.Literal('liaison'),
      Type.Literal('analyst'),
      Type.Literal('admin'),
      Type.Literal('system'),
    ]),
  },
  { $id: 'Actor', additionalProperties: false },
);
export type Actor = Static<typeof Actor>;

export const DISPOSITIONS = ['confirmed', 'no_impact', 'duplicate', 'false_alarm'] as const;
export const Disposition = Type.Union(
  DISPOSITIONS.map((d) => Type.Literal(d)),
  {
    description: 'confirmed 属实, no_impact 无影响, duplicate 重复, false_alarm 误报',
  },
);
export type Disposition = (typeof DISPOSITIONS)[number];

const activityBase = {
  id: Type.String({ format: 'uuid', description: 'Activity id (idempotency key)' }),
  warningId: Type.String({ minLength: 1 }),
  revision: Type.Integer({ minimum: 1, description: 'The warning revision this step refers to' }),
  at: Timestamp,
};

export const WarningAcknowledged = Type.Object(
  {
    type: Type.Literal('warning.acknowledged'),
    ...activityBase,
    department: Unit,
    by: Actor,
    deadline: Timestamp,
    late: Type.Boolean(),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { $id: 'WarningAcknowledged', additionalProperties: false },
);
export const WarningEscalated = Type.Object(
  {
    type: Type.Literal('warning.escalated'),
    ...activityBase,
    department: Unit,
    level: Level,
    deadline: Timestamp,
    notified: Type.Array(Type.String(), { description: 'Who was told: operators, the supervisor' }),
  },
  { $id: 'WarningEscalated', additionalProperties: false },
);
export const WarningResolved = Type.Object(
  {
    type: Type.Literal('warning.resolved'),
    ...activityBase,
    disposition: Disposition,
    by: Actor,
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { $id: 'WarningResolved', additionalProperties: false },
);

/** Everything that happens to a warning after it is raised, on `warning-activity.v1` keyed by warning id. */
export const WarningActivity = Type.Union([WarningAcknowledged, WarningEscalated, WarningResolved], {
  $id: 'WarningActivity',
});
export type WarningAcknowledged = Static<typeof WarningAcknowledged>;
export type WarningEscalated = Static<typeof WarningEscalated>;
export type WarningResolved = Static<typeof WarningResolved>;
export type WarningActivity = Static<typeof WarningActivity>;
