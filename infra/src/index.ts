export * from './paths.ts';
export * from './exec.ts';
export * from './kafka-launcher.ts';
export * from './postgres.ts';
export * from './cli-support.ts';
export * from './web-build.ts';
