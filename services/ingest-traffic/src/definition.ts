import { TrafficRecord } from '@liandong/contracts';
import { normalizeTrafficRecord, normalizeXmlBody, type IngestDefinition } from '@liandong/ingest-kit';

/** Accidents, congestion and closures, with DATEX II situation record types as vocabulary. */
export const trafficDefinition: IngestDefinition = {
  department: 'traffic',
  sourceSystem: 'traffic-datex',
  json: { normalize: normalizeTrafficRecord },
  xml: (text, context) => normalizeXmlBody(text, context),
  schemas: { TrafficRecord },
};
