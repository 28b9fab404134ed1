import { MARKET_VOCABULARY, MarketRecord } from '@liandong/contracts';
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

/**
 * Market severity escalation by the people affected (ill, trapped), after the grading of food
 * safety incidents (国家食品安全事故应急预案: 30–99 people an incident of the lowest grade, 100
 * and more a larger one):
 *
 * | rule | at least |
 * |---|---|
 * | peopleAffected ≥ 100 | Extreme |
 * | peopleAffected ≥ 30 | Severe |
 * | peopleAffected ≥ 10 | Moderate |
 */
export const MARKET_ESCALATION: readonly EscalationRule<MarketRecord>[] = [
  atLeast('peopleAffected', 100, 'Extreme'),
  atLeast('peopleAffected', 30, 'Severe'),
  atLeast('peopleAffected', 10, 'Moderate'),
];

/**
 * 12315 complaints (request events), inspections and special-equipment reports (incidents).
 * The complainant is personal data: kept in the raw record only.
 */
export const marketFeed: JsonFeed<typeof MarketRecord> = {
  schema: MarketRecord,
  format: 'market-json',
  sourceIdField: 'recordId',
  occurredAtField: 'occurredAt',
  build(record) {
    const body = vocabularyEventBody('market', MARKET_VOCABULARY, record, MARKET_ESCALATION);
    return {
      ...body,
      kind: record.recordType === 'complaint' ? 'request' : 'incident',
      ...venuePlace(record.venue),
      attributes: {
        recordType: record.recordType,
        ...compact({
          peopleAffected: record.peopleAffected,
          equipmentKind: record.equipment?.kind,
          equipmentRegistrationCode: record.equipment?.registrationCode,
        }),
        ...body.attributes,
      },
    };
  },
};

export function normalizeMarketRecord(
  value: unknown,
  index: number,
  context: NormalizeContext,
): RecordOutcome {
  return normalizeJsonRecord(marketFeed, value, index, context);
}
