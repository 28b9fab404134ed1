export * from './definition.ts';
export * from './domain/health.normalizer.ts';
