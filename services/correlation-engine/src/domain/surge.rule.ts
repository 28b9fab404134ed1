/**
 * Surge against a baseline: events around an H3 cell (the cell and its ring) in the trailing
 * window, against the mean count of the same hour on the previous days (only days the engine has
 * seen). A surge raises a warning; further events nearby revise it until a window passes quiet.
 */
import type { NormalizedEvent, SurgeRule } from '@liandong/contracts';
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
import { getHexagonEdgeLengthAvg } from 'h3-js';
import { cellOf, ringOf } from './wgs84.geometry.ts';
import { byTimeThenId } from './threshold.rule.ts';
import { HOUR_MS, MINUTE_MS } from './shanghai.calendar.ts';
import { round } from './warning.builder.ts';

interface Area {
  recent: Entry[];
  /** Events per UTC hour index (hours since the epoch). */
  hours: Map<number, number>;
  episode: Episode | null;
}

interface SerializedArea {
  cell: string;
  recent: string[];
  hours: [number, number][];
  episode: string | null;
}

interface SurgeExtra {
  firstHour: number | null;
  areas: SerializedArea[];
}

export interface Baseline {
  /** Mean count per window at this hour on previous days (0 without history). */
  readonly baseline: number;
  /** The count that makes a surge. */
  readonly needed: number;
  readonly days: number;
}

export class SurgeFamily extends Family<SurgeRule> {
  private readonly areas: [Map<string, Area>, Map<string, Area>] = [
    new Map<string, Area>(),
    new Map<string, Area>(),
  ];
  private readonly firstHour: [number | null, number | null] = [null, null];

  constructor(compiled: CompiledRule<SurgeRule>) {
    super(compiled, compiled.rule.windowMinutes * MINUTE_MS);
  }

  /** The baseline around a cell at an hour: the same hour of previous days, over the cell and its ring. */
  baselineAt(ring: readonly Area[], hour: number, part: Partition): Baseline {
    const rule = this.rule;
    const first = this.firstHour[part] ?? hour;
    let sum = 0;
    let days = 0;
    for (let d = 1; d <= rule.baselineDays; d++) {
      const h = hour - 24 * d;
      if (h < first) break;
      for (const area of ring) sum += area.hours.get(h) ?? 0;
      days++;
    }
    const baseline = days > 0 ? ((sum / days) * rule.windowMinutes) / 60 : 0;
    const effective = Math.max(baseline, rule.minBaseline);
    return { baseline, needed: Math.max(rule.minCount, Math.ceil(rule.factor * effective)), days };
  }

  consider(event: NormalizedEvent, t: number, part: Partition, ctx: StepContext): void {
    if (this.duplicate(event, part, ctx)) return;
    const rule = this.rule;
    const entry = entryOf(event, t, this.compiled);
    if (!hasLocation(entry)) {
      if (ctx.explain)
        note(ctx, rule, 'no-location', {
          zh: '事件无坐标，无法归入区域',
          en: 'the event has no location to count it in an area',
        });
      return;
    }
    this.parts[part].byId.set(entry.id, entry);
    const cell = cellOf(entry.lon, entry.lat, rule.areaResolution);
    const areas = this.areas[part];
    let area = areas.get(cell);
    if (!area) {
      area = { recent: [], hours: new Map(), episode: null };
      areas.set(cell, area);
    }
    const hour = Math.floor(t / HOUR_MS);
    this.firstHour[part] ??= hour;
    area.hours.set(hour, (area.hours.get(hour) ?? 0) + 1);
    area.recent.push(entry);

    const inherited = this.replacedEpisode(part, ctx);
    if (inherited) return this.joinEpisode(inherited, entry, ctx);
    // The cell and its ring: a crowd on a cell edge is one crowd.
    const ring: Area[] = [];
    for (const c of ringOf(cell)) {
      const a = areas.get(c);
      if (a !== undefined) ring.push(a);
    }
    const counted: Entry[] = [];
    const claimed: Entry[] = [];
    let open: Episode | null = null;
    for (const a of ring) {
      if (this.isOpen(a.episode, t) && (open === null || a.episode.seq < open.seq)) open = a.episode;
      for (const x of a.recent) {
        if (x.withdrawn || x.t > t || x.t <= t - this.horizonMs) continue;
        if (x !== entry && ctx.yielded(this.compiled, x.id, part)) continue;
        // Evidence of an open warning counts for that warning only, never towards a second one.
        if (this.isOpen(x.episode, t)) claimed.push(x);
        else counted.push(x);
      }
    }
    if (open !== null) {
      const crowd = open;
      const count = counted.length + claimed.filter((x) => x.episode === crowd).length;
      open.facts['count'] = Math.max(Number(open.facts['count'] ?? 0), count);
      return this.joinEpisode(open, entry, ctx);
    }
    const base = this.baselineAt(ring, hour, part);
    if (counted.length >= base.needed) {
      const evidence = counted.filter((x) => x.episode === null).sort(byTimeThenId);
      const episode = this.openEpisode(`${cell}\u001f${(evidence[0] as Entry).id}`, part, evidence, ctx);
      episode.facts = {
        cell,
        count: counted.length,
        needed: base.needed,
        baseline: round(base.baseline),
        ratio: round(counted.length / Math.max(base.baseline, rule.minBaseline), 1),
      };
      area.episode = episode;
    } else if (ctx.explain) {
      note(ctx, rule, 'counted', {
        zh: `已计入：该区域${rule.windowMinutes}分钟内 ${counted.length} 条，需达到 ${base.needed} 条（同时段基线 ${round(base.baseline)}，${base.days} 天）`,
        en: `counted: ${counted.length} in the area within ${rule.windowMinutes} min, ${base.needed} needed (same-hour baseline ${round(base.baseline)} over ${base.days} days)`,
      });
    }
  }

  describe(episode: Episode): Facts {
    const rule = this.rule;
    const f = episode.facts;
    const count = Number(f['count'] ?? episode.entries.length);
    const vars = {
      count,
      baseline: Number(f['baseline'] ?? 0),
      ratio: Number(f['ratio'] ?? 0),
      windowMinutes: rule.windowMinutes,
    };
    return {
      thresholds: [
        { name: 'count', value: count, threshold: Number(f['needed'] ?? rule.minCount) },
        { name: 'baseline', value: vars.baseline, threshold: rule.minBaseline },
        { name: 'ratio', value: vars.ratio, threshold: rule.factor },
      ],
      vars: { zh: vars, en: vars },
      minRadiusM: getHexagonEdgeLengthAvg(rule.areaResolution, 'm'),
    };
  }

  protected sweepIndexes(part: Part, watermark: number): void {
    const index = this.parts.indexOf(part) as Partition;
    const oldestHour = Math.floor(watermark / HOUR_MS) - 24 * this.rule.baselineDays - 1;
    for (const [cell, area] of this.areas[index]) {
      // In arrival order: drop the expired head of the recent events and the oldest hours.
      const recent = area.recent;
      let drop = 0;
      while (drop < recent.length && (recent[drop] as Entry).t <= watermark - this.horizonMs) drop++;
      if (drop > 0) recent.splice(0, drop);
      for (const h of area.hours.keys()) {
        if (h >= oldestHour) break;
        area.hours.delete(h);
      }
      if (area.episode && !part.episodes.has(area.episode.id)) area.episode = null;
      if (area.recent.length === 0 && area.hours.size === 0 && area.episode === null)
        this.areas[index].delete(cell);
    }
  }

  protected override extraOf(_part: Part, index: number): SurgeExtra {
    return {
      firstHour: this.firstHour[index as Partition],
      areas: [...this.areas[index as Partition]].map(([cell, a]) => ({
        cell,
        recent: a.recent.map((e) => e.id),
        hours: [...a.hours],
        episode: a.episode?.id ?? null,
      })),
    };
  }

  protected reindex(part: Part, index: number, extra: unknown): void {
    const data = extra as SurgeExtra;
    this.firstHour[index as Partition] = data.firstHour;
    const areas = this.areas[index as Partition];
    areas.clear();
    for (const a of data.areas) {
      areas.set(a.cell, {
        recent: a.recent.flatMap((id) => part.byId.get(id) ?? []),
        hours: new Map(a.hours),
        episode: a.episode === null ? null : (part.episodes.get(a.episode) ?? null),
      });
    }
  }
}
