import { Type, type Static } from '@sinclair/typebox';
import { LocalizedText } from './common.ts';

/**
 * The department registry: data, read by every process. Feed departments run an ingest
 * service and have an events topic; the other units only receive warnings.
 */
export const FEED_FORMATS = [
  'cap-1.2',
  'police-json',
  'open311-v2-json',
  'open311-v2-xml',
  'market-json',
  'health-json',
  'sensorthings-1.1',
  'traffic-json',
] as const;
export type FeedFormat = (typeof FEED_FORMATS)[number];
export const FeedFormatSchema = Type.Union(FEED_FORMATS.map((f) => Type.Literal(f)));

export interface DepartmentEntry {
  readonly code: string;
  readonly name: LocalizedText;
  /** Formats its ingest service accepts; empty for units that send no feed. */
  readonly feeds: readonly FeedFormat[];
  /** Units a warning raised from this department's events goes to by default, itself included. */
  readonly defaultRouting: readonly string[];
  /** Default port of its ingest service. */
  readonly ingestPort?: number;
}

export const DEPARTMENT_REGISTRY = [
  {
    code: 'police',
    name: { zh: '公安', en: 'Police' },
    feeds: ['police-json', 'cap-1.2'],
    defaultRouting: ['police', 'emergency'],
    ingestPort: 8101,
  },
  {
    code: 'urban',
    name: { zh: '城管', en: 'Urban management' },
    feeds: ['open311-v2-json', 'open311-v2-xml', 'cap-1.2'],
    defaultRouting: ['urban', 'emergency'],
    ingestPort: 8102,
  },
  {
    code: 'market',
    name: { zh: '市场监管', en: 'Market supervision' },
    feeds: ['market-json', 'open311-v2-json', 'open311-v2-xml', 'cap-1.2'],
    defaultRouting: ['market', 'emergency'],
    ingestPort: 8103,
  },
  {
    code: 'health',
    name: { zh: '卫生健康', en: 'Health' },
    feeds: ['health-json', 'cap-1.2'],
    defaultRouting: ['health', 'emergency'],
    ingestPort: 8104,
  },
  {
    code: 'water',
    name: { zh: '水务', en: 'Water' },
    feeds: ['sensorthings-1.1', 'cap-1.2'],
    defaultRouting: ['water', 'emergency'],
    ingestPort: 8105,
  },
  {
    code: 'traffic',
    name: { zh: '交通', en: 'Traffic' },
    feeds: ['traffic-json', 'cap-1.2'],
    defaultRouting: ['traffic', 'emergency'],
    ingestPort: 8106,
  },
  {
    code: 'emergency',
    name: { zh: '区应急管理局', en: 'Emergency office' },
    feeds: [],
    defaultRouting: ['emergency'],
  },
  {
    code: 'petitions',
    name: { zh: '区信访局', en: 'Petitions bureau' },
    feeds: [],
    defaultRouting: ['petitions', 'emergency'],
  },
  {
    code: 'governance',
    name: { zh: '区综治中心', en: 'Comprehensive governance office' },
    feeds: [],
    defaultRouting: ['governance', 'emergency'],
  },
] as const satisfies readonly DepartmentEntry[];

export type UnitCode = (typeof DEPARTMENT_REGISTRY)[number]['code'];
type FeedEntry = Extract<(typeof DEPARTMENT_REGISTRY)[number], { ingestPort: number }>;
export type DepartmentCode = FeedEntry['code'];

export const UNIT_CODES: readonly UnitCode[] = DEPARTMENT_REGISTRY.map((d) => d.code);
export const DEPARTMENT_CODES: readonly DepartmentCode[] = DEPARTMENT_REGISTRY.filter(
  (d): d is FeedEntry => 'ingestPort' in d,
).map((d) => d.code);

/** A department that sends a feed (has an ingest service and an events topic). */
export const Department = Type.Union(
  DEPARTMENT_CODES.map((c) => Type.Literal(c)),
  { $id: 'Department', description: 'Code of a feed department in the registry' },
);
/** Any unit a warning can be routed to, feed departments included. */
export const Unit = Type.Union(
  UNIT_CODES.map((c) => Type.Literal(c)),
  { $id: 'Unit', description: 'Code of any unit in the registry' },
);

export const DepartmentEntrySchema = Type.Object(
  {
    code: Type.String({ pattern: '^[a-z][a-z0-9-]*$' }),
    name: LocalizedText,
    feeds: Type.Array(FeedFormatSchema),
    defaultRouting: Type.Array(Type.String()),
    ingestPort: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  },
  { $id: 'DepartmentEntry', additionalProperties: false },
);
export type DepartmentEntrySchema = Static<typeof DepartmentEntrySchema>;

export function isDepartmentCode(code: string): code is DepartmentCode {
  return (DEPARTMENT_CODES as readonly string[]).includes(code);
}

export function isUnitCode(code: string): code is UnitCode {
  return (UNIT_CODES as readonly string[]).includes(code);
}

export function departmentEntry(code: UnitCode): DepartmentEntry {
  const entry = DEPARTMENT_REGISTRY.find((d) => d.code === code);
  if (!entry) throw new Error(`unknown unit code "${code}"`);
  return entry;
}
