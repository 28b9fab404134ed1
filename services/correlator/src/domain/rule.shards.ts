/**
 * How the rules are divided between the shards (the partitions of correlator.shards.v1), so that N
 * correlators in one consumer group raise exactly the warnings one would.
 *
 * Every shard's partition carries every record of the sequence — events, clock ticks, rule sets — in the
 * same order; the engine of partition p runs only the rules of shard p. A rule's warnings depend
 * only on the input and on the rules it yields to (a generic rule gives way to the dedicated rules
 * that claimed an event, and merges into their warnings): no other state crosses from one rule to
 * another. So the rules are grouped into the connected groups of `yieldsTo`, and each group goes to
 * one shard whole: the union of the shards' warnings is the warnings of one engine with every rule,
 * each raised by exactly one shard — spatial or not (silence of a feed, district-wide surges).
 *
 * A group's shard is a hash of its key (the first of its rules that yield, else its one rule), so
 * it does not move when other rules are added, changed or removed; only a reload that changes the
 * group itself (a generic rule that now yields to a new rule) moves it, and that group's rules
 * then start afresh in their new shard, as a replaced rule does.
 */
import { createHash } from 'node:crypto';

interface ShardedRule {
  readonly id: string;
  readonly yieldsTo?: readonly string[] | undefined;
}

/** The shard of each rule id, for `count` shards. */
export function ruleShards(rules: readonly ShardedRule[], count: number): Map<string, number> {
  if (!Number.isInteger(count) || count < 1)
    throw new RangeError(`shards must be a whole number ≥ 1, not ${count}`);
  const ids = new Set(rules.map((r) => r.id));
  const parent = new Map<string, string>([...ids].map((id) => [id, id]));
  const root = (id: string): string => {
    let r = id;
    while (parent.get(r) !== r) r = parent.get(r) as string;
    parent.set(id, r);
    return r;
  };
  for (const rule of rules)
    for (const target of rule.yieldsTo ?? []) {
      if (!ids.has(target)) continue;
      const [a, b] = [root(rule.id), root(target)];
      if (a !== b) parent.set(a < b ? b : a, a < b ? a : b);
    }
  // A group's key: the smallest id among its rules that yield (a singleton: its own id).
  const key = new Map<string, string>();
  for (const rule of rules) {
    const r = root(rule.id);
    if ((rule.yieldsTo ?? []).some((t) => ids.has(t))) {
      const k = key.get(r);
      if (k === undefined || rule.id < k) key.set(r, rule.id);
    }
  }
  const shards = new Map<string, number>();
  for (const rule of rules) {
    const r = root(rule.id);
    shards.set(rule.id, count === 1 ? 0 : shardOfKey(key.get(r) ?? rule.id, count));
  }
  return shards;
}

function shardOfKey(key: string, count: number): number {
  return createHash('sha256').update(key, 'utf8').digest().readUInt32BE(0) % count;
}
