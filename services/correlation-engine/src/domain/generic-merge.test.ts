import { describe, expect, it } from 'vitest';
import { createEngine } from './correlation.engine.ts';
import { loadRuleSet } from '../rules/rule-set.loader.ts';
import { at, gaugeReading, near } from '../testing/event.fixture.ts';

const rules = await loadRuleSet();

describe('the generic co-occurrence rule is a safety net', () => {
  it('given three departments’ Moderate reports of flooding at one spot, then the generic warning, whatever their types', () => {
    const engine = createEngine(rules);
    const warnings = [
      at(0, 'police.flooding', { severity: 'Moderate' }),
      at(5, 'traffic.flooded_road', { severity: 'Moderate', ...near(300) }),
      at(10, 'urban.waterlogging', { severity: 'Moderate', ...near(-300) }),
    ].flatMap((e) => engine.correlate(e).warnings);
    expect(warnings.map((w) => [w.ruleId, w.status])).toEqual([['generic-cooccurrence', 'active']]);
  });

  it('given a dedicated rule that later claims its events, then the generic warning is cancelled, pointing to the dedicated one; never both active, never neither', () => {
    const engine = createEngine(rules);
    const reports = [
      at(0, 'police.flooding', { severity: 'Moderate' }),
      at(5, 'traffic.flooded_road', { severity: 'Moderate', ...near(300) }),
      at(10, 'urban.waterlogging', { severity: 'Moderate', ...near(-300) }),
    ].flatMap((e) => engine.correlate(e).warnings);
    const generic = reports[0]!;
    const after = engine.correlate(gaugeReading(15, 'water.waterlogging_depth', 0.3, near(100))).warnings;
    const dedicated = after.find((w) => w.ruleId === 'rainstorm-waterlogging');
    const merged = after.find((w) => w.id === generic.id);
    expect(dedicated?.status).toBe('active');
    expect(merged).toMatchObject({ status: 'cancelled', revision: generic.revision + 1 });
    expect(merged?.summary.zh).toContain(dedicated?.id);
    expect(merged?.summary.en).toContain(dedicated?.id);
    // More reports at the spot go to the dedicated warning only.
    const more = engine.correlate(
      at(20, 'police.people_trapped', { severity: 'Severe', ...near(50) }),
    ).warnings;
    expect(more.map((w) => w.ruleId)).toEqual(['rainstorm-waterlogging']);
  });
});
