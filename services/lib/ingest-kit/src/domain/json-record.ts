import type { Static, TSchema } from '@sinclair/typebox';
import {
  validator,
  type Validator,
  type Crs,
  type FeedFormat,
  type NormalizedEvent,
  type SourceLocation,
} from '@liandong/contracts';
import { toWgs84 } from './coordinates.ts';
import { eventIdFor } from './event-id.ts';
import { rejected, type NormalizeContext, type RecordIssue, type RecordOutcome } from './outcome.ts';
import { futureSkewIssue, toUtc } from './time.ts';

/** The fields every event gets from the common part of a department JSON record. */
export type BaseEvent = Pick<
  NormalizedEvent,
  | 'id'
  | 'department'
  | 'source'
  | 'status'
  | 'msgType'
  | 'references'
  | 'receivedAt'
  | 'texts'
  | 'measurements'
  | 'attributes'
  | 'geocodes'
  | 'raw'
> &
  Partial<Pick<NormalizedEvent, 'location' | 'address' | 'adminCode'>>;

/** What a department-specific normalizer adds to the base. */
export type EventBody = Omit<NormalizedEvent, keyof BaseEvent> & Partial<BaseEvent>;

interface CommonRecord {
  status?: NormalizedEvent['status'];
  location?: SourceLocation;
  address?: string;
  adminCode?: string;
}

export interface JsonFeed<S extends TSchema> {
  schema: S;
  format: FeedFormat;
  /** Property that holds the source id, read even from invalid records to name them in errors. */
  sourceIdField: string;
  /** The occurrence time field (a pointer segment), checked for future skew. */
  occurredAtField: string;
  build(record: Static<S>, base: BaseEvent, context: NormalizeContext): EventBody | RecordIssue[];
}

function sourceIdOf(value: unknown, field: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const id = (value as Record<string, unknown>)[field];
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

const validators = new WeakMap<object, Validator<TSchema>>();
function validatorOf<S extends TSchema>(feed: JsonFeed<S>): Validator<S> {
  let check = validators.get(feed);
  if (!check) {
    check = validator(feed.schema);
    validators.set(feed, check);
  }
  return check as Validator<S>;
}

/** Validates one JSON record against its contract and normalizes it. Pure. */
export function normalizeJsonRecord<S extends TSchema>(
  feed: JsonFeed<S>,
  value: unknown,
  index: number,
  context: NormalizeContext,
): RecordOutcome {
  const raw = JSON.stringify(value);
  const sourceId = sourceIdOf(value, feed.sourceIdField);
  const check = validatorOf(feed);
  if (!check.check(value)) {
    const issues = check
      .issues(value)
      .map((i) => ({ pointer: i.pointer, code: 'invalid_field', message: i.message }));
    return rejected(index, raw, issues, sourceId);
  }
  const record = value as Static<S> & CommonRecord;
  const id = sourceIdOf(record, feed.sourceIdField) as string;
  const issues: RecordIssue[] = [];

  const occurredAt = toUtc((record as Record<string, unknown>)[feed.occurredAtField]);
  const skew = futureSkewIssue(occurredAt, context.receivedAt, `/${feed.occurredAtField}`);
  if (skew) issues.push(skew);

  let crs: Crs | undefined;
  let location: NormalizedEvent['location'];
  if (record.location) {
    crs = record.location.crs ?? context.defaultCrs;
    const converted = toWgs84(record.location.lon, record.location.lat, crs);
    if (converted.ok) location = converted.point;
    else issues.push({ ...converted.issue, code: 'invalid_coordinates' });
  } else if (record.address === undefined && record.adminCode === undefined) {
    issues.push({
      pointer: '/location',
      code: 'missing_location',
      message: 'the record says nowhere where it happened: give location, address or adminCode',
    });
  }
  if (issues.length > 0) return rejected(index, raw, issues, id);

  const base: BaseEvent = {
    id: eventIdFor(context.department, id),
    department: context.department,
    source: { system: context.sourceSystem, format: feed.format, id, ...(crs ? { crs } : {}) },
    status: record.status ?? 'Actual',
    msgType: 'Alert',
    references: [],
    receivedAt: context.receivedAt.toISOString(),
    texts: [],
    measurements: [],
    attributes: {},
    geocodes: [],
    raw: { contentType: 'application/json', body: raw },
    ...(location ? { location } : {}),
    ...(record.address !== undefined ? { address: record.address } : {}),
    ...(record.adminCode !== undefined ? { adminCode: record.adminCode } : {}),
  };
  const body = feed.build(record, base, context);
  if (Array.isArray(body)) return rejected(index, raw, body, id);
  return { ok: true, index, event: { ...base, ...body }, raw };
}
