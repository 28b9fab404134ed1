/**
 * Periods and the figures the report screens draw beside the hub's own: Beijing calendar days,
 * the period presets, and warnings per day (or week) and level from the report's warning list.
 * Pure; the clock is passed in.
 */
import { BEIJING_OFFSET_MS, LEVELS, type Level, type PeriodReport } from '@liandong/contracts';

const DAY_MS = 86_400_000;

/** The instant of Beijing midnight starting the day that holds `at`, `days` days on. */
export function beijingMidnight(at: Date, days = 0): Date {
  const local = at.getTime() + BEIJING_OFFSET_MS;
  return new Date(Math.floor(local / DAY_MS) * DAY_MS - BEIJING_OFFSET_MS + days * DAY_MS);
}

/** The Beijing date of an instant, `YYYY-MM-DD`. */
export function beijingDate(at: Date | string): string {
  return new Date(new Date(at).getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
}

export interface Period {
  from: string;
  to: string;
}

export const PERIOD_PRESETS = ['today', 'last7', 'last30', 'thisMonth', 'lastMonth'] as const;
export type PeriodPreset = (typeof PERIOD_PRESETS)[number];

/** Beijing midnight of the first day of the month `months` months after the one holding `at`. */
function monthStart(at: Date, months: number): Date {
  const local = new Date(at.getTime() + BEIJING_OFFSET_MS);
  return new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + months, 1) - BEIJING_OFFSET_MS);
}

/** Whole Beijing days: "last 7 days" is today and the six days before it. */
export function presetPeriod(preset: PeriodPreset, now: Date): Period {
  const span = (from: Date, to: Date) => ({ from: from.toISOString(), to: to.toISOString() });
  switch (preset) {
    case 'today':
      return span(beijingMidnight(now), beijingMidnight(now, 1));
    case 'last7':
      return span(beijingMidnight(now, -6), beijingMidnight(now, 1));
    case 'last30':
      return span(beijingMidnight(now, -29), beijingMidnight(now, 1));
    case 'thisMonth':
      return span(monthStart(now, 0), monthStart(now, 1));
    case 'lastMonth':
      return span(monthStart(now, -1), monthStart(now, 0));
  }
}

export function presetOf(period: Period, now: Date): PeriodPreset | undefined {
  return PERIOD_PRESETS.find((p) => {
    const candidate = presetPeriod(p, now);
    return candidate.from === period.from && candidate.to === period.to;
  });
}

/** The period in a console link (`?from=&to=`), or the default: the last 7 days. */
export function periodFromSearch(search: string, now: Date): Period {
  const q = new URLSearchParams(search);
  const from = Date.parse(q.get('from') ?? '');
  const to = Date.parse(q.get('to') ?? '');
  if (Number.isFinite(from) && Number.isFinite(to) && to > from)
    return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
  return presetPeriod('last7', now);
}

export interface Bucket {
  /** Beijing date of the bucket's first day. */
  date: string;
  start: string;
  byLevel: Record<Level, number>;
  total: number;
}

/** Days up to two months, weeks beyond (a period is at most 400 days: 58 bars). */
export function bucketDays(period: Period): 1 | 7 {
  return Date.parse(period.to) - Date.parse(period.from) <= 62 * DAY_MS ? 1 : 7;
}

/**
 * Warnings raised per Beijing day (or week from the period's first day) and level, real or
 * exercises, from the report's list (the same warnings its figures count).
 */
export function warningsByDay(report: PeriodReport, exercise: boolean): { days: 1 | 7; buckets: Bucket[] } {
  const period = { from: report.from, to: report.to };
  const days = bucketDays(period);
  const first = beijingMidnight(new Date(report.from));
  const end = Date.parse(report.to);
  const buckets: Bucket[] = [];
  for (let start = first.getTime(); start < end; start += days * DAY_MS)
    buckets.push({
      date: beijingDate(new Date(start)),
      start: new Date(start).toISOString(),
      byLevel: Object.fromEntries(LEVELS.map((l) => [l, 0])) as Record<Level, number>,
      total: 0,
    });
  for (const w of report.warnings) {
    if (w.exercise !== exercise) continue;
    const index = Math.floor((Date.parse(w.raisedAt) - first.getTime()) / (days * DAY_MS));
    const bucket = buckets[index];
    if (!bucket) continue;
    bucket.byLevel[w.level] += 1;
    bucket.total += 1;
  }
  return { days, buckets };
}
