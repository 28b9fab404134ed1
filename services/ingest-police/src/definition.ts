import { PoliceRecord } from '@liandong/contracts';
import type { IngestDefinition } from '@liandong/ingest-kit';
import { normalizePoliceRecord } from './domain/police.normalizer.ts';

export const policeDefinition: IngestDefinition = {
  department: 'police',
  sourceSystem: '110-jiejing',
  json: { normalize: normalizePoliceRecord },
  schemas: { PoliceRecord },
};
