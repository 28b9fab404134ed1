import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent, Warning } from '@liandong/contracts';
import { loadRuleSet } from '@liandong/correlation-engine';
import { CorrelatorState, shardRuleSet } from './correlator.state.ts';
import { ruleShards } from './rule.shards.ts';

const rules = await loadRuleSet();
const SCENARIOS = fileURLToPath(new URL('../../../correlation-engine/test/scenarios/', import.meta.url));
const scenarios = readdirSync(SCENARIOS)
  .filter((f) => f.endsWith('.ndjson'))
  .map((f) => ({
    name: f.replace('.ndjson', ''),
    events: readFileSync(SCENARIOS + f, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as NormalizedEvent),
  }));

describe('ruleShards', () => {
  it('given the Nanhai rules, then every rule is in exactly one shard, and a rule that yields is in the shard of every rule it yields to', () => {
    for (const count of [1, 2, 3, 4]) {
      const shards = ruleShards(rules.rules, count);
      expect([...shards.keys()].sort()).toEqual(rules.rules.map((r) => r.id).sort());
      for (const rule of rules.rules) {
        const shard = shards.get(rule.id) as number;
        expect(shard).toBeGreaterThanOrEqual(0);
        expect(shard).toBeLessThan(count);
        for (const target of rule.yieldsTo ?? [])
          expect(shards.get(target), `${rule.id} yields to ${target}`).toBe(shard);
      }
    }
  });

  it('given two shards, then each has rules to run', () => {
    const shards = [...ruleShards(rules.rules, 2).values()];
    expect(shards.filter((s) => s === 0).length).toBeGreaterThan(0);
    expect(shards.filter((s) => s === 1).length).toBeGreaterThan(0);
  });

  it('given a rule added, changed or removed elsewhere, then no other rule changes shard', () => {
    const before = ruleShards(rules.rules, 3);
    const added = ruleShards([...rules.rules, { id: 'zz-new-rule' }], 3);
    const removed = ruleShards(
      rules.rules.filter((r) => r.id !== 'river-over-level'),
      3,
    );
    for (const [id, shard] of before) {
      expect(added.get(id)).toBe(shard);
      if (id !== 'river-over-level') expect(removed.get(id)).toBe(shard);
    }
  });

  it('given chains of yielding rules, then the whole group is one shard, keyed by its first yielding rule', () => {
    const chain = [
      { id: 'c', yieldsTo: ['d'] },
      { id: 'd' },
      { id: 'b', yieldsTo: ['d', 'e'] },
      { id: 'e' },
      { id: 'lonely', yieldsTo: ['not-a-rule'] },
    ];
    for (const count of [2, 5, 7]) {
      const shards = ruleShards(chain, count);
      const group = new Set(['b', 'c', 'd', 'e'].map((id) => shards.get(id)));
      expect(group.size).toBe(1);
      // The group's key is "b": the shard of a lone rule called "b".
      expect(shards.get('d')).toBe(ruleShards([{ id: 'b' }], count).get('b'));
    }
    expect(() => ruleShards(chain, 0)).toThrow(/shards must be a whole number ≥ 1, not 0/);
  });
});

describe('CorrelatorState by shards', () => {
  const key = (w: Warning) => `${w.id}#${w.revision}`;
  const run = (state: CorrelatorState, events: readonly NormalizedEvent[]) =>
    events.flatMap(
      (event, i) =>
        state.step({ kind: 'event', event, source: { partition: 'events/0', offset: BigInt(i) } }).warnings,
    );

  for (const count of [2, 3]) {
    it(`given each recorded scenario, then ${count} shards together raise exactly the warnings and revisions of one engine with every rule, each once`, () => {
      let total = 0;
      for (const { name, events } of scenarios) {
        const whole = run(CorrelatorState.fresh(rules, {}), events);
        const parts = Array.from({ length: count }, (_, index) =>
          run(CorrelatorState.fresh(rules, {}, undefined, { index, count }), events),
        );
        const union = parts.flat();
        expect(new Set(union.map(key)).size, `${name}: a revision raised by two shards`).toBe(union.length);
        expect(new Map(union.map((w) => [key(w), w])), name).toEqual(new Map(whole.map((w) => [key(w), w])));
        // Each shard's warnings are those of its own rules.
        parts.forEach((list, index) => {
          const own = new Set(shardRuleSet(rules, { index, count }).rules.map((r) => r.id));
          for (const w of list) expect(own.has(w.ruleId), `${w.ruleId} in shard ${index}`).toBe(true);
        });
        total += whole.length;
      }
      expect(total).toBeGreaterThan(10);
    });
  }

  it('given a snapshot of a shard, then it restores as that shard and the state names the whole rule set', () => {
    const shard = { index: 1, count: 2 };
    const state = CorrelatorState.fresh(rules, {}, undefined, shard);
    const restored = CorrelatorState.restore(rules, state.snapshot(), {}, shard);
    expect(restored.engine.ruleSet.rules.map((r) => r.id)).toEqual(
      shardRuleSet(rules, shard).rules.map((r) => r.id),
    );
    expect(restored.ruleSet).toBe(rules);
    expect(restored.engine.ruleSet.rules.length).toBeLessThan(rules.rules.length);
  });
});
