export * from './domain/sim-record.ts';
export * from './domain/random.ts';
export * from './domain/builders.ts';
export * from './domain/background.ts';
export * from './domain/scenarios/index.ts';
export * from './adapters/sender.ts';
export * from './simulation.ts';
