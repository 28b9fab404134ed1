/**
 * Co-occurrence across departments: at least N events from at least K departments within R
 * metres (geodesic, of the newest event) and T minutes, optionally with roles each needing a
 * minimum (a gauge over its level, a flooded road, a 110 call). Neighbours are found through H3
 * cells; events about the same venue link whatever the distance when the rule says so.
 */
import {
  DEPARTMENT_CODES,
  type CooccurrenceRule,
  type NormalizedEvent,
  type ThresholdMet,
} from '@liandong/contracts';
import type { CompiledRule } from './compile.rule.ts';
import {
  Family,
  note,
  type Episode,
  type Facts,
  type Part,
  type Partition,
  type StepContext,
} from './episode.ts';
import { entryOf, hasLocation, type Entry } from './evidence.ts';
import { cellOf, cellScanFor, diskOf, distanceM, type CellScan } from './geo.ts';
import { byTimeThenId } from './threshold.rule.ts';
import { MINUTE_MS } from './time.ts';
import { departmentsOf } from './warning.ts';

const DEPARTMENT_BIT = new Map<string, number>(DEPARTMENT_CODES.map((d, i) => [d, 1 << i]));

function bitCount(n: number): number {
  let c = 0;
  for (let v = n; v !== 0; v &= v - 1) c++;
  return c;
}

export class CooccurrenceFamily extends Family<CooccurrenceRule> {
  readonly scan: CellScan;
  private readonly cells: [Map<string, Entry[]>, Map<string, Entry[]>] = [new Map(), new Map()];
  private readonly venues: [Map<string, Entry[]>, Map<string, Entry[]>] = [new Map(), new Map()];
  private readonly neighbours: Entry[] = [];

  constructor(compiled: CompiledRule<CooccurrenceRule>) {
    super(compiled, compiled.rule.windowMinutes * MINUTE_MS);
    this.scan = cellScanFor(compiled.rule.radiusM);
  }

  private index(entry: Entry, part: Partition): string | null {
    let cell: string | null = null;
    if (hasLocation(entry)) {
      cell = cellOf(entry.lon, entry.lat, this.scan.resolution);
      push(this.cells[part], cell, entry);
    }
    if (this.rule.linkByVenue && entry.venue !== null) push(this.venues[part], entry.venue, entry);
    return cell;
  }

  consider(event: NormalizedEvent, t: number, part: Partition, ctx: StepContext): void {
    if (this.duplicate(event, part, ctx)) return;
    const rule = this.rule;
    const entry = entryOf(event, t, this.compiled);
    if (!hasLocation(entry) && !(rule.linkByVenue && entry.venue !== null)) {
      if (ctx.explain)
        note(ctx, rule, 'no-location', {
          zh: '事件无坐标（也无可关联的场所），无法做空间关联',
          en: 'the event has no location (nor a venue to link by)',
        });
      return;
    }
    this.parts[part].byId.set(entry.id, entry);
    const cell = this.index(entry, part);
    const inherited = this.replacedEpisode(part, ctx);
    if (inherited) return this.joinEpisode(inherited, entry, ctx);

    const found = this.neighbours;
    found.length = 0;
    const window = this.horizonMs;
    const radius = rule.radiusM;
    if (cell !== null) {
      const cells = this.cells[part];
      for (const c of diskOf(cell, this.scan.k)) {
        const list = cells.get(c);
        if (list === undefined) continue;
        for (let i = 0; i < list.length; i++) {
          const x = list[i] as Entry;
          if (x === entry || x.withdrawn || Math.abs(x.t - t) > window) continue;
          if (distanceM(entry.lon, entry.lat, x.lon, x.lat) > radius) continue;
          found.push(x);
        }
      }
    }
    if (rule.linkByVenue && entry.venue !== null) {
      for (const x of this.venues[part].get(entry.venue) ?? []) {
        if (x === entry || x.withdrawn || Math.abs(x.t - t) > window || found.includes(x)) continue;
        found.push(x);
      }
    }

    let best: Episode | null = null;
    for (const x of found) {
      const ep = x.episode;
      if (this.isOpen(ep, t) && (best === null || ep.seq < best.seq)) best = ep;
    }
    if (best !== null) return this.joinEpisode(best, entry, ctx);

    const candidates: Entry[] = [entry];
    for (const x of found)
      if (x.episode === null && !ctx.yielded(this.compiled, x.id, part)) candidates.push(x);
    let departments = 0;
    for (const x of candidates) departments |= DEPARTMENT_BIT.get(x.dept) ?? 0;
    const roleShort = this.missingRoles(candidates);
    if (
      candidates.length >= rule.minEvents &&
      bitCount(departments) >= rule.minDepartments &&
      roleShort === null
    ) {
      candidates.sort(byTimeThenId);
      this.openEpisode((candidates[0] as Entry).id, part, candidates, ctx);
      return;
    }
    if (ctx.explain) {
      const roles = roleShort ? `；角色 ${roleShort} 不足` : '';
      const rolesEn = roleShort ? `; role ${roleShort} short` : '';
      note(ctx, rule, 'counted', {
        zh: `已计入：${rule.radiusM}米、${rule.windowMinutes}分钟内 ${candidates.length}/${rule.minEvents} 条事件、${bitCount(departments)}/${rule.minDepartments} 个部门${roles}`,
        en: `counted: ${candidates.length} of ${rule.minEvents} events from ${bitCount(departments)} of ${rule.minDepartments} departments within ${rule.radiusM} m and ${rule.windowMinutes} min${rolesEn}`,
      });
    }
  }

  /** The id of the first role short of its minimum, or null. */
  private missingRoles(entries: readonly Entry[]): string | null {
    const roles = this.rule.roles ?? [];
    for (let i = 0; i < roles.length; i++) {
      const role = roles[i] as NonNullable<CooccurrenceRule['roles']>[number];
      let n = 0;
      for (const e of entries) if (e.roles & (1 << i)) n++;
      if (n < role.min) return role.id;
    }
    return null;
  }

  describe(episode: Episode): Facts {
    const rule = this.rule;
    const entries = episode.entries;
    const thresholds: ThresholdMet[] = [
      { name: 'events', value: entries.length, threshold: rule.minEvents },
      { name: 'departments', value: departmentsOf(entries).length, threshold: rule.minDepartments },
    ];
    (rule.roles ?? []).forEach((role, i) => {
      let n = 0;
      for (const e of entries) if (e.roles & (1 << i)) n++;
      thresholds.push({ name: `role.${role.id}`, value: n, threshold: role.min });
    });
    thresholds.push({ name: 'radius', value: rule.radiusM, threshold: rule.radiusM, unit: 'm' });
    thresholds.push({
      name: 'window',
      value: rule.windowMinutes,
      threshold: rule.windowMinutes,
      unit: 'min',
    });
    const venue = entries.find((e) => e.venue !== null)?.label ?? '';
    const vars = { radiusKm: rule.radiusM / 1000, windowMinutes: rule.windowMinutes, venue };
    return { thresholds, vars: { zh: vars, en: vars }, minRadiusM: Math.min(rule.radiusM, 500) };
  }

  protected sweepIndexes(part: Part, watermark: number): void {
    const index = this.parts.indexOf(part) as Partition;
    const keep = (e: Entry) => e.t >= watermark - this.horizonMs && part.byId.has(e.id);
    for (const map of [this.cells[index], this.venues[index]]) {
      for (const [key, list] of map) {
        const kept = list.filter(keep);
        if (kept.length === 0) map.delete(key);
        else if (kept.length !== list.length) map.set(key, kept);
      }
    }
  }

  protected reindex(part: Part, index: number, _extra: unknown, watermark: number): void {
    this.cells[index as Partition].clear();
    this.venues[index as Partition].clear();
    for (const entry of part.byId.values()) {
      if (entry.t >= watermark - this.horizonMs) this.index(entry, index as Partition);
    }
  }
}

export function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
