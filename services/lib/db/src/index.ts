export * from './pool.ts';
export * from './migrate.ts';
export * from './audit.ts';
export * from './audit-head.ts';
