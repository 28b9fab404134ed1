/** What the other packages take from @liandong/simulator — and only that; the rest is the package's own. */
export type { SimRecord } from './domain/sim-record.ts';
export { SCENARIOS, scenarioByName } from './domain/scenarios/index.ts';
export { createBackground } from './domain/background.ts';
export { createRandom, offset, type Random } from './domain/random.ts';
