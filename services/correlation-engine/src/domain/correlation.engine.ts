/**
 * The correlation engine: deterministic and free of I/O. Time is the events' own (occurredAt)
 * or an injected clock; the watermark trails the newest event time by the allowed lateness;
 * events behind it are counted and reported as late, never silently dropped. Everything the
 * engine holds is bounded by the rules' windows and serializes to JSON.
 */
import {
  MAX_CLOCK_SKEW_MS,
  type CapEventCodeLists,
  type DepartmentCode,
  type NormalizedEvent,
  type Rule,
  type SilenceRule,
  type Warning,
} from '@liandong/contracts';
import { withCapType } from './cap.mapper.ts';
import { admissionFor, compileRule, mayTakeType, type CompiledRule } from './compile.rule.ts';
import { CooccurrenceFamily } from './cooccurrence.rule.ts';
import {
  type Family,
  note,
  type Decision,
  type Episode,
  type FamilySnapshot,
  type StepContext,
} from './episode.model.ts';
import { ALWAYS, NEVER, whyNone, type EventPredicate } from './event.filter.ts';
import type { RuleSet } from './rule-set.model.ts';
import { SequenceFamily } from './sequence.rule.ts';
import { SilenceMonitor, type SilenceSnapshot } from './silence.rule.ts';
import { SurgeFamily } from './surge.rule.ts';
import { ThresholdFamily } from './threshold.rule.ts';
import { MINUTE_MS, toMs } from './shanghai.calendar.ts';
import { evolveWarning } from './warning.builder.ts';

/**
 * The time the engine places an event at: when it happened, but never more than the allowed skew
 * after it was received. A CAP forecast's onset lies ahead (a typhoon tomorrow); taken as it
 * stands it would carry the watermark ahead and make every other event late, hold windows open
 * until then and date its warning in the future. Its onset stays in the event's attributes.
 */
function eventTime(event: NormalizedEvent): number {
  const t = toMs(event.occurredAt);
  const { occurredAt, receivedAt } = event;
  // Two times in toISOString's form compare as text: the usual event needs no second parse.
  if (Number.isNaN(t) || (occurredAt.length === 24 && receivedAt.length === 24 && occurredAt <= receivedAt))
    return t;
  const bound = toMs(receivedAt) + MAX_CLOCK_SKEW_MS;
  return t > bound ? bound : t;
}

export interface EngineOptions {
  /** How far behind the newest event time an event may arrive and still count (default 60). */
  readonly allowedLatenessMinutes?: number;
  /** Code lists a CAP `eventCode` may name (valueName → code → vocabulary type); see cap-terms.ts. */
  readonly capCodeLists?: CapEventCodeLists;
}

export const DEFAULT_ALLOWED_LATENESS_MINUTES = 60;
/** How often (in event time) expired state is dropped; decisions never depend on it. */
const SWEEP_EVERY_MS = 5 * MINUTE_MS;

export interface CorrelationOutput {
  /** New warnings and revisions this event caused, in a deterministic order. */
  readonly warnings: readonly Warning[];
  /** The event was behind the watermark: reported, not used as evidence. */
  readonly late: boolean;
  /** What each rule did with the event (only when asked to explain). */
  readonly decisions: readonly Decision[];
}

export interface RuleStats {
  considered: number;
  raised: number;
  revisions: number;
}

export interface EngineStats {
  readonly events: number;
  readonly late: Readonly<Partial<Record<DepartmentCode, number>>>;
  readonly rules: Readonly<Record<string, RuleStats>>;
}

export interface EngineSnapshot {
  readonly format: 'liandong.correlation.snapshot/1';
  readonly rules: [string, number][];
  readonly allowedLatenessMinutes: number;
  readonly maxT: number | null;
  readonly nextSweep: number | null;
  readonly seq: number;
  readonly events: number;
  readonly late: Partial<Record<DepartmentCode, number>>;
  readonly ruleStats: Record<string, RuleStats>;
  readonly families: FamilySnapshot[];
  readonly silence: SilenceSnapshot;
}

export interface Engine {
  readonly ruleSet: RuleSet;
  /** Newest event time minus the allowed lateness (ms; -Infinity before the first event). */
  readonly watermark: number;
  /** Feeds one normalized event through every rule. */
  correlate(event: NormalizedEvent, options?: { explain?: boolean }): CorrelationOutput;
  /** Moves event time on to an injected clock's reading, for silences when every feed is quiet. */
  advanceTo(clockMs: number): readonly Warning[];
  stats(): EngineStats;
  /** Everything the engine holds, as JSON-safe data. */
  snapshot(): EngineSnapshot;
  /**
   * The snapshot as JSON text, written straight from the live state (no copy first): the same text
   * as `JSON.stringify(snapshot())` at about half the cost, for a snapshot that is written at once.
   */
  serialize(): string;
}

/** Rules ordered so that a rule comes after every rule it yields to (else in rule-set order). */
export function evaluationOrder(rules: readonly Rule[]): Rule[] {
  const byId = new Map(rules.map((r) => [r.id, r]));
  const done = new Set<string>();
  const out: Rule[] = [];
  const visit = (rule: Rule, path: string[]) => {
    if (done.has(rule.id)) return;
    if (path.includes(rule.id))
      throw new Error(`rules yield to each other in a cycle: ${[...path, rule.id].join(' → ')}`);
    for (const id of rule.yieldsTo ?? []) {
      const target = byId.get(id);
      if (target) visit(target, [...path, rule.id]);
    }
    done.add(rule.id);
    out.push(rule);
  };
  for (const rule of rules) visit(rule, []);
  return out;
}

function familyOf(compiled: CompiledRule): Family | null {
  const rule = compiled.rule;
  switch (rule.family) {
    case 'threshold':
      return new ThresholdFamily(compiled as CompiledRule<typeof rule>);
    case 'cooccurrence':
      return new CooccurrenceFamily(compiled as CompiledRule<typeof rule>);
    case 'surge':
      return new SurgeFamily(compiled as CompiledRule<typeof rule>);
    case 'sequence':
      return new SequenceFamily(compiled as CompiledRule<typeof rule>);
    case 'silence':
      return null;
  }
}

interface Candidate {
  readonly family: Family;
  readonly takes: EventPredicate;
  readonly excluded: EventPredicate;
}

const NO_WARNINGS: readonly Warning[] = Object.freeze([]);
const NO_DECISIONS: readonly Decision[] = Object.freeze([]);
const QUIET: CorrelationOutput = Object.freeze({
  warnings: NO_WARNINGS,
  late: false,
  decisions: NO_DECISIONS,
});

class CorrelationEngine implements Engine {
  readonly compiled: CompiledRule[];
  /** By evaluation order; null for silence rules. */
  private readonly families: (Family | null)[];
  private readonly silence: SilenceMonitor;
  private readonly lateness: number;
  private readonly capCodeLists: CapEventCodeLists | undefined;
  private readonly candidates = new Map<string, Candidate[]>();
  private maxT = -Infinity;
  private nextSweep = -Infinity;
  private seq = 0;
  private events = 0;
  private readonly late: Partial<Record<DepartmentCode, number>> = {};
  private readonly ruleStats: Record<string, RuleStats> = {};
  private readonly ctx: StepContext;

  constructor(
    readonly ruleSet: RuleSet,
    options: EngineOptions,
  ) {
    const ordered = evaluationOrder(ruleSet.rules.filter((r) => r.enabled !== false));
    this.compiled = ordered.map((rule, i) => compileRule(rule, i, ruleSet));
    const position = new Map(ordered.map((r, i) => [r.id, i]));
    for (const c of this.compiled)
      c.yieldsTo = (c.rule.yieldsTo ?? []).flatMap((id) => position.get(id) ?? []);
    this.families = this.compiled.map(familyOf);
    this.silence = new SilenceMonitor(
      this.compiled.filter((c): c is CompiledRule<SilenceRule> => c.rule.family === 'silence'),
    );
    this.lateness = (options.allowedLatenessMinutes ?? DEFAULT_ALLOWED_LATENESS_MINUTES) * MINUTE_MS;
    this.capCodeLists = options.capCodeLists;
    for (const c of this.compiled) this.ruleStats[c.rule.id] = { considered: 0, raised: 0, revisions: 0 };
    const families = this.families;
    this.ctx = {
      explain: false,
      notes: [],
      dirty: [],
      replaced: new Map(),
      cancelId: null,
      causeT: 0,
      nextSeq: () => this.seq++,
      yielded(compiled, id, part) {
        for (const i of compiled.yieldsTo) if (families[i]?.claimed(id, part)) return true;
        return false;
      },
    };
  }

  get watermark(): number {
    return this.maxT - this.lateness;
  }

  /** The rules that may take events of a type, with their admission specialised to it. */
  private candidatesFor(type: string): Candidate[] {
    let list = this.candidates.get(type);
    if (list === undefined) {
      list = [];
      for (const family of this.families) {
        if (family === null || !mayTakeType(family.compiled, type)) continue;
        const admission = admissionFor(family.compiled, type);
        if (admission.takes !== NEVER) list.push({ family, ...admission });
      }
      this.candidates.set(type, list);
    }
    return list;
  }

  private begin(explain: boolean, causeT: number): StepContext {
    const ctx = this.ctx as { -readonly [K in keyof StepContext]: StepContext[K] };
    ctx.explain = explain;
    if (ctx.notes.length > 0) ctx.notes.length = 0;
    if (ctx.dirty.length > 0) ctx.dirty.length = 0;
    if (ctx.replaced.size > 0) ctx.replaced.clear();
    ctx.cancelId = null;
    ctx.causeT = causeT;
    return ctx;
  }

  correlate(received: NormalizedEvent, options?: { explain?: boolean }): CorrelationOutput {
    const explain = options?.explain === true;
    // A CAP message counts as what it says happened (its code or its event text).
    const event = withCapType(received, this.capCodeLists);
    const t = eventTime(event);
    const ctx = this.begin(explain, t);
    this.events++;
    const part = event.status === 'Actual' ? 0 : 1;

    if (event.msgType !== 'Alert' && event.references.length > 0) {
      ctx.cancelId = event.msgType === 'Cancel' ? event.id : null;
      for (const family of this.families) family?.withdraw(event.references, event.id, ctx);
      ctx.cancelId = null;
    }

    // An unreadable time (the contract forbids it) cannot be placed in any window: late.
    const late = Number.isNaN(t) || t < this.watermark;
    if (late) {
      this.late[event.department] = (this.late[event.department] ?? 0) + 1;
    } else if (t > this.maxT) {
      this.maxT = t;
    }
    this.silence.seen(event, t, this.watermark, ctx);

    if (late) {
      if (explain)
        this.noteAll(ctx, 'late', {
          zh: `迟到事件：发生时间早于水位线（最新事件时间减去允许迟到 ${this.lateness / MINUTE_MS} 分钟），已计数并报告，不作为证据`,
          en: `late: it happened before the watermark (newest event time less ${this.lateness / MINUTE_MS} min allowed lateness); counted and reported, not used as evidence`,
        });
    } else if (event.msgType !== 'Cancel') {
      const candidates = this.candidatesFor(event.type);
      for (let i = 0; i < candidates.length; i++) {
        const candidate = candidates[i] as Candidate;
        const family = candidate.family;
        const compiled = family.compiled;
        if (candidate.takes !== ALWAYS && !candidate.takes(event)) {
          if (explain)
            note(
              ctx,
              compiled.rule,
              'no-match',
              whyNone(compiled.admits, event) ?? { zh: '不符合规则条件', en: 'does not meet the rule' },
            );
          continue;
        }
        if (candidate.excluded !== NEVER && candidate.excluded(event)) {
          if (explain)
            note(ctx, compiled.rule, 'excluded', {
              zh: '被规则排除（由专项规则处理）',
              en: 'excluded by the rule (a dedicated rule handles it)',
            });
          continue;
        }
        if (compiled.yieldsTo.length > 0 && ctx.yielded(compiled, event.id, part)) {
          if (explain)
            note(ctx, compiled.rule, 'yielded', {
              zh: '已是更具体规则预警的证据',
              en: 'already evidence of a warning of a more specific rule',
            });
          continue;
        }
        (this.ruleStats[compiled.rule.id] as RuleStats).considered++;
        family.consider(event, t, part, ctx);
      }
      if (explain) this.noteNotConsidered(ctx, event, candidates);
    }
    this.afterStep(ctx);
    const warnings = this.emit(ctx);
    if (warnings === NO_WARNINGS && !late && !explain) return QUIET;
    return {
      warnings,
      late,
      decisions: explain ? [...ctx.notes] : NO_DECISIONS,
    };
  }

  private noteAll(ctx: StepContext, outcome: 'late', reason: { zh: string; en: string }): void {
    for (const c of this.compiled) if (c.rule.family !== 'silence') note(ctx, c.rule, outcome, reason);
  }

  private noteNotConsidered(
    ctx: StepContext,
    event: NormalizedEvent,
    candidates: readonly Candidate[],
  ): void {
    for (const c of this.compiled) {
      if (c.rule.family === 'silence') {
        if (c.rule.department === event.department)
          note(ctx, c.rule, 'alive', {
            zh: '数据源正常（更新最近事件时间）',
            en: 'the feed is alive (last event time updated)',
          });
        continue;
      }
      if (candidates.some((f) => f.family.compiled === c)) continue;
      const excludedByType = mayTakeType(c, event.type);
      note(
        ctx,
        c.rule,
        excludedByType ? 'excluded' : 'not-considered',
        excludedByType
          ? {
              zh: `规则排除 ${event.type} 类型的事件（由专项规则处理）`,
              en: `the rule excludes events of type ${event.type} (a dedicated rule handles them)`,
            }
          : {
              zh: `规则不处理 ${event.type} 类型的事件`,
              en: `the rule takes no events of type ${event.type}`,
            },
      );
    }
  }

  private afterStep(ctx: StepContext): void {
    const watermark = this.watermark;
    this.silence.check(watermark, ctx);
    if (watermark >= this.nextSweep) {
      for (const family of this.families) family?.sweep(watermark);
      this.nextSweep = (Math.floor(watermark / SWEEP_EVERY_MS) + 1) * SWEEP_EVERY_MS;
    }
  }

  advanceTo(clockMs: number): readonly Warning[] {
    const ctx = this.begin(false, clockMs - this.lateness);
    if (clockMs > this.maxT) this.maxT = clockMs;
    this.afterStep(ctx);
    return this.emit(ctx);
  }

  /** Generic warnings whose events a rule they yield to has just claimed are merged into its warning. */
  private mergeClaimed(ctx: StepContext): void {
    for (const episode of [...ctx.dirty]) {
      if (episode.status !== 'active' || episode.entries.length === 0) continue;
      for (const family of this.families)
        if (family && family.compiled.yieldsTo.includes(episode.rule)) family.mergeInto(episode, ctx);
    }
  }

  private emit(ctx: StepContext): readonly Warning[] {
    if (ctx.dirty.length === 0) return NO_WARNINGS;
    this.mergeClaimed(ctx);
    const out: Warning[] = [];
    for (const episode of ctx.dirty) {
      episode.dirty = false;
      const warning = this.evolve(episode, ctx.causeT);
      if (!warning) continue;
      const stats = this.ruleStats[warning.ruleId] as RuleStats;
      if (warning.revision === 1) stats.raised++;
      stats.revisions++;
      out.push(warning);
    }
    ctx.dirty.length = 0;
    return out;
  }

  private evolve(episode: Episode, causeT: number): Warning | null {
    const compiled = this.compiled[episode.rule] as CompiledRule;
    const family = this.families[episode.rule];
    let facts = null;
    if (episode.entries.length > 0) {
      facts =
        family === null || family === undefined
          ? this.silence.describe(episode, compiled as CompiledRule<SilenceRule>)
          : family.describe(episode, this.ruleSet);
    }
    return evolveWarning(compiled, this.ruleSet, episode, facts, causeT, episode.part === 1);
  }

  stats(): EngineStats {
    return { events: this.events, late: { ...this.late }, rules: structuredClone(this.ruleStats) };
  }

  snapshot(): EngineSnapshot {
    // A copy: families serialize their live objects (facts, withdrawn ids), which keep changing.
    return structuredClone(this.liveSnapshot());
  }

  serialize(): string {
    // Read once, at once: nothing changes while JSON.stringify walks the live objects.
    return JSON.stringify(this.liveSnapshot());
  }

  /** The state as snapshot data that still shares objects with the engine: copy or serialize it at once. */
  private liveSnapshot(): EngineSnapshot {
    return {
      format: 'liandong.correlation.snapshot/1',
      rules: this.compiled.map((c) => [c.rule.id, c.rule.version]),
      allowedLatenessMinutes: this.lateness / MINUTE_MS,
      maxT: Number.isFinite(this.maxT) ? this.maxT : null,
      nextSweep: Number.isFinite(this.nextSweep) ? this.nextSweep : null,
      seq: this.seq,
      events: this.events,
      late: { ...this.late },
      ruleStats: this.ruleStats,
      families: this.families.flatMap((f) => (f ? [f.snapshot()] : [])),
      silence: this.silence.snapshot(),
    };
  }

  /**
   * Goes on from a snapshot taken under another rule set (`previous`): event time, counters and
   * the sequence of episodes carry over; each rule's state is taken over by the rule of the same
   * id and family, with its episodes renumbered to this set's evaluation order; a rule that is
   * new, or changed family, starts empty; a removed rule's state is dropped.
   */
  adopt(snapshot: EngineSnapshot, previous: RuleSet): RuleChanges {
    if (snapshot.allowedLatenessMinutes * MINUTE_MS !== this.lateness)
      throw new Error(`the snapshot was taken with ${snapshot.allowedLatenessMinutes} min allowed lateness`);
    const before = new Map(previous.rules.map((r) => [r.id, r]));
    const oldIds = snapshot.rules.map(([id]) => id);
    const order = new Map(this.compiled.map((c) => [c.rule.id, c.order]));
    const changes = { kept: [], changed: [], replaced: [], added: [], removed: [] } as {
      [K in keyof RuleChanges]: string[];
    };
    /** Rules whose state this engine takes over. */
    const carried = new Set<string>();
    for (const c of this.compiled) {
      const old = before.get(c.rule.id);
      const running = old !== undefined && oldIds.includes(c.rule.id);
      if (!running) changes.added.push(c.rule.id);
      else if (old.family !== c.rule.family) changes.replaced.push(c.rule.id);
      else {
        carried.add(c.rule.id);
        (JSON.stringify(old) === JSON.stringify(c.rule) ? changes.kept : changes.changed).push(c.rule.id);
      }
    }
    for (const id of oldIds) if (!order.has(id)) changes.removed.push(id);

    this.maxT = snapshot.maxT ?? -Infinity;
    this.nextSweep = snapshot.nextSweep ?? -Infinity;
    this.seq = snapshot.seq;
    this.events = snapshot.events;
    Object.assign(this.late, snapshot.late);
    for (const id of carried) {
      const stats = snapshot.ruleStats[id];
      if (stats) this.ruleStats[id] = { ...stats };
    }
    const own = structuredClone(snapshot);
    const renumber = <E extends { rule: number }>(episodes: E[]): E[] =>
      episodes.flatMap((ep) => {
        const id = oldIds[ep.rule];
        const at = id !== undefined && carried.has(id) ? order.get(id) : undefined;
        return at === undefined ? [] : [{ ...ep, rule: at }];
      });
    for (const family of this.families) {
      if (family === null || !carried.has(family.rule.id)) continue;
      const data = own.families.find((f) => f.ruleId === family.rule.id);
      if (!data) continue;
      for (const part of data.parts) part.episodes = renumber(part.episodes);
      family.restore(data, this.watermark);
    }
    this.silence.restore({ last: own.silence.last, episodes: renumber(own.silence.episodes) });
    return changes;
  }

  restore(snapshot: EngineSnapshot): void {
    const mine = this.compiled.map((c) => `${c.rule.id}@${c.rule.version}`).join(',');
    const theirs = snapshot.rules.map(([id, version]) => `${id}@${version}`).join(',');
    if (mine !== theirs)
      throw new Error(
        `the snapshot was taken with other rules (${theirs}) than these (${mine}); replay the input instead`,
      );
    if (snapshot.allowedLatenessMinutes * MINUTE_MS !== this.lateness)
      throw new Error(`the snapshot was taken with ${snapshot.allowedLatenessMinutes} min allowed lateness`);
    this.maxT = snapshot.maxT ?? -Infinity;
    this.nextSweep = snapshot.nextSweep ?? -Infinity;
    this.seq = snapshot.seq;
    this.events = snapshot.events;
    Object.assign(this.late, snapshot.late);
    Object.assign(this.ruleStats, structuredClone(snapshot.ruleStats));
    const families = this.families.filter((f): f is Family => f !== null);
    // Nothing restored shares an object with the snapshot, which may be restored again.
    const own = structuredClone(snapshot);
    own.families.forEach((data, i) => (families[i] as Family).restore(data, this.watermark));
    this.silence.restore(own.silence);
  }
}

/** What a reload did to each rule, by id (see reloadEngine). */
export interface RuleChanges {
  /** The same rule as before: its state goes on. */
  readonly kept: string[];
  /** A new version of a rule of the same family: its open warnings and evidence go on under it. */
  readonly changed: string[];
  /** The same id in another family: what it held is dropped, it starts afresh. */
  readonly replaced: string[];
  readonly added: string[];
  /** Gone from the set: its warnings are revised no more. */
  readonly removed: string[];
}

/** A fresh engine for a rule set. */
export function createEngine(ruleSet: RuleSet, options: EngineOptions = {}): Engine {
  return new CorrelationEngine(ruleSet, options);
}

/** An engine that goes on from a snapshot of one with the same rules. */
export function restoreEngine(
  ruleSet: RuleSet,
  snapshot: EngineSnapshot,
  options: EngineOptions = {},
): Engine {
  const engine = new CorrelationEngine(ruleSet, {
    allowedLatenessMinutes: snapshot.allowedLatenessMinutes,
    ...options,
  });
  engine.restore(snapshot);
  return engine;
}

/**
 * The engine under another rule set, going on from where `engine` is (see `adopt`): what the rules
 * both sets share keep holding, new rules start empty, removed ones are dropped. Deterministic: the
 * same engine state and rule set give the same engine, live or on a replay.
 */
export function reloadEngine(
  engine: Engine,
  ruleSet: RuleSet,
  options: Omit<EngineOptions, 'allowedLatenessMinutes'> = {},
): { engine: Engine; changes: RuleChanges } {
  const snapshot = engine.snapshot();
  const next = new CorrelationEngine(ruleSet, {
    ...options,
    allowedLatenessMinutes: snapshot.allowedLatenessMinutes,
  });
  const changes = next.adopt(snapshot, engine.ruleSet);
  return { engine: next, changes };
}
