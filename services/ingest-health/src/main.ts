import { runIngestService } from '@liandong/ingest-kit';
import { healthDefinition } from './definition.ts';

await runIngestService(healthDefinition);
