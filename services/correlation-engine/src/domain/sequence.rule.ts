/**
 * Sequence: A then B within T minutes, optionally within R metres or downstream of A along a
 * river polyline of the rule set (a hazardous-goods accident, then a water-quality alarm
 * downstream). Pairs form whichever of the two arrives first.
 */
import type { NormalizedEvent, Position, SequenceRule, ThresholdMet } from '@liandong/contracts';
import type { CompiledRule } from './compile.rule.ts';
import {
  Family,
  note,
  type Episode,
  type Facts,
  type Part,
  type Partition,
  type StepContext,
} from './episode.model.ts';
import { entryOf, hasLocation, type Entry } from './evidence.model.ts';
import { distanceM } from './wgs84.geometry.ts';
import type { RuleSet } from './rule-set.model.ts';
import { byTimeThenId, riverName } from './threshold.rule.ts';
import { MINUTE_MS } from './shanghai.calendar.ts';
import { round, typeName } from './warning.builder.ts';

const A = 1;
const B = 2;

export class SequenceFamily extends Family<SequenceRule> {
  private readonly firsts: [Entry[], Entry[]] = [[], []];
  private readonly thens: [Entry[], Entry[]] = [[], []];

  constructor(compiled: CompiledRule<SequenceRule>) {
    super(compiled, compiled.rule.withinMinutes * MINUTE_MS);
  }

  private get spatial(): boolean {
    return this.rule.radiusM !== undefined || this.rule.downstream !== undefined;
  }

  /** Whether b may follow a in space. */
  follows(a: Entry, b: Entry): boolean {
    const rule = this.rule;
    if (rule.radiusM !== undefined && distanceM(a.lon, a.lat, b.lon, b.lat) > rule.radiusM) return false;
    const d = rule.downstream;
    return d === undefined || this.downstreamGap(a, b) !== null;
  }

  /** Metres B lies downstream of A along the first river both lie on, or null. */
  downstreamGap(a: Entry, b: Entry): number | null {
    const d = this.rule.downstream;
    if (!d) return null;
    for (let i = 0; i < a.rivers.length; i += 2) {
      const offA = a.rivers[i + 1] as number;
      const offB = b.rivers[i + 1] as number;
      if (offA > d.maxOffsetM || offB > d.maxOffsetM) continue;
      const gap = (b.rivers[i] as number) - (a.rivers[i] as number);
      if (gap >= 0 && gap <= d.maxDistanceM) return gap;
    }
    return null;
  }

  private pairs(a: Entry, b: Entry): boolean {
    return (
      a !== b &&
      !a.withdrawn &&
      !b.withdrawn &&
      a.t <= b.t &&
      b.t - a.t <= this.horizonMs &&
      this.follows(a, b)
    );
  }

  private index(entry: Entry, part: Partition): void {
    if (entry.sides & A) this.firsts[part].push(entry);
    if (entry.sides & B) this.thens[part].push(entry);
  }

  consider(event: NormalizedEvent, t: number, part: Partition, ctx: StepContext): void {
    if (this.duplicate(event, part, ctx)) return;
    const rule = this.rule;
    const entry = entryOf(event, t, this.compiled);
    if (this.spatial && !hasLocation(entry)) {
      if (ctx.explain)
        note(ctx, rule, 'no-location', {
          zh: '事件无坐标，无法判断空间先后关系',
          en: 'the event has no location to relate it in space',
        });
      return;
    }
    if (this.compiled.rivers.length > 0) {
      entry.rivers = this.compiled.rivers.flatMap((project) => {
        const at = project(entry.lon, entry.lat);
        return [at.alongM, at.offsetM];
      });
    }
    this.parts[part].byId.set(entry.id, entry);
    this.index(entry, part);
    const inherited = this.replacedEpisode(part, ctx);
    if (inherited) return this.joinEpisode(inherited, entry, ctx);

    const involved: Entry[] = [];
    if (entry.sides & A) for (const b of this.thens[part]) if (this.pairs(entry, b)) involved.push(b);
    if (entry.sides & B) for (const a of this.firsts[part]) if (this.pairs(a, entry)) involved.push(a);
    const usable = involved.filter((x) => !ctx.yielded(this.compiled, x.id, part));
    if (usable.length === 0) {
      if (ctx.explain)
        note(ctx, rule, 'counted', {
          zh: `已记录，等待${entry.sides & A ? '后续' : '先行'}事件（${rule.withinMinutes}分钟内）`,
          en: `kept, waiting for ${entry.sides & A ? 'a following' : 'a preceding'} event within ${rule.withinMinutes} min`,
        });
      return;
    }
    usable.push(entry);
    let best: Episode | null = null;
    for (const x of usable)
      if (this.isOpen(x.episode, t) && (best === null || x.episode.seq < best.seq)) best = x.episode;
    if (best !== null) {
      // Only unclaimed entries join: one that is evidence of another open warning stays there.
      for (const x of usable.sort(byTimeThenId)) if (x.episode === null) this.joinEpisode(best, x, ctx);
      return;
    }
    usable.sort(byTimeThenId);
    const firstA = usable.find((x) => x.sides & A) as Entry;
    this.openEpisode(firstA.id, part, usable, ctx);
  }

  private riverOf(a: Entry, b: Entry): string | null {
    const d = this.rule.downstream;
    if (!d) return null;
    for (let i = 0; i < d.rivers.length; i++) {
      const gap = (b.rivers[2 * i] ?? Number.NaN) - (a.rivers[2 * i] ?? Number.NaN);
      const near =
        (a.rivers[2 * i + 1] ?? Infinity) <= d.maxOffsetM &&
        (b.rivers[2 * i + 1] ?? Infinity) <= d.maxOffsetM;
      if (near && gap >= 0 && gap <= d.maxDistanceM) return d.rivers[i] ?? null;
    }
    return null;
  }

  describe(episode: Episode, ruleSet: RuleSet): Facts {
    const rule = this.rule;
    const entries = [...episode.entries].sort(byTimeThenId);
    const a = entries.find((x) => x.sides & A) ?? entries[0];
    const b =
      entries.find((x) => x !== a && x.sides & B && a !== undefined && x.t >= a.t) ??
      entries[entries.length - 1];
    const thresholds: ThresholdMet[] = [];
    let minutes = 0;
    let distance = 0;
    let downstream = 0;
    if (a && b) {
      minutes = round((b.t - a.t) / MINUTE_MS, 1);
      thresholds.push({ name: 'minutes', value: minutes, threshold: rule.withinMinutes, unit: 'min' });
      if (hasLocation(a) && hasLocation(b)) distance = distanceM(a.lon, a.lat, b.lon, b.lat);
      if (rule.radiusM !== undefined)
        thresholds.push({ name: 'distance', value: round(distance, 0), threshold: rule.radiusM, unit: 'm' });
      if (rule.downstream) {
        downstream = this.downstreamGap(a, b) ?? 0;
        thresholds.push({
          name: 'downstream',
          value: round(downstream, 0),
          threshold: rule.downstream.maxDistanceM,
          unit: 'm',
        });
      }
    }
    const first = typeName(a?.type ?? '');
    const then = typeName(b?.type ?? '');
    const river = riverName(ruleSet, a && b ? this.riverOf(a, b) : null);
    const vars = (lang: 'zh' | 'en') => ({
      first: first[lang],
      then: then[lang],
      minutes,
      distanceKm: round(distance / 1000, 1),
      downstreamKm: round(downstream / 1000, 1),
      river: river[lang],
    });
    return {
      thresholds,
      vars: { zh: vars('zh'), en: vars('en') },
      minRadiusM: 500,
      ...(a && hasLocation(a) ? { anchor: [a.lon, a.lat] as Position } : {}),
    };
  }

  protected sweepIndexes(part: Part, watermark: number): void {
    const index = this.parts.indexOf(part) as Partition;
    // A future event lies at or after the watermark: As older than T and Bs before it can no longer pair.
    this.firsts[index] = this.firsts[index].filter(
      (a) => a.t >= watermark - this.horizonMs && part.byId.has(a.id),
    );
    this.thens[index] = this.thens[index].filter((b) => b.t >= watermark && part.byId.has(b.id));
  }

  protected reindex(part: Part, index: number, _extra: unknown, watermark: number): void {
    this.firsts[index as Partition] = [];
    this.thens[index as Partition] = [];
    for (const entry of part.byId.values()) {
      if (entry.sides & A && entry.t >= watermark - this.horizonMs)
        this.firsts[index as Partition].push(entry);
      if (entry.sides & B && entry.t >= watermark) this.thens[index as Partition].push(entry);
    }
  }
}
