export * from './identifier.ts';
export * from './towns.ts';
export * from './plan.ts';
export * from './cap.ts';
export * from './atom.ts';
export * from './ledger.repository.ts';
export * from './publish.ts';
