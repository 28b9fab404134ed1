import type { Scenario } from '../sim-record.ts';
import { crowdGathering } from './crowd-gathering.scenario.ts';
import { foodPoisoning } from './food-poisoning.scenario.ts';
import { hazmatRiver } from './hazmat-river.scenario.ts';
import { rainstorm } from './rainstorm.scenario.ts';

export const SCENARIOS: readonly Scenario[] = [rainstorm, foodPoisoning, crowdGathering, hazmatRiver];

export function scenarioByName(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
