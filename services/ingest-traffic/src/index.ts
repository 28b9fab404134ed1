export * from './definition.ts';
export * from './domain/traffic.normalizer.ts';
