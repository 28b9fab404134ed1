import { runIngestService } from '@liandong/ingest-kit';
import { trafficDefinition } from './definition.ts';

await runIngestService(trafficDefinition, {
  definitionModule: new URL('./definition.ts', import.meta.url),
  exportName: 'trafficDefinition',
});
