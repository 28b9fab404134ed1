export * from './common.ts';
export * from './police.ts';
