/**
 * After-action reports (复盘): per warning and per period, as `GET /api/v1/reports/…` returns
 * them (JSON) and as the CSV and PDF exports lay them out. Times are UTC; durations in seconds.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Category, GeoArea, GeoPoint, Level, LocalizedText, Nullable, Timestamp } from './common.ts';
import { Actor, Disposition } from './activity.ts';
import { Unit } from './departments.ts';
import { AckState, Resolution } from './hub.ts';
import { WarningStatus } from './warning.ts';

export const REPORT_FORMATS = ['json', 'csv', 'pdf', 'html'] as const;
export const ReportFormat = Type.Union(
  REPORT_FORMATS.map((f) => Type.Literal(f)),
  {
    description:
      'json: the report; csv: UTF-8 with BOM (opens in Excel); pdf: printed by Chromium; html: the print layout',
  },
);
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const TIMELINE_KINDS = [
  'evidence',
  'raised',
  'revised',
  'cancelled',
  'acknowledged',
  'escalated',
  'resolved',
] as const;

export const TimelineEntry = Type.Object(
  {
    at: Timestamp,
    kind: Type.Union(TIMELINE_KINDS.map((k) => Type.Literal(k))),
    revision: Nullable(Type.Integer({ minimum: 1 })),
    who: Type.String({ description: 'A user, a department (evidence), or rule:<id> (the correlator)' }),
    role: Nullable(Actor.properties.role),
    department: Nullable(Unit),
    detail: Type.String({ description: 'What happened or changed, in English' }),
  },
  { $id: 'TimelineEntry', additionalProperties: false },
);
export type TimelineEntry = Static<typeof TimelineEntry>;

export const UnitAcknowledgement = Type.Object(
  {
    department: Unit,
    state: AckState,
    level: Level,
    armedAt: Timestamp,
    deadline: Timestamp,
    deadlineSeconds: Type.Integer({ minimum: 0 }),
    acknowledgedAt: Nullable(Timestamp),
    acknowledgedBy: Nullable(Actor),
    secondsToAcknowledge: Nullable(Type.Number({ minimum: 0 })),
    onTime: Nullable(Type.Boolean({ description: 'null while pending before its deadline' })),
    escalations: Type.Integer({ minimum: 0 }),
  },
  { $id: 'UnitAcknowledgement', additionalProperties: false },
);
export type UnitAcknowledgement = Static<typeof UnitAcknowledgement>;

export const EvidencePoint = Type.Object(
  {
    id: Type.String(),
    department: Type.String(),
    type: Type.String(),
    occurredAt: Timestamp,
    location: Nullable(GeoPoint),
    title: Nullable(LocalizedText),
  },
  { $id: 'EvidencePoint', additionalProperties: false },
);
export type EvidencePoint = Static<typeof EvidencePoint>;

export const WarningReport = Type.Object(
  {
    generatedAt: Timestamp,
    warning: Type.Object(
      {
        id: Type.String(),
        ruleId: Type.String(),
        level: Level,
        category: Category,
        status: WarningStatus,
        exercise: Type.Boolean(),
        revision: Type.Integer({ minimum: 1 }),
        departments: Type.Array(Unit),
        title: LocalizedText,
        summary: LocalizedText,
        raisedAt: Timestamp,
        firstEvidenceAt: Timestamp,
        town: Nullable(Type.Object({ code: Type.String(), name: LocalizedText })),
      },
      { additionalProperties: false },
    ),
    timeToDetectSeconds: Type.Number({ description: 'first evidence → raised' }),
    timeToResolveSeconds: Nullable(Type.Number({ description: 'raised → resolved' })),
    acknowledgements: Type.Array(UnitAcknowledgement),
    escalations: Type.Integer({ minimum: 0 }),
    disposition: Nullable(Resolution),
    timeline: Type.Array(TimelineEntry),
    evidence: Type.Array(EvidencePoint, { description: 'The evidence events the hub has seen (the map)' }),
    evidenceCount: Type.Integer({ minimum: 0, description: 'Evidence ids the warning names' }),
    area: GeoArea,
    centroid: GeoPoint,
  },
  { $id: 'WarningReport', additionalProperties: false },
);
export type WarningReport = Static<typeof WarningReport>;

const Counts = Type.Record(Type.String(), Type.Integer({ minimum: 0 }));

export const Spread = Type.Object(
  {
    count: Type.Integer({ minimum: 0 }),
    median: Nullable(Type.Number()),
    p90: Nullable(Type.Number({ description: 'nearest rank: the value at rank ⌈0.9·n⌉' })),
  },
  { $id: 'Spread', additionalProperties: false },
);
export type Spread = Static<typeof Spread>;

export const UnitCompliance = Type.Object(
  {
    department: Unit,
    armed: Type.Integer({ minimum: 0, description: 'deadlines armed' }),
    onTime: Type.Integer({ minimum: 0 }),
    late: Type.Integer({ minimum: 0, description: 'acknowledged after the deadline' }),
    missed: Type.Integer({ minimum: 0, description: 'past the deadline and never acknowledged' }),
    open: Type.Integer({ minimum: 0, description: 'pending, deadline not yet passed' }),
    complianceRate: Nullable(Type.Number({ description: 'onTime / (onTime + late + missed)' })),
    ackSeconds: Spread,
  },
  { $id: 'UnitCompliance', additionalProperties: false },
);
export type UnitCompliance = Static<typeof UnitCompliance>;

export const RulePrecision = Type.Object(
  {
    ruleId: Type.String(),
    warnings: Type.Integer({ minimum: 0 }),
    resolved: Type.Integer({ minimum: 0 }),
    dispositions: Type.Object(
      {
        confirmed: Type.Integer({ minimum: 0 }),
        no_impact: Type.Integer({ minimum: 0 }),
        duplicate: Type.Integer({ minimum: 0 }),
        false_alarm: Type.Integer({ minimum: 0 }),
      },
      { additionalProperties: false },
    ),
    precision: Nullable(
      Type.Number({ description: 'confirmed / (resolved − duplicate); null when nothing counts' }),
    ),
  },
  { $id: 'RulePrecision', additionalProperties: false },
);
export type RulePrecision = Static<typeof RulePrecision>;

export const PeriodFigures = Type.Object(
  {
    warnings: Type.Integer({ minimum: 0 }),
    byDepartment: Counts,
    byCategory: Counts,
    byLevel: Counts,
    byRule: Counts,
    byTown: Type.Record(Type.String(), Type.Integer({ minimum: 0 }), {
      description: 'GB/T 2260 town code (or 440605 for the district outside the towns) → warnings',
    }),
    byStatus: Counts,
    dispositions: Counts,
    escalations: Type.Integer({ minimum: 0 }),
    compliance: Type.Array(UnitCompliance),
    ackSeconds: Spread,
    detectSeconds: Spread,
    rulePrecision: Type.Array(RulePrecision),
    byHour: Type.Array(Type.Integer({ minimum: 0 }), {
      minItems: 24,
      maxItems: 24,
      description: 'warnings raised per hour of the day, Beijing time (index 0 = 00:00–00:59)',
    }),
    busiestHours: Type.Array(Type.Integer({ minimum: 0, maximum: 23 }), {
      description: 'the hours with the most warnings, most first (ties: earlier hour first), up to 3',
    }),
  },
  { $id: 'PeriodFigures', additionalProperties: false },
);
export type PeriodFigures = Static<typeof PeriodFigures>;

export const PeriodReport = Type.Object(
  {
    generatedAt: Timestamp,
    from: Timestamp,
    to: Timestamp,
    real: PeriodFigures,
    exercise: PeriodFigures,
    warnings: Type.Array(
      Type.Object(
        {
          id: Type.String(),
          ruleId: Type.String(),
          level: Level,
          status: WarningStatus,
          exercise: Type.Boolean(),
          raisedAt: Timestamp,
          title: LocalizedText,
          disposition: Nullable(Disposition),
        },
        { additionalProperties: false },
      ),
      { description: 'The warnings raised in the period, oldest first' },
    ),
  },
  { $id: 'PeriodReport', additionalProperties: false },
);
export type PeriodReport = Static<typeof PeriodReport>;
