import { runIngestService } from '@liandong/ingest-kit';
import { urbanDefinition } from './definition.ts';

await runIngestService(urbanDefinition);
