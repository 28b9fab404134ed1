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
  restoreEngine,
  type Engine,
  type EngineOptions,
  type EngineSnapshot,
  type RuleSet,
} from '@liandong/correlation-engine';

export type SequencedInput =
  | { kind: 'event'; event: NormalizedEvent; source: { partition: string; offset: bigint } | undefined }
  | { kind: 'tick'; at: number };

export interface StepResult {
  warnings: readonly Warning[];
  outcome: 'correlated' | 'late' | 'repeat' | 'tick';
}

interface StateSnapshot {
  format: 'liandong.correlator.state/1';
  sources: [string, string][];
  engine: EngineSnapshot;
}

/** `id@version` of every rule, in rule-set order: a snapshot is only restored under the same. */
export function rulesFingerprint(ruleSet: RuleSet): string {
  return ruleSet.rules.map((r) => `${r.id}@${r.version}${r.enabled === false ? '-' : ''}`).join(',');
}

export class CorrelatorState {
  private constructor(
    readonly engine: Engine,
    private readonly sources: Map<string, bigint>,
  ) {}

  static fresh(ruleSet: RuleSet, options: EngineOptions): CorrelatorState {
    return new CorrelatorState(createEngine(ruleSet, options), new Map());
  }

  /** Throws when the snapshot was taken under other rules or other lateness. */
  static restore(ruleSet: RuleSet, text: string, options: EngineOptions): CorrelatorState {
    const data = JSON.parse(text) as StateSnapshot;
    if (data.format !== 'liandong.correlator.state/1')
      throw new Error(`unknown correlator snapshot format ${String(data.format)}`);
    return new CorrelatorState(
      restoreEngine(ruleSet, data.engine, options),
      new Map(data.sources.map(([k, v]) => [k, BigInt(v)])),
    );
  }

  step(input: SequencedInput): StepResult {
    if (input.kind === 'tick') return { warnings: this.engine.advanceTo(input.at), outcome: 'tick' };
    const { source } = input;
    if (source) {
      const seen = this.sources.get(source.partition);
      if (seen !== undefined && source.offset <= seen) return { warnings: [], outcome: 'repeat' };
      this.sources.set(source.partition, source.offset);
    }
    const out = this.engine.correlate(input.event);
    return { warnings: out.warnings, outcome: out.late ? 'late' : 'correlated' };
  }

  snapshot(): string {
    const data: StateSnapshot = {
      format: 'liandong.correlator.state/1',
      sources: [...this.sources].map(([k, v]) => [k, v.toString()]),
      engine: this.engine.snapshot(),
    };
    return JSON.stringify(data);
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
