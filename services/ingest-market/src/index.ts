export * from './definition.ts';
export * from './domain/market.normalizer.ts';
