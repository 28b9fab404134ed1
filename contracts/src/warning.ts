import { Type, type Static } from '@sinclair/typebox';
import { Category, GeoArea, GeoPoint, Level, LocalizedText, Timestamp } from './common.ts';
import { Unit } from './departments.ts';

export const WARNING_STATUSES = ['active', 'cancelled', 'resolved'] as const;
export const WarningStatus = Type.Union(
  WARNING_STATUSES.map((s) => Type.Literal(s)),
  {
    description:
      'active: raised and not closed; cancelled: withdrawn by its evidence (CAP Cancel) or the rule; resolved: closed by an operator with a disposition',
  },
);
export type WarningStatus = (typeof WARNING_STATUSES)[number];

export const ThresholdMet = Type.Object(
  {
    name: Type.String({ description: 'What was measured, e.g. events, departments, water_level' }),
    value: Type.Number(),
    threshold: Type.Number(),
    unit: Type.Optional(Type.String()),
  },
  { $id: 'ThresholdMet', additionalProperties: false },
);
export type ThresholdMet = Static<typeof ThresholdMet>;

/**
 * A warning as raised and each later revision, on `warnings.v1` keyed by `id`. The same id
 * with a higher revision replaces the earlier one.
 */
export const Warning = Type.Object(
  {
    id: Type.String({ minLength: 1, description: 'Deterministic: derived from the rule and the cluster' }),
    ruleId: Type.String({ minLength: 1 }),
    ruleVersion: Type.Integer({ minimum: 1 }),
    revision: Type.Integer({ minimum: 1 }),
    level: Level,
    category: Category,
    status: WarningStatus,
    exercise: Type.Boolean({ description: 'Raised from Exercise or Test events; a drill' }),
    departments: Type.Array(Unit, { minItems: 1, description: 'Units it is routed to' }),
    evidence: Type.Array(Type.String(), { minItems: 1, description: 'Ids of the events it rests on' }),
    raisedAt: Timestamp,
    updatedAt: Timestamp,
    firstEvidenceAt: Timestamp,
    lastEvidenceAt: Timestamp,
    title: LocalizedText,
    summary: LocalizedText,
    area: GeoArea,
    centroid: GeoPoint,
    thresholds: Type.Array(ThresholdMet, { description: 'The conditions met: why it was raised' }),
  },
  { $id: 'Warning', additionalProperties: false },
);
export type Warning = Static<typeof Warning>;
