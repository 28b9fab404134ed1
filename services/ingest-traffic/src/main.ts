import { runIngestService } from '@liandong/ingest-kit';
import { trafficDefinition } from './definition.ts';

await runIngestService(trafficDefinition);
