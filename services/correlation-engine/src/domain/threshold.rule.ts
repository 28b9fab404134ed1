/**
 * Threshold on one feed: an event that meets the rule (a gauge over its warning level, a pile-up
 * of many vehicles) raises a warning for its place; readings while the place stays over the
 * threshold revise it; after `quietMinutes` without one, the next starts a new warning.
 */
import type { LocalizedText, NormalizedEvent, ThresholdMet, ThresholdRule } from '@liandong/contracts';
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
import { cellOf, ringOf } from './wgs84.geometry.ts';
import type { RuleSet } from './rule-set.model.ts';
import { MINUTE_MS } from './shanghai.calendar.ts';
import { metricOf, round } from './warning.builder.ts';

export const MEASUREMENT_NAMES: Record<string, LocalizedText> = {
  water_level: { zh: '水位', en: 'water level' },
  rainfall_1h: { zh: '1小时降雨量', en: '1-hour rainfall' },
  water_depth: { zh: '积水深度', en: 'water depth' },
  quality_index: { zh: '水质指数', en: 'water quality index' },
};

interface Group {
  pending: Entry[];
  episode: Episode | null;
}

type SerializedGroup = [key: string, pending: string[], episode: string | null];

export function riverName(ruleSet: RuleSet, code: string | null): LocalizedText {
  if (code === null) return { zh: '', en: '' };
  return ruleSet.rivers.get(code)?.name ?? { zh: code, en: code };
}

export class ThresholdFamily extends Family<ThresholdRule> {
  private readonly groups: [Map<string, Group>, Map<string, Group>] = [
    new Map<string, Group>(),
    new Map<string, Group>(),
  ];

  constructor(compiled: CompiledRule<ThresholdRule>) {
    super(compiled, compiled.rule.quietMinutes * MINUTE_MS);
  }

  private keyOf(event: NormalizedEvent, entry: Entry): string {
    const by = this.rule.groupBy ?? 'place';
    const cell = () =>
      hasLocation(entry) ? `cell:${cellOf(entry.lon, entry.lat, this.rule.cellResolution ?? 8)}` : null;
    const place = () =>
      (event.place?.id ?? event.place?.name) ? `place:${event.place.id ?? event.place.name}` : null;
    switch (by) {
      case 'event':
        return `event:${event.id}`;
      case 'cell':
        return cell() ?? place() ?? `event:${event.id}`;
      case 'place':
        return place() ?? cell() ?? `event:${event.id}`;
    }
  }

  consider(event: NormalizedEvent, t: number, part: Partition, ctx: StepContext): void {
    if (this.duplicate(event, part, ctx)) return;
    const entry = entryOf(event, t, this.compiled);
    this.parts[part].byId.set(entry.id, entry);
    const key = this.keyOf(event, entry);
    const groups = this.groups[part];
    let group = groups.get(key);
    if (!group) {
      group = { pending: [], episode: null };
      groups.set(key, group);
    }
    const inherited = this.replacedEpisode(part, ctx);
    if (inherited) return this.joinEpisode(inherited, entry, ctx);
    if (this.isOpen(group.episode, t)) return this.joinEpisode(group.episode, entry, ctx);
    const nearby = this.openNextTo(key, part, t);
    if (nearby) {
      // One crash reported by traffic and by 110 from either side of a cell edge is one incident.
      group.episode = nearby;
      return this.joinEpisode(nearby, entry, ctx);
    }
    const horizon = this.horizonMs;
    group.pending = group.pending.filter((e) => !e.withdrawn && Math.abs(t - e.t) <= horizon);
    group.pending.push(entry);
    const needed = this.rule.minEvents ?? 1;
    if (group.pending.length >= needed) {
      const evidence = [...group.pending].sort(byTimeThenId);
      group.episode = this.openEpisode(`${key}\u001f${(evidence[0] as Entry).id}`, part, evidence, ctx);
      group.pending = [];
    } else if (ctx.explain) {
      note(ctx, this.rule, 'counted', {
        zh: `已计入：${group.pending.length}/${needed} 条`,
        en: `counted: ${group.pending.length} of ${needed} events`,
      });
    }
  }

  /** For cell groups: the oldest open episode of a neighbouring cell, if any. */
  private openNextTo(key: string, part: Partition, t: number): Episode | null {
    if (!key.startsWith('cell:')) return null;
    let open: Episode | null = null;
    for (const cell of ringOf(key.slice(5))) {
      const episode = this.groups[part].get(`cell:${cell}`)?.episode ?? null;
      if (this.isOpen(episode, t) && (open === null || episode.seq < open.seq)) open = episode;
    }
    return open;
  }

  describe(episode: Episode, ruleSet: RuleSet): Facts {
    const entries = episode.entries;
    const thresholds: ThresholdMet[] = [];
    let top: Entry | null = null;
    for (const e of entries)
      if (!Number.isNaN(e.measure) && (top === null || e.measure > top.measure)) top = e;
    const measurementName = this.rule.match.find((f) => f.measurement)?.measurement?.name;
    if (top && measurementName) {
      thresholds.push({
        name: measurementName,
        value: top.measure,
        threshold: top.bound,
        ...(top.unit ? { unit: top.unit } : {}),
      });
    }
    for (const filter of this.rule.match) {
      for (const [name, condition] of Object.entries(filter.attributes ?? {})) {
        if (condition.min === undefined) continue;
        const value = metricOf(`max.${name}`, entries, this.compiled, episode.facts);
        if (value >= condition.min) thresholds.push({ name, value, threshold: condition.min });
      }
    }
    thresholds.push({ name: 'events', value: entries.length, threshold: this.rule.minEvents ?? 1 });
    const labelled = entries.find((e) => e.label !== null);
    const river = riverName(ruleSet, entries.find((e) => e.river !== null)?.river ?? null);
    const measurement = measurementName
      ? (MEASUREMENT_NAMES[measurementName] ?? { zh: measurementName, en: measurementName })
      : { zh: '', en: '' };
    const road = entries.find((e) => e.road !== null)?.road ?? '';
    const vars = (lang: 'zh' | 'en') => ({
      station: labelled?.label ?? '',
      venue: entries.find((e) => e.venue !== null)?.label ?? '',
      river: river[lang],
      measurement: measurement[lang],
      value: top ? round(top.measure) : 0,
      threshold: top ? round(top.bound) : 0,
      unit: top?.unit ?? '',
      road,
    });
    return { thresholds, vars: { zh: vars('zh'), en: vars('en') }, minRadiusM: 300 };
  }

  protected sweepIndexes(part: Part, watermark: number): void {
    const index = this.parts.indexOf(part);
    const groups = this.groups[index as Partition];
    for (const [key, group] of groups) {
      group.pending = group.pending.filter((e) => e.t >= watermark - this.horizonMs && part.byId.has(e.id));
      if (group.episode && !part.episodes.has(group.episode.id)) group.episode = null;
      if (group.pending.length === 0 && (group.episode === null || group.episode.closed)) groups.delete(key);
    }
  }

  protected override extraOf(_part: Part, index: number): SerializedGroup[] {
    return [...this.groups[index as Partition]].map(([key, g]) => [
      key,
      g.pending.map((e) => e.id),
      g.episode?.id ?? null,
    ]);
  }

  protected reindex(part: Part, index: number, extra: unknown): void {
    const groups = this.groups[index as Partition];
    groups.clear();
    for (const [key, pending, episode] of extra as SerializedGroup[]) {
      groups.set(key, {
        pending: pending.flatMap((id) => part.byId.get(id) ?? []),
        episode: episode === null ? null : (part.episodes.get(episode) ?? null),
      });
    }
  }
}

export function byTimeThenId(a: Entry, b: Entry): number {
  return a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
