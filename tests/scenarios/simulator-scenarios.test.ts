import { describe, expect, it } from 'vitest';
import { NormalizedEvent, validator, type Warning } from '@liandong/contracts';
import { createEngine, loadRuleSet } from '@liandong/correlation-engine';
import { exportScenario } from './simulator-export.ts';

async function backtest(events: readonly unknown[]): Promise<Warning[]> {
  const engine = createEngine(await loadRuleSet(), { allowedLatenessMinutes: 60 });
  const latest = new Map<string, Warning>();
  for (const event of events) {
    for (const warning of engine.correlate(event as never).warnings) latest.set(warning.id, warning);
  }
  return [...latest.values()];
}

/** What a duty officer should see from each simulator scenario, by rule, and only that. */
const EXPECTED: Record<string, { rules: string[]; departments?: string[] }> = {
  rainstorm: { rules: ['heavy-rainfall', 'river-over-level', 'rainstorm-waterlogging'] },
  'food-poisoning': { rules: ['food-poisoning-cluster'], departments: ['health', 'market'] },
  'crowd-gathering': { rules: ['crowd-gathering-surge'], departments: ['petitions', 'governance'] },
  'hazmat-river': { rules: ['hazardous-goods-accident', 'hazardous-goods-near-water'] },
};

describe.each(Object.entries(EXPECTED))('simulator scenario %s, back-tested', (name, expected) => {
  it('exports as valid normalized events, all drills', () => {
    const events = exportScenario(name);
    const check = validator(NormalizedEvent);
    for (const event of events) expect(check.issues(event)).toEqual([]);
    expect(events.every((e) => e.status === 'Exercise')).toBe(true);
  });

  it('raises the warnings a duty officer would expect, and only those, as drills', async () => {
    const warnings = await backtest(exportScenario(name));
    expect([...new Set(warnings.map((w) => w.ruleId))].sort()).toEqual([...expected.rules].sort());
    expect(warnings.every((w) => w.exercise)).toBe(true);
    for (const department of expected.departments ?? []) {
      expect(warnings.some((w) => w.departments.includes(department as never))).toBe(true);
    }
  });

  it('raises real warnings from the same feeds sent as Actual', async () => {
    const warnings = await backtest(exportScenario(name, { status: 'Actual' }));
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.every((w) => !w.exercise)).toBe(true);
  });
});
