import { POLICE_VOCABULARY, PoliceRecord, type NormalizedEvent, type Severity } from '@liandong/contracts';
import {
  normalizeJsonRecord,
  toUtc,
  type JsonFeed,
  type NormalizeContext,
  type RecordOutcome,
} from '@liandong/ingest-kit';

/** 110 priority (1 highest … 4) to CAP severity. */
const PRIORITY_SEVERITY: Record<number, Severity> = { 1: 'Extreme', 2: 'Severe', 3: 'Moderate', 4: 'Minor' };

export const policeFeed: JsonFeed<typeof PoliceRecord> = {
  schema: PoliceRecord,
  format: 'police-json',
  sourceIdField: 'recordId',
  occurredAtField: 'occurredAt',
  build(record) {
    const vocabulary = POLICE_VOCABULARY[record.type];
    const attributes: NormalizedEvent['attributes'] = { recordType: record.recordType };
    if (record.peopleInvolved !== undefined) attributes['peopleInvolved'] = record.peopleInvolved;
    if (record.injured !== undefined) attributes['injured'] = record.injured;
    if (record.dead !== undefined) attributes['dead'] = record.dead;
    if (record.unit !== undefined) attributes['unit'] = record.unit;
    if (record.priority !== undefined) attributes['priority'] = record.priority;
    const reportedAt = record.reportedAt ? toUtc(record.reportedAt) : undefined;
    if (reportedAt) attributes['reportedAt'] = reportedAt;
    return {
      kind: 'incident',
      category: vocabulary.category,
      type: `police.${record.type}`,
      severity:
        record.priority !== undefined
          ? (PRIORITY_SEVERITY[record.priority] ?? vocabulary.severity)
          : vocabulary.severity,
      occurredAt: toUtc(record.occurredAt) as string,
      title: vocabulary.name,
      texts: record.summary ? [{ language: 'zh-CN', description: record.summary }] : [],
      attributes,
    };
  },
};

export function normalizePoliceRecord(
  value: unknown,
  index: number,
  context: NormalizeContext,
): RecordOutcome {
  return normalizeJsonRecord(policeFeed, value, index, context);
}
