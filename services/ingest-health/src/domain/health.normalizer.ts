import { HEALTH_VOCABULARY, HealthRecord } from '@liandong/contracts';
import {
  compact,
  normalizeJsonRecord,
  type JsonFeed,
  type NormalizeContext,
  type RecordOutcome,
  atLeast,
  venuePlace,
  vocabularyEventBody,
  type EscalationRule,
} from '@liandong/ingest-kit';

const notSyndromic = (rule: EscalationRule<HealthRecord>): EscalationRule<HealthRecord> => ({
  ...rule,
  rule: `${rule.rule} (case or dispatch)`,
  applies: (record) => record.recordType !== 'syndromic' && rule.applies(record),
});

/**
 * Health severity escalation, after the grading of public health emergencies (突发公共卫生事件:
 * a poisoning of 30–99 people without deaths is of the lowest grade; 100 and more, or deaths,
 * a larger one). Case counts of syndromic surveillance are counts over a period, which the
 * correlator compares with their baseline: they escalate nothing by themselves; deaths do.
 *
 * | rule | at least |
 * |---|---|
 * | deaths ≥ 10 | Extreme |
 * | cases ≥ 100 (case or dispatch) | Extreme |
 * | deaths ≥ 1 | Severe |
 * | cases ≥ 30 (case or dispatch) | Severe |
 * | cases ≥ 10 (case or dispatch) | Moderate |
 * | severeCases ≥ 1 | Moderate |
 */
export const HEALTH_ESCALATION: readonly EscalationRule<HealthRecord>[] = [
  atLeast('deaths', 10, 'Extreme'),
  notSyndromic(atLeast('cases', 100, 'Extreme')),
  atLeast('deaths', 1, 'Severe'),
  notSyndromic(atLeast('cases', 30, 'Severe')),
  notSyndromic(atLeast('cases', 10, 'Moderate')),
  atLeast('severeCases', 1, 'Moderate'),
];

/** Case reports, syndromic surveillance and 120 dispatches. The patient is kept in the raw record only. */
export const healthFeed: JsonFeed<typeof HealthRecord> = {
  schema: HealthRecord,
  format: 'health-json',
  sourceIdField: 'recordId',
  occurredAtField: 'occurredAt',
  build(record) {
    const body = vocabularyEventBody('health', HEALTH_VOCABULARY, record, HEALTH_ESCALATION);
    return {
      ...body,
      kind: 'incident',
      ...venuePlace(record.suspectedSource),
      attributes: {
        recordType: record.recordType,
        ...compact({
          cases: record.cases,
          severeCases: record.severeCases,
          deaths: record.deaths,
          facility: record.facility,
          dispatchReason: record.dispatchReason,
        }),
        ...body.attributes,
      },
    };
  },
};

export function normalizeHealthRecord(
  value: unknown,
  index: number,
  context: NormalizeContext,
): RecordOutcome {
  return normalizeJsonRecord(healthFeed, value, index, context);
}
