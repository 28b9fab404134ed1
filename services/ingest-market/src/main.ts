import { runIngestService } from '@liandong/ingest-kit';
import { marketDefinition } from './definition.ts';

await runIngestService(marketDefinition);
