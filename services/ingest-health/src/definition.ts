import { HealthRecord } from '@liandong/contracts';
import { normalizeXmlBody, type IngestDefinition } from '@liandong/ingest-kit';
import { normalizeHealthRecord } from './domain/health.normalizer.ts';

/** Case and syndromic reports and 120 dispatches. */
export const healthDefinition: IngestDefinition = {
  department: 'health',
  sourceSystem: 'cdc-120',
  json: { normalize: normalizeHealthRecord },
  xml: (text, context) => normalizeXmlBody(text, context),
  schemas: { HealthRecord },
};
