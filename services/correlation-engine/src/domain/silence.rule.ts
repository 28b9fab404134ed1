/**
 * Silence of a department's feed: no event from it for `silentMinutes` of event time (counting
 * only its active hours, if the rule gives them). The watermark stands for "now", so a late event
 * cannot undo a silence already seen; in live operation the correlator's injected clock moves the
 * watermark on when every feed is quiet. The warning is cancelled when the feed speaks again.
 */
import {
  departmentEntry,
  type DepartmentCode,
  type NormalizedEvent,
  type SilenceRule,
} from '@liandong/contracts';
import type { CompiledRule } from './compile.rule.ts';
import {
  episodeId,
  newEpisode,
  markDirty,
  note,
  restoreEpisode,
  serializeEpisode,
  type Episode,
  type Facts,
  type SerializedEpisode,
  type StepContext,
} from './episode.model.ts';
import type { Entry } from './evidence.model.ts';
import { decideLevel } from './warning.builder.ts';
import { activeMinutesBetween, localTimeText, MINUTE_MS } from './shanghai.calendar.ts';

interface LastSeen {
  t: number;
  id: string;
}

export interface SilenceSnapshot {
  last: [DepartmentCode, LastSeen][];
  episodes: (SerializedEpisode & { evidence: { id: string; t: number }[] })[];
}

function feedEntry(id: string, t: number, dept: DepartmentCode): Entry {
  return {
    id,
    t,
    type: `${dept}.feed`,
    dept,
    category: 'social_security',
    lon: Number.NaN,
    lat: Number.NaN,
    severity: 0,
    venue: null,
    label: null,
    road: null,
    river: null,
    values: [],
    flags: 0,
    roles: 0,
    measure: Number.NaN,
    bound: Number.NaN,
    unit: null,
    sides: 0,
    rivers: [],
    withdrawn: false,
    supersededBy: null,
    episode: null,
  };
}

export class SilenceMonitor {
  private readonly last = new Map<DepartmentCode, LastSeen>();
  /** The open silence episode of each rule, by rule order. */
  private readonly open = new Map<number, Episode>();
  /**
   * No silence can be due before this watermark (recomputed when passed; -Infinity: unknown). It
   * is a cache, not state: never in a snapshot, so it must never change what is raised — a feed
   * that speaks again (or for the first time) lowers it to its own earliest due moment.
   */
  private nextCheck = -Infinity;
  /** The shortest silence of any rule on a department, in ms. */
  private readonly shortestSilence = new Map<DepartmentCode, number>();

  constructor(readonly rules: readonly CompiledRule<SilenceRule>[]) {
    for (const { rule } of rules) {
      const ms = rule.silentMinutes * MINUTE_MS;
      this.shortestSilence.set(
        rule.department,
        Math.min(ms, this.shortestSilence.get(rule.department) ?? ms),
      );
    }
  }

  /** Minutes of silence that count for a rule at `now`. */
  silentMinutes(rule: SilenceRule, since: number, now: number): number {
    if (!rule.activeHours) return (now - since) / MINUTE_MS;
    return activeMinutesBetween(since, now, rule.activeHours.from, rule.activeHours.to);
  }

  /**
   * A department spoke: remember it, and end its silence if a warning stands. An event behind
   * the watermark still shows the feed delivers now, so it counts as alive at the watermark
   * (else a late record would end a silence that the next event raises again).
   */
  seen(event: NormalizedEvent, t: number, watermark: number, ctx: StepContext): void {
    const dept = event.department;
    const last = this.last.get(dept);
    const alive = Math.max(t, watermark);
    if (!last || alive > last.t) this.last.set(dept, { t: alive, id: event.id });
    // Its next silence may now be due before the cached check: after a cancel (its rule was left
    // out of the cache while open) or on its first event.
    const shortest = this.shortestSilence.get(dept);
    if (shortest !== undefined) this.nextCheck = Math.min(this.nextCheck, alive + shortest);
    if (this.open.size === 0) return;
    for (const compiled of this.rules) {
      if (compiled.rule.department !== dept) continue;
      const episode = this.open.get(compiled.order);
      if (!episode) continue;
      const entry = feedEntry(event.id, alive, dept);
      entry.episode = episode;
      episode.entries.push(entry);
      episode.status = 'cancelled';
      episode.facts['resumedAt'] = alive;
      this.open.delete(compiled.order);
      markDirty(ctx, episode);
      if (ctx.explain)
        note(
          ctx,
          compiled.rule,
          'resumed',
          { zh: '数据源恢复，中断预警取消', en: 'the feed spoke again; the silence warning is cancelled' },
          episode.id,
        );
    }
  }

  /** Raises silences the watermark has reached. */
  check(watermark: number, ctx: StepContext): void {
    // Nothing can happen before the earliest moment a silence could start counting.
    if (watermark < this.nextCheck && this.open.size === 0) return;
    let next = Infinity;
    for (const compiled of this.rules) {
      const last = this.last.get(compiled.rule.department);
      if (last && !this.open.has(compiled.order))
        next = Math.min(next, last.t + compiled.rule.silentMinutes * MINUTE_MS);
    }
    this.nextCheck = next;
    if (watermark < next && this.open.size === 0) return;
    for (const compiled of this.rules) {
      const rule = compiled.rule;
      const open = this.open.get(compiled.order);
      if (open) {
        open.facts['minutes'] = Math.floor(this.silentMinutes(rule, open.lastT, watermark));
        if (decideLevel(compiled, open.entries, open.facts).level !== open.level) markDirty(ctx, open);
        continue;
      }
      const last = this.last.get(rule.department);
      if (!last || watermark - last.t < rule.silentMinutes * MINUTE_MS) continue;
      const minutes = this.silentMinutes(rule, last.t, watermark);
      if (minutes < rule.silentMinutes) continue;
      const entry = feedEntry(last.id, last.t, rule.department);
      const episode = newEpisode({
        id: episodeId(rule.id, 0, `${rule.department}\u001f${last.id}`),
        rule: compiled.order,
        key: rule.department,
        part: 0,
        seq: ctx.nextSeq(),
        entries: [entry],
        lastT: last.t,
        facts: { since: last.t, minutes: Math.floor(minutes) },
      });
      entry.episode = episode;
      this.open.set(compiled.order, episode);
      markDirty(ctx, episode);
    }
  }

  describe(episode: Episode, compiled: CompiledRule<SilenceRule>): Facts {
    const rule = compiled.rule;
    const since = Number(episode.facts['since']);
    const minutes = Number(episode.facts['minutes']);
    const department = departmentEntry(rule.department).name;
    const sinceText = localTimeText(since);
    const vars = (lang: 'zh' | 'en') => ({
      department: department[lang],
      since: sinceText[lang],
      minutes,
      silentMinutes: rule.silentMinutes,
    });
    const resumedAt = episode.facts['resumedAt'];
    const resumed = typeof resumedAt === 'number' ? localTimeText(resumedAt) : null;
    return {
      ...(resumed
        ? {
            note: {
              zh: `（数据源已于${resumed.zh}恢复，预警取消）`,
              en: ` (The feed resumed at ${resumed.en}; warning cancelled.)`,
            },
          }
        : {}),
      thresholds: [{ name: 'minutes', value: minutes, threshold: rule.silentMinutes, unit: 'min' }],
      vars: { zh: vars('zh'), en: vars('en') },
      minRadiusM: 0,
    };
  }

  snapshot(): SilenceSnapshot {
    return {
      last: [...this.last],
      episodes: [...this.open.values()].map((ep) => ({
        ...serializeEpisode(ep),
        evidence: ep.entries.map((e) => ({ id: e.id, t: e.t })),
      })),
    };
  }

  restore(snapshot: SilenceSnapshot): void {
    this.last.clear();
    this.open.clear();
    for (const [dept, seen] of snapshot.last) this.last.set(dept, seen);
    for (const data of snapshot.episodes) {
      const episode = restoreEpisode(data);
      const rule = this.rules.find((r) => r.order === episode.rule) as CompiledRule<SilenceRule>;
      episode.entries = data.evidence.map((e) => {
        const entry = feedEntry(e.id, e.t, rule.rule.department);
        entry.episode = episode;
        return entry;
      });
      this.open.set(episode.rule, episode);
    }
  }
}
