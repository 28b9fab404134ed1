export * from './key.repository.ts';
