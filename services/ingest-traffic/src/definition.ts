import { TrafficRecord } from '@liandong/contracts';
import { normalizeXmlBody, type IngestDefinition } from '@liandong/ingest-kit';
import { normalizeTrafficRecord } from './domain/traffic.normalizer.ts';

/** Accidents, congestion and closures, with DATEX II situation record types as vocabulary. */
export const trafficDefinition: IngestDefinition = {
  department: 'traffic',
  sourceSystem: 'traffic-datex',
  json: { normalize: normalizeTrafficRecord },
  xml: (text, context) => normalizeXmlBody(text, context),
  schemas: { TrafficRecord },
};
