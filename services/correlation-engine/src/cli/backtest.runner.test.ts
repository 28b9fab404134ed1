import { describe, expect, it } from 'vitest';
import { loadRuleSet } from '../rules/rule-set.loader.ts';
import { at, near } from '../testing/event.fixture.ts';
import { formatDecisions, formatSummary, runBacktest } from './backtest.runner.ts';

const ruleSet = await loadRuleSet();

describe('back-test', () => {
  const gas = [at(0, 'police.gas_leak'), at(5, 'urban.gas_smell', near(60))];

  it('given good and bad lines, when back-tested, then the warnings of the good ones and each bad line by number', async () => {
    const lines = [
      JSON.stringify(gas[0]),
      '{"id": "oops"',
      '',
      JSON.stringify({ ...gas[1], severity: 'Catastrophic' }),
      JSON.stringify(gas[1]),
    ];
    const result = await runBacktest(lines, { ruleSet });
    expect(result.lines).toBe(5);
    expect(result.events).toBe(2);
    expect(result.badLines.map((b) => b.line)).toEqual([2, 4]);
    expect(result.badLines[0]?.message).toContain('not JSON');
    expect(result.badLines[1]?.message).toContain('/severity');
    expect(result.warnings.map((w) => [w.ruleId, w.level, w.revision])).toEqual([
      ['gas-leak-reports', 'orange', 1],
    ]);
    const summary = formatSummary(result);
    expect(summary).toMatch(/gas-leak-reports\s+1\s+cooccurrence\s+2\s+1\s+1\s+0\s+orange 橙/);
    expect(summary).toContain('bad lines 2');
  });

  it('given an event to explain, when back-tested, then its decisions per rule', async () => {
    const result = await runBacktest(
      gas.map((e) => JSON.stringify(e)),
      { ruleSet, explain: [gas[1]?.id ?? ''] },
    );
    const text = formatDecisions(gas[1]?.id ?? '', result.explanations.get(gas[1]?.id ?? ''));
    expect(text).toContain('gas-leak-reports@1 [raised]');
    expect(text).toContain('river-over-level@1 [not-considered]');
    expect(formatDecisions('nope', undefined)).toBe('nope: not found in the input');
  });
});
