import { Open311ServiceRequest, open311CodeTable } from '@liandong/contracts';
import { createOpen311Normalizer, normalizeXmlBody, type IngestDefinition } from '@liandong/ingest-kit';

/** 12345 service requests arrive as Open311 GeoReport v2; the code table maps them to the urban vocabulary. */
const open311 = createOpen311Normalizer({ department: 'urban', codeTable: open311CodeTable('urban') });

export const urbanDefinition: IngestDefinition = {
  department: 'urban',
  sourceSystem: '12345-open311',
  json: { normalize: open311.normalize, parse: open311.parse },
  xml: (text, context) => normalizeXmlBody(text, context, { open311 }),
  pull: { open311 },
  schemas: { Open311ServiceRequest },
};
