import { describe, expect, it } from 'vitest';
import type { Warning } from '@liandong/contracts';
import { loadRuleSet, readRuleFiles, ruleFilesFingerprint } from '@liandong/correlation-engine';
import { at, fireRuleYaml, gaugeReading, near } from '@liandong/correlation-engine/testing';
import { CorrelatorState, markProduced, unproduced, type RuleFiles } from './correlator.state.ts';

const rules = await loadRuleSet();
const filesOf = (files: { name: string; text: string }[]): RuleFiles => ({
  fingerprint: ruleFilesFingerprint(files),
  files,
});
const folder = filesOf(await readRuleFiles());
/** The default rules and one more: a single fire report is a warning. */
const withFire = filesOf([
  ...folder.files,
  {
    name: '90-fire.yaml',
    text: `rules:${fireRuleYaml('fire-now')}`,
  },
]);
const storm = [
  gaugeReading(0, 'water.waterlogging_depth', 0.3),
  at(10, 'traffic.flooded_road', near(800)),
  at(20, 'police.flooding', near(-600, 500)),
  at(30, 'police.people_trapped', near(100)),
];
const source = (offset: number) => ({ partition: 'events.police.v1/0', offset: BigInt(offset) });

describe('CorrelatorState: rules records', () => {
  it('given a rules record of the set already running, then nothing changes', () => {
    const state = CorrelatorState.fresh(rules, {}, folder);
    expect(state.step({ kind: 'rules', rules: folder })).toEqual({ warnings: [], outcome: 'rules' });
    expect(state.rulesFingerprint).toBe(folder.fingerprint);
  });

  it('given a rules record with a new rule, then the engine runs it from there on, and a snapshot goes on under it whatever the folder holds', () => {
    const state = CorrelatorState.fresh(rules, {}, folder);
    const fire = at(0, 'police.fire', near(0, 4000));
    expect(state.step({ kind: 'event', event: fire, source: source(0) }).warnings).toEqual([]);
    const result = state.step({ kind: 'rules', rules: withFire });
    expect(result.changes?.added).toEqual(['fire-now']);
    expect(state.rulesFingerprint).toBe(withFire.fingerprint);
    const restored = CorrelatorState.restore(rules, state.snapshot(), {});
    expect(restored.rulesFingerprint).toBe(withFire.fingerprint);
    const next = at(1, 'police.fire', near(0, -4000));
    const raised = restored.step({ kind: 'event', event: next, source: source(1) }).warnings;
    expect(raised.map((w) => [w.ruleId, w.evidence])).toEqual([['fire-now', [next.id]]]);
  });

  it('given a rules record that does not parse, then it is refused and the running set stays', () => {
    const state = CorrelatorState.fresh(rules, {}, folder);
    const broken = filesOf([{ name: 'x.yaml', text: 'rules: [{ id: x }]' }]);
    const result = state.step({ kind: 'rules', rules: broken });
    expect(result.refused).toMatch(/x\.yaml/);
    expect(state.rulesFingerprint).toBe(folder.fingerprint);
    expect(state.engine.ruleSet).toBe(rules);
  });
});

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

  it('given a copy more than one past the highest source offset taken, then the event is taken and the records between are named as never copied', () => {
    const state = CorrelatorState.fresh(rules, {});
    expect(state.step({ kind: 'event', event: storm[0]!, source: source(4) }).gap).toBeUndefined();
    expect(state.step({ kind: 'event', event: storm[1]!, source: source(5) }).gap).toBeUndefined();
    const skipped = state.step({ kind: 'event', event: storm[2]!, source: source(9) });
    expect(skipped.outcome).toBe('correlated');
    expect(skipped.gap).toEqual({ partition: 'events.police.v1/0', after: 5n, missing: 3n });
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

describe('CorrelatorState on a shard of the sequence', () => {
  it('given a copy whose sequence offset was taken already (the fan-out repeated a run), then it is skipped as a repeat, tick and rules records too, also after a restore', () => {
    const state = CorrelatorState.fresh(rules, {}, folder, { index: 0, count: 2 });
    const inputs = storm.map((event, i) => ({
      kind: 'event' as const,
      event,
      source: source(i),
      log: BigInt(i),
    }));
    expect(inputs.slice(0, 2).map((input) => state.step(input).outcome)).toEqual([
      'correlated',
      'correlated',
    ]);
    expect(state.step({ kind: 'tick', at: Date.now(), log: 1n }).outcome).toBe('repeat');
    expect(state.step({ kind: 'rules', rules: withFire, log: 0n }).outcome).toBe('repeat');
    expect(state.rulesFingerprint).toBe(folder.fingerprint);
    const restored = CorrelatorState.restore(rules, state.snapshot(), {}, { index: 0, count: 2 });
    expect(restored.step({ ...inputs[1]!, source: undefined }).outcome).toBe('repeat');
    expect(restored.step(inputs[2]!).outcome).toBe('correlated');
  });
});
