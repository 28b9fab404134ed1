import { runIngestService } from '@liandong/ingest-kit';
import { healthDefinition } from './definition.ts';

await runIngestService(healthDefinition, {
  definitionModule: new URL('./definition.ts', import.meta.url),
  exportName: 'healthDefinition',
});
