import { HealthRecord } from '@liandong/contracts';
import { normalizeHealthRecord, normalizeXmlBody, type IngestDefinition } from '@liandong/ingest-kit';

/** Case and syndromic reports and 120 dispatches. */
export const healthDefinition: IngestDefinition = {
  department: 'health',
  sourceSystem: 'cdc-120',
  json: { normalize: normalizeHealthRecord },
  xml: (text, context) => normalizeXmlBody(text, context),
  schemas: { HealthRecord },
};
