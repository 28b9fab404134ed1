export * from './key.repository.ts';
export * from './key.administration.ts';
