/**
 * What the correlator holds between batches, free of I/O: the engine, and per source partition the
 * highest source offset already taken. The sequence topic is the one order the engine sees; the
 * router copies each events partition into it in order, so a copy whose source offset is not above
 * the highest taken is a repeat (the router crashed after producing and before committing) and is
 * skipped. Same sequence in, same warnings out: live, after a restore, or replayed.
 */
import type { NormalizedEvent, Warning } from '@liandong/contracts';
import {
  createEngine,
  describeIssue,
  parseRuleSet,
  reloadEngine,
  restoreEngine,
  RuleSetError,
  type Engine,
  type EngineOptions,
  type EngineSnapshot,
  type RuleChanges,
  type RuleFileText,
  type RuleSet,
} from '@liandong/correlation-engine';
import { ruleShards } from './rule.shards.ts';

/** A rule set as text, with its fingerprint (ruleFilesFingerprint): what a rules record carries. */
export interface RuleFiles {
  fingerprint: string;
  files: RuleFileText[];
}

export type SequencedInput = (
  | { kind: 'event'; event: NormalizedEvent; source: { partition: string; offset: bigint } | undefined }
  | { kind: 'tick'; at: number }
  | { kind: 'rules'; rules: RuleFiles }
) & {
  /**
   * The record's offset in the sequence log, for a copy on a shard of it: a copy whose log offset
   * was taken already is a repeat (the fan-out crashed after producing and before committing).
   */
  log?: bigint;
};

export interface StepResult {
  warnings: readonly Warning[];
  outcome: 'correlated' | 'late' | 'repeat' | 'tick' | 'rules';
  /** A rules record: what the reload did (undefined when the set was already running or refused). */
  changes?: RuleChanges;
  /** A rules record whose set does not parse (it was checked before it was written: a newer parser?). */
  refused?: string;
  /**
   * An event whose source offset is more than one past the highest taken from its partition: the
   * records between were never copied (the events topics' producers are not transactional, so their
   * offsets have no holes of their own). A copy must never be missing; this makes one visible.
   */
  gap?: { partition: string; after: bigint; missing: bigint };
}

interface StateSnapshot {
  format: 'liandong.correlator.state/1';
  sources: [string, string][];
  /** The highest log offset taken (a shard's state; absent: none). */
  log?: string;
  engine: EngineSnapshot;
  /** The running rule set's text (absent in snapshots written before rules could be reloaded). */
  rules?: RuleFiles;
}

/** The shard a state runs (a partition of correlator.shards.v1), of how many: it runs that shard's rules. */
export interface Shard {
  index: number;
  count: number;
}

/** The rules of one shard (see rule.shards.ts); the whole set for one shard or none given. */
export function shardRuleSet(ruleSet: RuleSet, shard: Shard | undefined): RuleSet {
  if (!shard || shard.count === 1) return ruleSet;
  const shards = ruleShards(ruleSet.rules, shard.count);
  return { ...ruleSet, rules: ruleSet.rules.filter((r) => shards.get(r.id) === shard.index) };
}

/** `id@version` of every rule, in rule-set order: a snapshot is only restored under the same. */
export function rulesFingerprint(ruleSet: RuleSet): string {
  return ruleSet.rules.map((r) => `${r.id}@${r.version}${r.enabled === false ? '-' : ''}`).join(',');
}

export class CorrelatorState {
  private constructor(
    private current: Engine,
    private full: RuleSet,
    private readonly sources: Map<string, bigint>,
    private rules: RuleFiles | undefined,
    private readonly options: EngineOptions,
    private readonly shard: Shard | undefined,
    private log = -1n,
  ) {}

  /** The engine in hand (a rules record replaces it); it runs the rules of the state's shard. */
  get engine(): Engine {
    return this.current;
  }

  /** The whole running rule set, every shard's rules (the engine runs this state's shard of it). */
  get ruleSet(): RuleSet {
    return this.full;
  }

  /** The fingerprint of the running rule set's text (undefined: not known, an old snapshot's). */
  get rulesFingerprint(): string | undefined {
    return this.rules?.fingerprint;
  }

  static fresh(ruleSet: RuleSet, options: EngineOptions, rules?: RuleFiles, shard?: Shard): CorrelatorState {
    const engine = createEngine(shardRuleSet(ruleSet, shard), options);
    return new CorrelatorState(engine, ruleSet, new Map(), rules, options, shard);
  }

  /**
   * A snapshot goes on under the rule set it was taken with (its own text); an older snapshot
   * without it only under `fallback`, and throws when that holds other rules or other lateness.
   */
  static restore(fallback: RuleSet, text: string, options: EngineOptions, shard?: Shard): CorrelatorState {
    const data = JSON.parse(text) as StateSnapshot;
    if (data.format !== 'liandong.correlator.state/1')
      throw new Error(`unknown correlator snapshot format ${String(data.format)}`);
    const ruleSet = data.rules ? parseRuleSet(data.rules.files) : fallback;
    return new CorrelatorState(
      restoreEngine(shardRuleSet(ruleSet, shard), data.engine, options),
      ruleSet,
      new Map(data.sources.map(([k, v]) => [k, BigInt(v)])),
      data.rules,
      options,
      shard,
      data.log === undefined ? -1n : BigInt(data.log),
    );
  }

  step(input: SequencedInput): StepResult {
    if (input.log !== undefined) {
      if (input.log <= this.log) return { warnings: [], outcome: 'repeat' };
      this.log = input.log;
    }
    if (input.kind === 'tick') return { warnings: this.current.advanceTo(input.at), outcome: 'tick' };
    if (input.kind === 'rules') return this.reload(input.rules);
    const { source } = input;
    let gap: StepResult['gap'];
    if (source) {
      const seen = this.sources.get(source.partition);
      if (seen !== undefined && source.offset <= seen) return { warnings: [], outcome: 'repeat' };
      if (seen !== undefined && source.offset > seen + 1n)
        gap = { partition: source.partition, after: seen, missing: source.offset - seen - 1n };
      this.sources.set(source.partition, source.offset);
    }
    const out = this.current.correlate(input.event);
    return { warnings: out.warnings, outcome: out.late ? 'late' : 'correlated', ...(gap ? { gap } : {}) };
  }

  /**
   * A rules record: the engine goes on under the set it carries (reloadEngine), at this place in
   * the sequence — the same place on every replay. The set already running changes nothing.
   */
  private reload(rules: RuleFiles): StepResult {
    if (rules.fingerprint === this.rules?.fingerprint) return { warnings: [], outcome: 'rules' };
    let ruleSet: RuleSet;
    try {
      ruleSet = parseRuleSet(rules.files);
    } catch (error) {
      const issues =
        error instanceof RuleSetError ? error.issues.map(describeIssue).join('; ') : String(error);
      return { warnings: [], outcome: 'rules', refused: issues };
    }
    const { engine, changes } = reloadEngine(this.current, shardRuleSet(ruleSet, this.shard), this.options);
    this.current = engine;
    this.full = ruleSet;
    this.rules = rules;
    return { warnings: [], outcome: 'rules', changes };
  }

  /** The state as JSON text (StateSnapshot); the engine's part written straight from its live state. */
  snapshot(): string {
    const data: Omit<StateSnapshot, 'engine'> = {
      format: 'liandong.correlator.state/1',
      sources: [...this.sources].map(([k, v]) => [k, v.toString()]),
      ...(this.log >= 0n ? { log: this.log.toString() } : {}),
      ...(this.rules ? { rules: this.rules } : {}),
    };
    // The engine's text spliced in: `{...data, "engine": <engine>}` without parsing it back.
    const head = JSON.stringify(data);
    return `${head.slice(0, -1)},"engine":${this.current.serialize()}}`;
  }
}

/**
 * The warnings not yet produced: a warning's revisions come out of a deterministic engine in
 * increasing order, so one at or below the highest revision produced for its id was produced
 * before (by this instance before a crash, or by another before a rebalance). `produced` is only
 * read: record what was produced once Kafka has it (`markProduced`).
 */
export function unproduced(warnings: readonly Warning[], produced: ReadonlyMap<string, number>): Warning[] {
  return warnings.filter((warning) => warning.revision > (produced.get(warning.id) ?? 0));
}

/** Highest revision per id among `warnings`, merged into `produced`; returns the batch's own. */
export function markProduced(
  warnings: readonly Warning[],
  produced: Map<string, number>,
): Map<string, number> {
  const batch = new Map<string, number>();
  for (const w of warnings) {
    if (w.revision > (batch.get(w.id) ?? 0)) batch.set(w.id, w.revision);
    if (w.revision > (produced.get(w.id) ?? 0)) produced.set(w.id, w.revision);
  }
  return batch;
}
