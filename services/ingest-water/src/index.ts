/** What other packages take from this service: its ingest definition (the rest is its own). */
export { waterDefinition } from './definition.ts';
