import { runIngestService } from '@liandong/ingest-kit';
import { policeDefinition } from './definition.ts';

await runIngestService(policeDefinition);
