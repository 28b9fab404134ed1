import { runIngestService } from '@liandong/ingest-kit';
import { policeDefinition } from './definition.ts';

await runIngestService(policeDefinition, {
  definitionModule: new URL('./definition.ts', import.meta.url),
  exportName: 'policeDefinition',
});
