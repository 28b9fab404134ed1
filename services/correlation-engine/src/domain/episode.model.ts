/**
 * Episodes: the cluster behind one warning, from the first evidence that met the rule to the
 * moment no new evidence can join it. One episode is one warning id; every change of its
 * evidence, level or status is one revision.
 */
import type {
  Level,
  LocalizedText,
  NormalizedEvent,
  Rule,
  ThresholdMet,
  Warning,
  WarningStatus,
} from '@liandong/contracts';
import type { GeoPolygon, Position } from '@liandong/contracts';
import { v5 as uuidv5 } from 'uuid';
import type { CompiledRule } from './compile.rule.ts';
import { restoreEntry, serializeEntry, type Entry, type SerializedEntry } from './evidence.model.ts';
import type { RuleSet } from './rule-set.model.ts';
import { HOUR_MS } from './shanghai.calendar.ts';
import type { TemplateVars } from './text.template.ts';

/** Namespace of warning ids (UUID v5 of rule, drill flag and cluster key); never change it. */
export const WARNING_ID_NAMESPACE = '7b3f1d52-9c4e-5a61-8d2f-4e6a0c9b1f37';

/** How long a closed episode stays revisable by a CAP Update or Cancel of its evidence. */
export const RETAIN_CLOSED_MS = 24 * HOUR_MS;

/** 0: Actual, 1: Exercise or Test. Drill and real evidence never share an episode. */
export type Partition = 0 | 1;

export interface Episode {
  readonly id: string;
  /** Position of its rule in the evaluation order. */
  readonly rule: number;
  readonly key: string;
  readonly part: Partition;
  /** Creation order, for deterministic choices between episodes. */
  readonly seq: number;
  entries: Entry[];
  withdrawn: string[];
  cancelledBy: string[];
  /** A generic warning whose evidence a dedicated rule claimed: the dedicated warning's id. */
  mergedInto: string | null;
  revision: number;
  level: Level | null;
  status: WarningStatus;
  raisedAt: number;
  updatedAt: number;
  lastT: number;
  closed: boolean;
  dirty: boolean;
  signature: string;
  facts: Record<string, number | string>;
  last: Warning | null;
}

export type SerializedEpisode = Omit<Episode, 'entries' | 'raisedAt'> & {
  entries: string[];
  raisedAt: number | null;
};

/** A fresh, not yet raised episode. */
export function newEpisode(
  init: Pick<Episode, 'id' | 'rule' | 'key' | 'part' | 'seq' | 'entries' | 'lastT'> & {
    facts?: Episode['facts'];
  },
): Episode {
  return {
    withdrawn: [],
    cancelledBy: [],
    mergedInto: null,
    revision: 0,
    level: null,
    status: 'active',
    raisedAt: Number.NaN,
    updatedAt: 0,
    closed: false,
    dirty: false,
    signature: '',
    last: null,
    ...init,
    facts: init.facts ?? {},
  };
}

export function episodeId(ruleId: string, part: Partition, key: string): string {
  return uuidv5(`${ruleId}\u001f${part === 0 ? 'actual' : 'exercise'}\u001f${key}`, WARNING_ID_NAMESPACE);
}

export type Outcome =
  | 'not-considered'
  | 'no-match'
  | 'excluded'
  | 'yielded'
  | 'late'
  | 'duplicate'
  | 'no-location'
  | 'counted'
  | 'joined'
  | 'raised'
  | 'withdrawn'
  | 'alive'
  | 'resumed';

/** What one rule did with one event, for `explain`. */
export interface Decision {
  readonly ruleId: string;
  readonly ruleVersion: number;
  readonly outcome: Outcome;
  readonly reason: LocalizedText;
  readonly warningId?: string;
}

/** Per-event working memory of the engine. */
export interface StepContext {
  readonly explain: boolean;
  readonly notes: Decision[];
  readonly dirty: Episode[];
  /** Episodes whose evidence a CAP Update replaced, by rule: the update joins them. */
  readonly replaced: Map<number, Episode[]>;
  /** The Cancel event being applied, if any. */
  cancelId: string | null;
  /** Event time of what causes this step's revisions. */
  causeT: number;
  nextSeq(): number;
  /** Whether an event is evidence of an active warning of a rule this one yields to. */
  yielded(compiled: CompiledRule, id: string, part: Partition): boolean;
}

export function note(
  ctx: StepContext,
  rule: Rule,
  outcome: Outcome,
  reason: LocalizedText,
  warningId?: string,
): void {
  ctx.notes.push({
    ruleId: rule.id,
    ruleVersion: rule.version,
    outcome,
    reason,
    ...(warningId ? { warningId } : {}),
  });
}

export function markDirty(ctx: StepContext, episode: Episode): void {
  if (!episode.dirty) {
    episode.dirty = true;
    ctx.dirty.push(episode);
  }
}

/** What a family adds to a warning: the conditions met, placeholders, an area if not a circle. */
export interface Facts {
  readonly thresholds: ThresholdMet[];
  readonly vars: { zh: TemplateVars; en: TemplateVars };
  readonly area?: GeoPolygon;
  /** Smallest radius of the circle drawn around the evidence. */
  readonly minRadiusM: number;
  /** Where the warning is named after (default: the centroid of the evidence). */
  readonly anchor?: Position;
  /** Appended to the summary when the rule itself cancels the warning. */
  readonly note?: LocalizedText;
}

export interface Part {
  /** Every entry the rule holds, in arrival order. */
  readonly byId: Map<string, Entry>;
  /** Episodes not yet retired, in creation order. */
  readonly episodes: Map<string, Episode>;
}

export interface SerializedPart {
  entries: SerializedEntry[];
  episodes: SerializedEpisode[];
  extra?: unknown;
}

export interface FamilySnapshot {
  ruleId: string;
  parts: [SerializedPart, SerializedPart];
}

const newPart = (): Part => ({ byId: new Map(), episodes: new Map() });

/** State and shared mechanics of one rule of any family but silence. */
export abstract class Family<R extends Rule = Rule> {
  readonly parts: [Part, Part] = [newPart(), newPart()];

  constructor(
    readonly compiled: CompiledRule<R>,
    /** How long after its last evidence new evidence can still join an episode. */
    readonly horizonMs: number,
  ) {}

  get rule(): R {
    return this.compiled.rule;
  }

  /** Takes one event the rule admits (not late, not excluded, not yielded). */
  abstract consider(event: NormalizedEvent, t: number, part: Partition, ctx: StepContext): void;

  /** Conditions met, placeholders and area of an episode's warning. */
  abstract describe(episode: Episode, ruleSet: RuleSet): Facts;

  /** Drops what no event at or after the watermark can reach from the family's indexes. */
  protected abstract sweepIndexes(part: Part, watermark: number): void;

  /** Rebuilds the family's indexes after a restore (entries are in `byId`, in arrival order). */
  protected abstract reindex(part: Part, index: number, extra: unknown, watermark: number): void;

  protected extraOf(_part: Part, _index: number): unknown {
    return undefined;
  }

  /** Whether an event is evidence of an active warning of this rule. */
  claimed(id: string, part: Partition): boolean {
    const entry = this.parts[part].byId.get(id);
    return (
      entry !== undefined && !entry.withdrawn && entry.episode !== null && entry.episode.status === 'active'
    );
  }

  /**
   * Applies an Update or Cancel (`by`): the referenced events stop being evidence. A referenced
   * event that an earlier update already replaced hands the withdrawal on to that update, so a
   * record revised many times, each revision naming only the first, counts once.
   */
  withdraw(ids: readonly string[], by: string, ctx: StepContext): void {
    for (const part of this.parts) {
      const pending = [...ids];
      const visited = new Set<string>();
      while (pending.length > 0) {
        const id = pending.pop() as string;
        if (id === by || visited.has(id)) continue;
        visited.add(id);
        const entry = part.byId.get(id);
        if (!entry) continue;
        if (entry.withdrawn) {
          if (entry.supersededBy !== null) pending.push(entry.supersededBy);
          continue;
        }
        entry.withdrawn = true;
        entry.supersededBy = by;
        const episode = entry.episode;
        if (!episode) continue;
        episode.entries = episode.entries.filter((e) => e !== entry);
        episode.withdrawn.push(id);
        if (ctx.cancelId !== null) {
          if (!episode.cancelledBy.includes(ctx.cancelId)) episode.cancelledBy.push(ctx.cancelId);
        } else {
          const list = ctx.replaced.get(this.compiled.order) ?? [];
          if (!list.includes(episode)) list.push(episode);
          ctx.replaced.set(this.compiled.order, list);
        }
        if (ctx.explain)
          note(
            ctx,
            this.rule,
            'withdrawn',
            {
              zh: `撤销了预警 ${episode.id} 的证据 ${id}`,
              en: `withdrew evidence ${id} of warning ${episode.id}`,
            },
            episode.id,
          );
        markDirty(ctx, episode);
      }
    }
  }

  /**
   * A rule this one yields to has raised or revised `dedicated`: an active warning of this rule
   * resting on any of the same events is merged into it — cancelled, pointing to it — so an
   * operator sees the dedicated warning and not both. Its events stay with the cancelled episode
   * (they never found a second warning of this rule under the same id).
   */
  mergeInto(dedicated: Episode, ctx: StepContext): void {
    const part = this.parts[dedicated.part];
    for (const e of dedicated.entries) {
      const mine = part.byId.get(e.id);
      const episode = mine?.episode;
      if (!mine || !episode || mine.withdrawn || episode.status !== 'active' || episode.entries.length === 0)
        continue;
      episode.mergedInto = dedicated.id;
      for (const x of episode.entries) if (!episode.withdrawn.includes(x.id)) episode.withdrawn.push(x.id);
      episode.entries = [];
      if (ctx.explain)
        note(
          ctx,
          this.rule,
          'withdrawn',
          {
            zh: `预警 ${episode.id} 并入专项预警 ${dedicated.id}`,
            en: `warning ${episode.id} merged into ${dedicated.id}`,
          },
          episode.id,
        );
      markDirty(ctx, episode);
    }
  }

  /** An episode a CAP Update of its evidence should join, if any. */
  protected replacedEpisode(part: Partition, ctx: StepContext): Episode | null {
    const list = ctx.replaced.get(this.compiled.order);
    if (!list) return null;
    return list.find((ep) => ep.part === part && ep.status === 'active') ?? null;
  }

  protected openEpisode(key: string, part: Partition, entries: Entry[], ctx: StepContext): Episode {
    const id = episodeId(this.rule.id, part, key);
    let lastT = -Infinity;
    for (const e of entries) if (e.t > lastT) lastT = e.t;
    const episode = newEpisode({
      id,
      rule: this.compiled.order,
      key,
      part,
      seq: ctx.nextSeq(),
      entries,
      lastT,
    });
    for (const e of entries) e.episode = episode;
    this.parts[part].episodes.set(id, episode);
    markDirty(ctx, episode);
    if (ctx.explain) note(ctx, this.rule, 'raised', { zh: `触发预警 ${id}`, en: `raised warning ${id}` }, id);
    return episode;
  }

  protected joinEpisode(episode: Episode, entry: Entry, ctx: StepContext): void {
    entry.episode = episode;
    episode.entries.push(entry);
    if (entry.t > episode.lastT) episode.lastT = entry.t;
    markDirty(ctx, episode);
    if (ctx.explain)
      note(
        ctx,
        this.rule,
        'joined',
        { zh: `并入预警 ${episode.id}`, en: `joined warning ${episode.id}` },
        episode.id,
      );
  }

  /** An episode that new evidence at time t may still join. */
  protected isOpen(episode: Episode | null, t: number): episode is Episode {
    return (
      episode !== null &&
      !episode.closed &&
      episode.status === 'active' &&
      t - episode.lastT <= this.horizonMs
    );
  }

  protected duplicate(event: NormalizedEvent, part: Partition, ctx: StepContext): boolean {
    if (!this.parts[part].byId.has(event.id)) return false;
    if (ctx.explain)
      note(ctx, this.rule, 'duplicate', { zh: '重复事件，已忽略', en: 'a repeated event, ignored' });
    return true;
  }

  /** Closes, retires and forgets what the watermark has passed. */
  sweep(watermark: number): void {
    for (const part of this.parts) {
      for (const episode of part.episodes.values()) {
        if (!episode.closed && episode.lastT < watermark - this.horizonMs) episode.closed = true;
        if (episode.closed && episode.lastT < watermark - this.horizonMs - RETAIN_CLOSED_MS) {
          part.episodes.delete(episode.id);
          for (const e of episode.entries) e.episode = null;
        }
      }
      // Entries arrive about in time order: forget from the oldest on, up to the first one still
      // inside the horizon (one that arrived early holds the rest back until it expires).
      const cutoff = watermark - this.horizonMs;
      for (const entry of part.byId.values()) {
        if (entry.t >= cutoff) break;
        if (entry.episode !== null && part.episodes.has(entry.episode.id)) continue;
        part.byId.delete(entry.id);
      }
      this.sweepIndexes(part, watermark);
    }
  }

  snapshot(): FamilySnapshot {
    const parts = this.parts.map((part, index) => ({
      entries: [...part.byId.values()].map(serializeEntry),
      episodes: [...part.episodes.values()].map(serializeEpisode),
      extra: this.extraOf(part, index),
    }));
    return { ruleId: this.rule.id, parts: parts as [SerializedPart, SerializedPart] };
  }

  restore(snapshot: FamilySnapshot, watermark: number): void {
    snapshot.parts.forEach((data, index) => {
      const part = this.parts[index as Partition];
      part.byId.clear();
      part.episodes.clear();
      const episodes = data.episodes.map(restoreEpisode);
      for (const ep of episodes) part.episodes.set(ep.id, ep);
      for (const e of data.entries) part.byId.set(e.id, restoreEntry(e, part.episodes));
      data.episodes.forEach((ep, i) => {
        (episodes[i] as Episode).entries = ep.entries.flatMap((id) => {
          const entry = part.byId.get(id);
          return entry ? [entry] : [];
        });
      });
      this.reindex(part, index, data.extra, watermark);
    });
  }
}

export function serializeEpisode(episode: Episode): SerializedEpisode {
  return {
    ...episode,
    entries: episode.entries.map((e) => e.id),
    raisedAt: Number.isNaN(episode.raisedAt) ? null : episode.raisedAt,
    updatedAt: episode.updatedAt,
    lastT: episode.lastT,
  };
}

export function restoreEpisode(data: SerializedEpisode): Episode {
  return { ...data, mergedInto: data.mergedInto ?? null, entries: [], raisedAt: data.raisedAt ?? Number.NaN };
}
