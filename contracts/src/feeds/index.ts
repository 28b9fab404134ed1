export * from './common.ts';
export * from './police.ts';
export * from './urban.ts';
export * from './market.ts';
export * from './health.ts';
export * from './traffic.ts';
export * from './water.ts';
export * from './vocabulary.ts';
