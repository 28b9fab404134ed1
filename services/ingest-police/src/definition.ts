import { PoliceRecord } from '@liandong/contracts';
import { normalizeXmlBody, type IngestDefinition } from '@liandong/ingest-kit';
import { normalizePoliceRecord } from './domain/police.normalizer.ts';

/** 110 calls for service and incidents (JSON), CAP 1.2 warnings. */
export const policeDefinition: IngestDefinition = {
  department: 'police',
  sourceSystem: '110-jiejing',
  json: { normalize: normalizePoliceRecord },
  xml: (text, context) => normalizeXmlBody(text, context),
  schemas: { PoliceRecord },
};
