import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Category, Level, LocalizedText, Position, SEVERITIES } from './common.ts';
import { Department, FEED_FORMATS, Unit } from './departments.ts';
import { EVENT_KINDS } from './event.ts';
import { REFERENCE_GEOGRAPHIES } from './data/nanhai.ts';

/**
 * Correlation rules as data. A rule file (YAML or JSON) holds rules and the geography they
 * refer to (rivers as polylines, named places for titles, the region a rule set watches). The
 * correlation engine loads every file of a folder, validates each against `RuleFile` and then
 * checks what a schema cannot (unique ids, references between rules, template placeholders).
 */

export const RULE_FAMILIES = ['threshold', 'cooccurrence', 'surge', 'sequence', 'silence'] as const;
export type RuleFamily = (typeof RULE_FAMILIES)[number];

const literals = <T extends string>(values: readonly T[], options: { description?: string } = {}) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    options,
  );

export const RuleId = Type.String({
  pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$',
  maxLength: 80,
  description: 'Stable kebab-case id, e.g. rainstorm-waterlogging',
});

const Minutes = (description: string) => Type.Integer({ minimum: 1, maximum: 7 * 24 * 60, description });
const Metres = (description: string) => Type.Number({ exclusiveMinimum: 0, maximum: 100_000, description });

/** A measurement reading compared with a named reference level the reading carries, or a fixed bound. */
export const MeasurementCondition = Type.Object(
  {
    name: Type.String({ minLength: 1, description: 'Measurement name, e.g. water_level, rainfall_1h' }),
    reaches: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'Name of a threshold the reading carries (warning, guaranteed, blue…red, alarm): value ≥ that threshold',
      }),
    ),
    min: Type.Optional(Type.Number({ description: 'Fixed bound: value ≥ min' })),
  },
  { $id: 'MeasurementCondition', additionalProperties: false },
);
export type MeasurementCondition = Static<typeof MeasurementCondition>;

export const AttributeCondition = Type.Object(
  {
    equals: Type.Optional(Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
    min: Type.Optional(Type.Number({ description: 'Numeric attribute ≥ min' })),
  },
  { $id: 'AttributeCondition', additionalProperties: false },
);
export type AttributeCondition = Static<typeof AttributeCondition>;

/**
 * Which events a rule (or one role of it) takes. Every given field must hold; lists mean "any
 * of". Types are `<department>.<vocabulary key>` or `<department>.*`; CAP alerts arrive as a
 * vocabulary type when their eventCode names one, else as `<department>.cap_alert`.
 */
export const EventFilter = Type.Object(
  {
    types: Type.Optional(
      Type.Array(Type.String({ pattern: '^[a-z]+\\.([a-z0-9_]+|\\*)$' }), {
        minItems: 1,
        description: 'Event types, e.g. water.river_level, police.*',
      }),
    ),
    departments: Type.Optional(Type.Array(Department, { minItems: 1 })),
    categories: Type.Optional(Type.Array(Category, { minItems: 1 })),
    kinds: Type.Optional(Type.Array(literals(EVENT_KINDS), { minItems: 1 })),
    formats: Type.Optional(Type.Array(literals(FEED_FORMATS), { minItems: 1 })),
    minSeverity: Type.Optional(literals(SEVERITIES, { description: 'CAP severity at least this' })),
    measurement: Type.Optional(MeasurementCondition),
    attributes: Type.Optional(Type.Record(Type.String({ minLength: 1 }), AttributeCondition)),
    placeKinds: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
  },
  { $id: 'EventFilter', additionalProperties: false },
);
export type EventFilter = Static<typeof EventFilter>;

const Filters = (description: string) => Type.Array(EventFilter, { minItems: 1, description });

/**
 * Metrics a level condition can test: `events`, `departments`, `severity` (rank of the most
 * severe evidence: Minor 1 … Extreme 4), `sum.<attribute>` and `max.<attribute>` over the
 * evidence, `count`, `baseline` and `ratio` (surge), `minutes` (silence: minutes without events).
 */
export const METRIC_PATTERN =
  '^(events|departments|severity|count|baseline|ratio|minutes|(sum|max)\\.[A-Za-z0-9_]+)$';

export const LevelCondition = Type.Object(
  {
    metric: Type.Optional(Type.String({ pattern: METRIC_PATTERN })),
    evidence: Type.Optional(EventFilter),
    min: Type.Optional(
      Type.Number({
        description:
          'With metric: metric ≥ min. With evidence: at least min evidence events match (default 1)',
      }),
    ),
  },
  { $id: 'LevelCondition', additionalProperties: false },
);
export type LevelCondition = Static<typeof LevelCondition>;

export const LevelRaise = Type.Object(
  {
    to: Level,
    when: Type.Array(LevelCondition, { minItems: 1, description: 'All must hold' }),
  },
  { $id: 'LevelRaise', additionalProperties: false },
);
export type LevelRaise = Static<typeof LevelRaise>;

export const LevelSpec = Type.Object(
  {
    base: Level,
    raise: Type.Optional(
      Type.Array(LevelRaise, { description: 'Each raise that holds lifts the level to `to`' }),
    ),
  },
  { $id: 'LevelSpec', additionalProperties: false },
);
export type LevelSpec = Static<typeof LevelSpec>;

/**
 * Title and summary templates, ICU MessageFormat in each language, e.g.
 * `{place}：暴雨内涝风险（{departments}个部门、{events}条关联事件）`.
 */
export const TextTemplate = Type.Object(
  {
    zh: Type.String({ minLength: 1, description: 'Simplified Chinese ICU message' }),
    en: Type.String({ minLength: 1, description: 'English ICU message' }),
  },
  { $id: 'TextTemplate', additionalProperties: false },
);

const ruleBase = {
  id: RuleId,
  version: Type.Integer({ minimum: 1, description: 'Raised on every change of meaning' }),
  enabled: Type.Optional(Type.Boolean({ description: 'Default true' })),
  description: Type.Optional(Type.String()),
  category: Category,
  title: TextTemplate,
  summary: TextTemplate,
  level: LevelSpec,
  categoryFromEvidence: Type.Optional(
    Type.Boolean({
      description:
        'Take the most frequent category of the evidence (ties: the rule category), for generic rules',
    }),
  ),
  routeTo: Type.Array(Unit, { minItems: 1, description: 'Units every warning of the rule goes to' }),
  routeEvidenceDepartments: Type.Optional(
    Type.Boolean({ description: 'Also route to the departments whose events are evidence (default true)' }),
  ),
  exclude: Type.Optional(Filters('Events matching any of these are never taken')),
  yieldsTo: Type.Optional(
    Type.Array(RuleId, {
      minItems: 1,
      description:
        'More specific rules: an event already evidence of an active warning of one of them is not counted here',
    }),
  ),
};

export const ThresholdRule = Type.Object(
  {
    ...ruleBase,
    family: Type.Literal('threshold'),
    match: Filters('An event matching any of these meets the threshold'),
    groupBy: Type.Optional(
      literals(['place', 'cell', 'event'], {
        description:
          'One warning per place (station, venue; default), per H3 cell of cellResolution, or per event',
      }),
    ),
    cellResolution: Type.Optional(Type.Integer({ minimum: 5, maximum: 11 })),
    minEvents: Type.Optional(
      Type.Integer({ minimum: 1, description: 'Matching events within quietMinutes (default 1)' }),
    ),
    quietMinutes: Minutes('The episode ends after this long without a matching event'),
  },
  { $id: 'ThresholdRule', additionalProperties: false },
);
export type ThresholdRule = Static<typeof ThresholdRule>;

export const CooccurrenceRole = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z][a-z0-9_]*$' }),
    match: Filters('Events that play this role'),
    min: Type.Integer({ minimum: 0, description: 'At least this many events in this role' }),
  },
  { $id: 'CooccurrenceRole', additionalProperties: false },
);
export type CooccurrenceRole = Static<typeof CooccurrenceRole>;

export const CooccurrenceRule = Type.Object(
  {
    ...ruleBase,
    family: Type.Literal('cooccurrence'),
    match: Type.Optional(Filters('Events the rule takes (with roles: and also one of the roles)')),
    roles: Type.Optional(Type.Array(CooccurrenceRole, { minItems: 1 })),
    minEvents: Type.Integer({ minimum: 1 }),
    minDepartments: Type.Integer({ minimum: 1, maximum: 6 }),
    radiusM: Metres('Events within this geodesic distance of each other (star around the newest)'),
    windowMinutes: Minutes('Events within this span of event time'),
    linkByVenue: Type.Optional(
      Type.Boolean({
        description: 'Events about the same venue (place id or name) link whatever the distance',
      }),
    ),
  },
  { $id: 'CooccurrenceRule', additionalProperties: false },
);
export type CooccurrenceRule = Static<typeof CooccurrenceRule>;

export const SurgeRule = Type.Object(
  {
    ...ruleBase,
    family: Type.Literal('surge'),
    match: Filters('Events counted'),
    areaResolution: Type.Integer({
      minimum: 4,
      maximum: 9,
      description: 'H3 resolution of the counting areas',
    }),
    windowMinutes: Minutes('Count events in this trailing span'),
    baselineDays: Type.Integer({
      minimum: 1,
      maximum: 28,
      description: 'Same hour of this many previous days',
    }),
    minCount: Type.Integer({ minimum: 1, description: 'Never fewer events than this' }),
    factor: Type.Number({ minimum: 1, description: 'Count ≥ factor × baseline' }),
    minBaseline: Type.Number({ exclusiveMinimum: 0, description: 'Floor of the baseline (no history yet)' }),
  },
  { $id: 'SurgeRule', additionalProperties: false },
);
export type SurgeRule = Static<typeof SurgeRule>;

export const DownstreamCondition = Type.Object(
  {
    rivers: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      description: 'Ids of rivers of the rule set; A and B must lie along the same one',
    }),
    maxOffsetM: Metres('Both events within this distance of the river line'),
    maxDistanceM: Metres('B at most this far downstream of A along the river'),
  },
  { $id: 'DownstreamCondition', additionalProperties: false },
);
export type DownstreamCondition = Static<typeof DownstreamCondition>;

export const SequenceRule = Type.Object(
  {
    ...ruleBase,
    family: Type.Literal('sequence'),
    first: Filters('A'),
    then: Filters('B, at or after A'),
    withinMinutes: Minutes('B at most this long after A'),
    radiusM: Type.Optional(Metres('B within this geodesic distance of A')),
    downstream: Type.Optional(DownstreamCondition),
  },
  { $id: 'SequenceRule', additionalProperties: false },
);
export type SequenceRule = Static<typeof SequenceRule>;

export const SilenceRule = Type.Object(
  {
    ...ruleBase,
    family: Type.Literal('silence'),
    department: Department,
    silentMinutes: Minutes('No event from the department for this long (active hours only)'),
    activeHours: Type.Optional(
      Type.Object(
        {
          from: Type.Integer({ minimum: 0, maximum: 23 }),
          to: Type.Integer({ minimum: 1, maximum: 24 }),
        },
        {
          additionalProperties: false,
          description: 'Local hours (Asia/Shanghai) in which silence counts, [from, to)',
        },
      ),
    ),
  },
  { $id: 'SilenceRule', additionalProperties: false },
);
export type SilenceRule = Static<typeof SilenceRule>;

export const RULE_SCHEMAS: Record<RuleFamily, TSchema> = {
  threshold: ThresholdRule,
  cooccurrence: CooccurrenceRule,
  surge: SurgeRule,
  sequence: SequenceRule,
  silence: SilenceRule,
};

export const Rule = Type.Union([ThresholdRule, CooccurrenceRule, SurgeRule, SequenceRule, SilenceRule], {
  $id: 'Rule',
});
export type Rule = Static<typeof Rule>;

export const River = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z][a-z0-9-]*$' }),
    name: LocalizedText,
    line: Type.Array(Position, { minItems: 2, description: 'WGS-84 polyline, upstream first' }),
  },
  { $id: 'River', additionalProperties: false },
);
export type River = Static<typeof River>;

export const NamedPlace = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z][a-z0-9-]*$' }),
    name: LocalizedText,
    adminCode: Type.Optional(Type.String({ pattern: '^\\d{6}(\\d{3}(\\d{3})?)?$' })),
    center: Position,
  },
  { $id: 'NamedPlace', additionalProperties: false },
);
export type NamedPlace = Static<typeof NamedPlace>;

export const Region = Type.Object(
  {
    name: LocalizedText,
    center: Position,
    radiusM: Metres('Radius of the circle that stands for the region'),
  },
  { $id: 'Region', additionalProperties: false },
);
export type Region = Static<typeof Region>;

/** One YAML or JSON file of a rule set folder. */
export const RuleFile = Type.Object(
  {
    rules: Type.Optional(
      Type.Array(Rule, { description: 'Validated one by one against the schema of its family' }),
    ),
    rivers: Type.Optional(Type.Array(River)),
    places: Type.Optional(
      Type.Array(NamedPlace, { description: 'Places named in titles (nearest to a cluster)' }),
    ),
    region: Type.Optional(Region),
    geography: Type.Optional(
      Type.Union(
        Object.keys(REFERENCE_GEOGRAPHIES).map((name) => Type.Literal(name)),
        {
          description:
            'A reference geography of @liandong/contracts whose region, places and rivers the rule set takes as if written here',
        },
      ),
    ),
  },
  { $id: 'RuleFile', additionalProperties: false },
);
export type RuleFile = Static<typeof RuleFile>;
