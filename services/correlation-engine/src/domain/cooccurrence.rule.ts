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
} from './episode.model.ts';
import { entryOf, hasLocation, type Entry } from './evidence.model.ts';
import { cellOf, cellsWithin, resolutionFor, withinM } from './wgs84.geometry.ts';
import { byTimeThenId } from './threshold.rule.ts';
import { MINUTE_MS } from './shanghai.calendar.ts';
import { departmentsOf } from './warning.builder.ts';

const DEPARTMENT_BIT = new Map<string, number>(DEPARTMENT_CODES.map((d, i) => [d, 1 << i]));
const DEPARTMENT_INDEX = new Map<string, number>(DEPARTMENT_CODES.map((d, i) => [d, i]));

function bitCount(n: number): number {
  let c = 0;
  for (let v = n; v !== 0; v &= v - 1) c++;
  return c;
}

export class CooccurrenceFamily extends Family<CooccurrenceRule> {
  readonly resolution: number;
  private readonly cells: [Map<string, Entry[]>, Map<string, Entry[]>] = [
    new Map<string, Entry[]>(),
    new Map<string, Entry[]>(),
  ];
  private readonly venues: [Map<string, Entry[]>, Map<string, Entry[]>] = [
    new Map<string, Entry[]>(),
    new Map<string, Entry[]>(),
  ];
  private readonly neighbours: Entry[] = [];
  private readonly gates: [Gate, Gate] = [new Gate(), new Gate()];

  constructor(compiled: CompiledRule<CooccurrenceRule>) {
    super(compiled, compiled.rule.windowMinutes * MINUTE_MS);
    this.resolution = resolutionFor(compiled.rule.radiusM);
  }

  private index(entry: Entry, part: Partition): string | null {
    let cell: string | null = null;
    if (hasLocation(entry)) {
      cell = cellOf(entry.lon, entry.lat, this.resolution);
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

    const window = this.horizonMs;
    const gate = this.gates[part];
    const possible = this.mayCluster(gate, entry, t);
    gate.note(entry);
    if (!possible) {
      if (ctx.explain)
        note(ctx, rule, 'counted', {
          zh: `已记录；${rule.windowMinutes}分钟内尚无满足规则所需角色或部门数的事件`,
          en: `kept; no events within ${rule.windowMinutes} min yet that could complete the roles or departments`,
        });
      return;
    }
    const found = this.neighbours;
    found.length = 0;
    const radius = rule.radiusM;
    if (cell !== null) {
      const cells = this.cells[part];
      for (const c of cellsWithin(cell, radius)) {
        const list = cells.get(c);
        if (list === undefined) continue;
        for (let i = 0; i < list.length; i++) {
          const x = list[i] as Entry;
          if (x === entry || x.withdrawn || Math.abs(x.t - t) > window) continue;
          if (!withinM(entry.lon, entry.lat, x.lon, x.lat, radius)) continue;
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

  /**
   * Whether the entry could join an episode or complete a cluster at all: some episode had
   * evidence within the window, or every required role and enough departments had an event
   * within it. Cheap, and exact enough to skip the neighbour search for the everyday stream.
   */
  private mayCluster(gate: Gate, entry: Entry, t: number): boolean {
    const since = t - this.horizonMs;
    if (gate.episodeT >= since) return true;
    const roles = this.rule.roles ?? [];
    for (let i = 0; i < roles.length; i++) {
      if (
        (roles[i] as { min: number }).min > 0 &&
        !(entry.roles & (1 << i)) &&
        !((gate.roleT[i] ?? -Infinity) >= since)
      )
        return false;
    }
    let departments = 1;
    const own = DEPARTMENT_INDEX.get(entry.dept);
    for (let i = 0; i < gate.deptT.length; i++)
      if (i !== own && (gate.deptT[i] as number) >= since) departments++;
    return departments >= this.rule.minDepartments;
  }

  protected override openEpisode(key: string, part: Partition, entries: Entry[], ctx: StepContext): Episode {
    const episode = super.openEpisode(key, part, entries, ctx);
    this.gates[part].episodeT = Math.max(this.gates[part].episodeT, episode.lastT);
    return episode;
  }

  protected override joinEpisode(episode: Episode, entry: Entry, ctx: StepContext): void {
    super.joinEpisode(episode, entry, ctx);
    this.gates[episode.part].episodeT = Math.max(this.gates[episode.part].episodeT, episode.lastT);
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
    const cutoff = watermark - this.horizonMs;
    for (const map of [this.cells[index], this.venues[index]]) {
      for (const [key, list] of map) {
        // Lists are in arrival order: drop the expired head.
        let drop = 0;
        while (drop < list.length && (list[drop] as Entry).t < cutoff) drop++;
        if (drop === list.length) map.delete(key);
        else if (drop > 0) list.splice(0, drop);
      }
    }
  }

  protected reindex(part: Part, index: number, _extra: unknown, watermark: number): void {
    this.cells[index as Partition].clear();
    this.venues[index as Partition].clear();
    const gate = new Gate();
    this.gates[index as Partition] = gate;
    for (const entry of part.byId.values()) {
      gate.note(entry);
      if (entry.t >= watermark - this.horizonMs) this.index(entry, index as Partition);
    }
    for (const episode of part.episodes.values()) gate.episodeT = Math.max(gate.episodeT, episode.lastT);
  }
}

/**
 * Latest event times of the rule's entries: per role, per department, and of any episode. Values
 * older than the window behave as none at all, so restoring them from the entries still held
 * gives the same decisions.
 */
class Gate {
  readonly roleT: number[] = [];
  /** By position in DEPARTMENT_CODES. */
  readonly deptT: number[] = DEPARTMENT_CODES.map(() => -Infinity);
  episodeT = -Infinity;

  note(entry: Entry): void {
    for (let i = 0, bits = entry.roles; bits !== 0; i++, bits >>= 1) {
      if (bits & 1 && !((this.roleT[i] ?? -Infinity) >= entry.t)) this.roleT[i] = entry.t;
    }
    const i = DEPARTMENT_INDEX.get(entry.dept) as number;
    if (!((this.deptT[i] as number) >= entry.t)) this.deptT[i] = entry.t;
  }
}

export function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
