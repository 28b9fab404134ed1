import { describe, expect, it } from 'vitest';
import type { Warning } from '@liandong/contracts';
import { loadRuleSet } from '@liandong/correlation-engine';
import { at, gaugeReading, near } from '@liandong/correlation-engine/testing';
import { CorrelatorState, markProduced, unproduced } from './correlator.state.ts';

const rules = await loadRuleSet();
const storm = [
  gaugeReading(0, 'water.waterlogging_depth', 0.3),
  at(10, 'traffic.flooded_road', near(800)),
  at(20, 'police.flooding', near(-600, 500)),
  at(30, 'police.people_trapped', near(100)),
];
const source = (offset: number) => ({ partition: 'events.police.v1/0', offset: BigInt(offset) });

describe('CorrelatorState', () => {
  it('given a copy whose source offset was taken already, then it is skipped as a repeat', () => {
    const state = CorrelatorState.fresh(rules, {});
    const first = storm.map((event, i) => state.step({ kind: 'event', event, source: source(i) }));
    expect(first.map((r) => r.outcome)).toEqual(['correlated', 'correlated', 'correlated', 'correlated']);
    expect(state.step({ kind: 'event', event: storm[2]!, source: source(2) })).toEqual({
      warnings: [],
      outcome: 'repeat',
    });
  });

  it('given a snapshot taken half-way, then the restored state goes on to the same warnings as one never stopped', () => {
    const whole = CorrelatorState.fresh(rules, {});
    const all = storm.flatMap((event, i) => whole.step({ kind: 'event', event, source: source(i) }).warnings);
    const half = CorrelatorState.fresh(rules, {});
    const before = storm
      .slice(0, 2)
      .flatMap((event, i) => half.step({ kind: 'event', event, source: source(i) }).warnings);
    const restored = CorrelatorState.restore(rules, half.snapshot(), {});
    const after = storm
      .slice(2)
      .flatMap((event, i) => restored.step({ kind: 'event', event, source: source(i + 2) }).warnings);
    expect([...before, ...after]).toEqual(all);
    expect(all.length).toBeGreaterThan(0);
  });
});

describe('unproduced', () => {
  const w = (id: string, revision: number) => ({ id, revision }) as Warning;
  it('given revisions at or below the highest produced, then only the newer ones are left; marking them records the highest', () => {
    const produced = new Map([['a', 2]]);
    const fresh = unproduced([w('a', 2), w('a', 3), w('b', 1)], produced);
    expect(fresh.map((x) => `${x.id}#${x.revision}`)).toEqual(['a#3', 'b#1']);
    expect(produced.get('a')).toBe(2);
    expect(markProduced(fresh, produced)).toEqual(
      new Map([
        ['a', 3],
        ['b', 1],
      ]),
    );
    expect(produced).toEqual(
      new Map([
        ['a', 3],
        ['b', 1],
      ]),
    );
  });
});
