import { runIngestService } from '@liandong/ingest-kit';
import { waterDefinition } from './definition.ts';

await runIngestService(waterDefinition);
