import { runIngestService } from '@liandong/ingest-kit';
import { waterDefinition } from './definition.ts';

await runIngestService(waterDefinition, {
  definitionModule: new URL('./definition.ts', import.meta.url),
  exportName: 'waterDefinition',
});
