export * from './client.ts';
export * from './producer.ts';
export * from './admin.ts';
export * from './runner.ts';
export * from './partitioner.ts';
export * from './audit-head.ts';
