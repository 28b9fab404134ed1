import { runIngestService } from '@liandong/ingest-kit';
import { marketDefinition } from './definition.ts';

await runIngestService(marketDefinition, {
  definitionModule: new URL('./definition.ts', import.meta.url),
  exportName: 'marketDefinition',
});
