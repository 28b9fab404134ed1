import { runIngestService } from '@liandong/ingest-kit';
import { urbanDefinition } from './definition.ts';

await runIngestService(urbanDefinition, {
  definitionModule: new URL('./definition.ts', import.meta.url),
  exportName: 'urbanDefinition',
});
