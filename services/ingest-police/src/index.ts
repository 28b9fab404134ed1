export * from './definition.ts';
export * from './domain/police.normalizer.ts';
