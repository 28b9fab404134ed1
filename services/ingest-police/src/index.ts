/** What other packages take from this service: its ingest definition and, for the ingest benchmark, its normalizer. */
export { policeDefinition } from './definition.ts';
export { normalizePoliceRecord } from './domain/police.normalizer.ts';
