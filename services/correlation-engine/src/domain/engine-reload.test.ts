/**
 * A rule set reloaded while warnings are open: what the two sets share goes on, what is new starts
 * empty, what is gone is revised no more — and the result is the same whether the engine is
 * reloaded live or restored from a snapshot and reloaded at the same place.
 */
import type { Warning } from '@liandong/contracts';
import { describe, expect, it } from 'vitest';
import { at, gaugeReading, near } from '../testing/event.fixture.ts';
import { fireRuleYaml, replay, ruleSetOf } from '../testing/replay.helper.ts';
import { createEngine, reloadEngine, restoreEngine } from './correlation.engine.ts';

const GAS = (version: number, minEvents: number) => `
  - id: gas
    version: ${version}
    family: cooccurrence
    category: accident
    match: [{ types: [police.gas_leak, urban.gas_smell] }]
    minEvents: ${minEvents}
    minDepartments: 1
    radiusM: 300
    windowMinutes: 60
    level: { base: yellow, raise: [{ to: orange, when: [{ metric: departments, min: 2 }] }] }
    routeTo: [emergency]
    title: { zh: '{place}：燃气泄漏（{events}条）', en: '{place}: gas leak ({events} reports)' }
    summary: { zh: '{events}条', en: '{events} reports' }
`;
const RIVER = `
  - id: river
    version: 1
    family: threshold
    category: natural_disaster
    match: [{ types: [water.river_level], measurement: { name: water_level, reaches: warning } }]
    quietMinutes: 60
    level: { base: yellow }
    routeTo: [water]
    title: { zh: '{station}：超警戒', en: '{station}: over warning level' }
    summary: { zh: '{value}{unit}', en: '{value} {unit}' }
`;
const FIRE = fireRuleYaml();
const BEFORE = ruleSetOf(`rules:${GAS(1, 2)}${RIVER}`);

const ids = (ws: readonly Warning[]) => ws.map((w) => `${w.ruleId}@${w.ruleVersion} r${w.revision}`);

describe('reloading the rule set', () => {
  const opening = () => [
    at(0, 'police.gas_leak'),
    at(5, 'police.gas_leak', near(100)),
    gaugeReading(6, 'water.river_level', 5.4),
  ];

  it('given an unchanged rule, when the set is reloaded, then its open warning is revised under the same id', () => {
    const engine = createEngine(BEFORE);
    const first = replay(engine, opening());
    const gas = first.revisions.find((w) => w.ruleId === 'gas') as Warning;
    const { engine: next, changes } = reloadEngine(engine, ruleSetOf(`rules:${GAS(1, 2)}${RIVER}${FIRE}`));
    expect(changes).toEqual({
      kept: ['gas', 'river'],
      changed: [],
      replaced: [],
      added: ['fire'],
      removed: [],
    });
    const after = replay(next, [at(10, 'urban.gas_smell', near(150))]);
    expect(after.revisions.map((w) => [w.id, w.revision, w.level])).toEqual([[gas.id, 2, 'orange']]);
    expect(next.stats().rules['gas']).toMatchObject({ raised: 1, revisions: 2 });
  });

  it('given a rule changed to a new version, when reloaded, then its open warning goes on under the new version, and the new threshold counts', () => {
    const engine = createEngine(BEFORE);
    const gas = replay(engine, opening()).revisions.find((w) => w.ruleId === 'gas') as Warning;
    const { engine: next, changes } = reloadEngine(engine, ruleSetOf(`rules:${GAS(2, 1)}${RIVER}`));
    expect(changes.changed).toEqual(['gas']);
    const after = replay(next, [
      at(10, 'urban.gas_smell', near(150)),
      // Far from the first leak: with minEvents 1 one report is a warning of its own.
      at(12, 'police.gas_leak', near(5000)),
    ]);
    expect(ids(after.revisions)).toEqual(['gas@2 r2', 'gas@2 r1']);
    expect(after.revisions[0]?.id).toBe(gas.id);
    expect(after.revisions[1]?.id).not.toBe(gas.id);
  });

  it('given a removed rule and a new one, when reloaded, then the removed rule raises nothing more and the new one fires on new events only', () => {
    const engine = createEngine(BEFORE);
    replay(engine, [...opening(), at(7, 'police.fire', near(2000))]);
    const { engine: next, changes } = reloadEngine(engine, ruleSetOf(`rules:${RIVER}${FIRE}`));
    expect(changes).toMatchObject({ added: ['fire'], removed: ['gas'], kept: ['river'] });
    const after = replay(next, [
      at(10, 'urban.gas_smell', near(150)),
      gaugeReading(11, 'water.river_level', 5.6),
      at(12, 'police.fire', near(2000)),
    ]);
    // The river warning goes on (revised by the higher reading); the fire before the reload is not
    // evidence (the rule did not exist then); gas is gone.
    expect(ids(after.revisions)).toEqual(['river@1 r2', 'fire@1 r1']);
    expect(after.revisions[1]?.evidence).toHaveLength(1);
  });

  it('given a rule whose family changed, when reloaded, then it starts empty', () => {
    const engine = createEngine(BEFORE);
    replay(engine, opening());
    const asThreshold = `
  - id: gas
    version: 2
    family: threshold
    category: accident
    match: [{ types: [water.river_level], measurement: { name: water_level, reaches: guaranteed } }]
    quietMinutes: 60
    level: { base: red }
    routeTo: [water]
    title: { zh: '{station}', en: '{station}' }
    summary: { zh: '{value}', en: '{value}' }
`;
    const { engine: next, changes } = reloadEngine(engine, ruleSetOf(`rules:${asThreshold}${RIVER}`));
    expect(changes.replaced).toEqual(['gas']);
    expect(next.stats().rules['gas']).toEqual({ considered: 0, raised: 0, revisions: 0 });
    expect(next.snapshot().families.find((f) => f.ruleId === 'gas')?.parts[0].episodes).toEqual([]);
  });

  it('given the same input, when reloaded live or after a restore at the same place, then the same warnings come out', () => {
    const later = ruleSetOf(`rules:${FIRE}${GAS(2, 1)}${RIVER}`);
    // Built once: the fixtures number their events, and both runs must see the very same ones.
    const tail = [
      at(10, 'urban.gas_smell', near(150)),
      at(12, 'police.gas_leak', near(5000)),
      gaugeReading(13, 'water.river_level', 5.7),
      at(14, 'police.fire', near(2000)),
    ];
    const events = opening();
    const live = createEngine(BEFORE);
    replay(live, events);
    const a = replay(reloadEngine(live, later).engine, tail);

    const other = createEngine(BEFORE);
    replay(other, events);
    const restored = restoreEngine(BEFORE, structuredClone(other.snapshot()));
    const b = replay(reloadEngine(restored, later).engine, tail);
    expect(b.revisions).toEqual(a.revisions);
    expect(a.revisions.length).toBeGreaterThan(2);
  });
});
