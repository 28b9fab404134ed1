import { MarketRecord, Open311ServiceRequest, open311CodeTable } from '@liandong/contracts';
import { createOpen311Normalizer, normalizeXmlBody, type IngestDefinition } from '@liandong/ingest-kit';
import { normalizeMarketRecord } from './domain/market.normalizer.ts';

const open311 = createOpen311Normalizer({ department: 'market', codeTable: open311CodeTable('market') });

function isOpen311(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'service_request_id' in value;
}

/** 12315 complaints, inspections and special-equipment reports, and Open311 requests routed to market supervision. */
export const marketDefinition: IngestDefinition = {
  department: 'market',
  sourceSystem: '12315',
  json: {
    // A batch may mix both kinds: an Open311 request names itself by service_request_id.
    normalize: (value, index, context) =>
      isOpen311(value)
        ? open311.normalize(value, index, context)
        : normalizeMarketRecord(value, index, context),
    parse: open311.parse,
  },
  xml: (text, context) => normalizeXmlBody(text, context, { open311 }),
  pull: { open311 },
  schemas: { MarketRecord, Open311ServiceRequest },
};
