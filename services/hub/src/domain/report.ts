/**
 * After-action report figures (复盘), pure: from warnings with their acknowledgement matrix,
 * revisions, activity and evidence to the per-warning and per-period reports. The clock and the
 * town lookup are passed in.
 *
 * Definitions (the README repeats them):
 * - time to detect: first evidence → raised; time to acknowledge: armed → acknowledged, against
 *   the deadline of that arming (a level raise re-arms a unit: the current arming counts);
 * - on time: acknowledged at or before the deadline; late: after; missed: never acknowledged and
 *   the deadline passed (pending, or closed by resolution/cancellation); open: pending, not yet due;
 *   compliance rate = onTime / (onTime + late + missed);
 * - median: the middle value (the mean of the two middle values for an even count); p90: nearest
 *   rank, the value at rank ⌈0.9·n⌉ of the sorted values;
 * - rule precision = confirmed / (resolved − duplicate): a duplicate says nothing about whether the
 *   condition was real;
 * - busiest hours: warnings raised per hour of day in Beijing time;
 * - a period holds the warnings raised in [from, to); exercises are counted apart.
 */
import {
  BEIJING_OFFSET_MS,
  DISPOSITIONS,
  type Disposition,
  type EventView,
  type LocalizedText,
  type PeriodFigures,
  type PeriodReport,
  type RulePrecision,
  type Spread,
  type TimelineEntry,
  type UnitAcknowledgement,
  type UnitCompliance,
  type Warning,
  type WarningActivity,
  type WarningReport,
  type WarningView,
} from '@liandong/contracts';

export type TownOf = (point: {
  lon: number;
  lat: number;
}) => { code: string; name: LocalizedText } | undefined;

/** The district's own code: a warning outside every town is counted under it. */
export const DISTRICT_CODE = '440605';

const seconds = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 1000;

export function median(values: readonly number[]): number | null {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return null;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function p90(values: readonly number[]): number | null {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return null;
  return s[Math.ceil(0.9 * s.length) - 1] as number;
}

export function spread(values: readonly number[]): Spread {
  return { count: values.length, median: median(values), p90: p90(values) };
}

/** One unit's acknowledgement against its deadline, as of `now`. */
export function unitAcknowledgement(
  ack: WarningView['acknowledgements'][number],
  now: Date,
): UnitAcknowledgement {
  const secondsToAcknowledge = ack.acknowledgedAt ? seconds(ack.armedAt, ack.acknowledgedAt) : null;
  const due = Date.parse(ack.deadline) <= now.getTime();
  const onTime = ack.acknowledgedAt
    ? Date.parse(ack.acknowledgedAt) <= Date.parse(ack.deadline)
    : due
      ? false
      : null;
  return {
    department: ack.department,
    state: ack.state,
    level: ack.level,
    armedAt: ack.armedAt,
    deadline: ack.deadline,
    deadlineSeconds: Math.round(seconds(ack.armedAt, ack.deadline)),
    acknowledgedAt: ack.acknowledgedAt,
    acknowledgedBy: ack.acknowledgedBy,
    secondsToAcknowledge,
    onTime,
    escalations: ack.escalations,
  };
}

function changes(before: Warning, after: Warning): string {
  const out: string[] = [];
  if (before.level !== after.level) out.push(`level ${before.level} → ${after.level}`);
  if (before.status !== after.status) out.push(`status ${before.status} → ${after.status}`);
  const added = after.departments.filter((d) => !before.departments.includes(d));
  const removed = before.departments.filter((d) => !after.departments.includes(d));
  if (added.length) out.push(`routed to ${added.join(', ')}`);
  if (removed.length) out.push(`no longer routed to ${removed.join(', ')}`);
  const evidence = after.evidence.length - before.evidence.length;
  if (evidence) out.push(`evidence ${before.evidence.length} → ${after.evidence.length}`);
  if (before.title.en !== after.title.en) out.push(`title "${after.title.en}"`);
  return out.join('; ') || 'revised without a visible change';
}

function activityEntry(a: WarningActivity): TimelineEntry {
  switch (a.type) {
    case 'warning.acknowledged':
      return {
        at: a.at,
        kind: 'acknowledged',
        revision: a.revision,
        who: a.by.username,
        role: a.by.role,
        department: a.department,
        detail: `${a.department} acknowledged${a.late ? ' late' : ''} (deadline ${a.deadline})${a.note ? `: ${a.note}` : ''}`,
      };
    case 'warning.escalated':
      return {
        at: a.at,
        kind: 'escalated',
        revision: a.revision,
        who: 'system',
        role: 'system',
        department: a.department,
        detail: `${a.department} missed its ${a.level} deadline ${a.deadline}; told ${a.notified.join(', ')}`,
      };
    case 'warning.resolved':
      return {
        at: a.at,
        kind: 'resolved',
        revision: a.revision,
        who: a.by.username,
        role: a.by.role,
        department: null,
        detail: `resolved: ${a.disposition}${a.note ? ` (${a.note})` : ''}`,
      };
  }
}

export interface WarningReportInput {
  warning: WarningView;
  revisions: readonly Warning[];
  activity: readonly WarningActivity[];
  evidence: readonly EventView[];
  escalations: number;
}

export function buildWarningReport(input: WarningReportInput, now: Date, townOf: TownOf): WarningReport {
  const { warning } = input;
  const revisions = [...input.revisions].sort((a, b) => a.revision - b.revision);
  const first = revisions[0] ?? warning;
  const timeline: TimelineEntry[] = [];
  for (const e of input.evidence)
    timeline.push({
      at: e.occurredAt,
      kind: 'evidence',
      revision: null,
      who: e.department,
      role: null,
      department: null,
      detail: `${e.type}${e.title ? `: ${e.title.en}` : ''}`,
    });
  timeline.push({
    at: first.raisedAt,
    kind: 'raised',
    revision: first.revision,
    who: `rule:${first.ruleId}`,
    role: 'system',
    department: null,
    detail: `raised ${first.level}, routed to ${first.departments.join(', ')}, ${first.evidence.length} evidence`,
  });
  for (let i = 1; i < revisions.length; i++) {
    const before = revisions[i - 1] as Warning;
    const after = revisions[i] as Warning;
    timeline.push({
      at: after.updatedAt,
      kind: after.status === 'cancelled' ? 'cancelled' : 'revised',
      revision: after.revision,
      who: `rule:${after.ruleId}`,
      role: 'system',
      department: null,
      detail: `revision ${after.revision}: ${changes(before, after)}`,
    });
  }
  timeline.push(...input.activity.map(activityEntry));
  const order = (k: TimelineEntry['kind']) =>
    k === 'evidence' ? 0 : k === 'raised' ? 1 : k === 'revised' || k === 'cancelled' ? 2 : 3;
  timeline.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || order(a.kind) - order(b.kind));
  const [lon, lat] = warning.centroid.coordinates;
  const town = townOf({ lon, lat });
  return {
    generatedAt: now.toISOString(),
    warning: {
      id: warning.id,
      ruleId: warning.ruleId,
      level: warning.level,
      category: warning.category,
      status: warning.status,
      exercise: warning.exercise,
      revision: warning.revision,
      departments: warning.departments,
      title: warning.title,
      summary: warning.summary,
      raisedAt: warning.raisedAt,
      firstEvidenceAt: warning.firstEvidenceAt,
      town: town ? { code: town.code, name: town.name } : null,
    },
    timeToDetectSeconds: seconds(warning.firstEvidenceAt, warning.raisedAt),
    timeToResolveSeconds: warning.resolution ? seconds(warning.raisedAt, warning.resolution.at) : null,
    acknowledgements: warning.acknowledgements.map((a) => unitAcknowledgement(a, now)),
    escalations: input.escalations,
    disposition: warning.resolution,
    timeline,
    evidence: input.evidence.map((e) => ({
      id: e.id,
      department: e.department,
      type: e.type,
      occurredAt: e.occurredAt,
      location: e.location ?? null,
      title: e.title ?? null,
    })),
    evidenceCount: warning.evidence.length,
    area: warning.area,
    centroid: warning.centroid,
  };
}

const bump = (counts: Record<string, number>, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

export interface PeriodWarning {
  warning: WarningView;
  escalations: number;
}

export function periodFigures(items: readonly PeriodWarning[], now: Date, townOf: TownOf): PeriodFigures {
  const figures: PeriodFigures = {
    warnings: items.length,
    byDepartment: {},
    byCategory: {},
    byLevel: {},
    byRule: {},
    byTown: {},
    byStatus: {},
    dispositions: {},
    escalations: 0,
    compliance: [],
    ackSeconds: spread([]),
    detectSeconds: spread([]),
    rulePrecision: [],
    byHour: Array.from({ length: 24 }, () => 0),
    busiestHours: [],
  };
  const units = new Map<
    string,
    { c: Omit<UnitCompliance, 'ackSeconds' | 'complianceRate'>; acks: number[] }
  >();
  const rules = new Map<string, RulePrecision>();
  const allAcks: number[] = [];
  const detect: number[] = [];
  for (const { warning, escalations } of items) {
    for (const d of warning.departments) bump(figures.byDepartment, d);
    bump(figures.byCategory, warning.category);
    bump(figures.byLevel, warning.level);
    bump(figures.byRule, warning.ruleId);
    bump(figures.byStatus, warning.status);
    const [lon, lat] = warning.centroid.coordinates;
    bump(figures.byTown, townOf({ lon, lat })?.code ?? DISTRICT_CODE);
    figures.escalations += escalations;
    detect.push(seconds(warning.firstEvidenceAt, warning.raisedAt));
    const hour = new Date(Date.parse(warning.raisedAt) + BEIJING_OFFSET_MS).getUTCHours();
    figures.byHour[hour] = (figures.byHour[hour] ?? 0) + 1;
    const rule =
      rules.get(warning.ruleId) ??
      ({
        ruleId: warning.ruleId,
        warnings: 0,
        resolved: 0,
        dispositions: Object.fromEntries(DISPOSITIONS.map((d) => [d, 0])) as Record<Disposition, number>,
        precision: null,
      } satisfies RulePrecision);
    rules.set(warning.ruleId, rule);
    rule.warnings++;
    if (warning.resolution) {
      rule.resolved++;
      rule.dispositions[warning.resolution.disposition]++;
      bump(figures.dispositions, warning.resolution.disposition);
    }
    for (const ack of warning.acknowledgements.map((a) => unitAcknowledgement(a, now))) {
      const unit = units.get(ack.department) ?? {
        c: { department: ack.department, armed: 0, onTime: 0, late: 0, missed: 0, open: 0 },
        acks: [],
      };
      units.set(ack.department, unit);
      unit.c.armed++;
      if (ack.secondsToAcknowledge !== null) {
        unit.acks.push(ack.secondsToAcknowledge);
        allAcks.push(ack.secondsToAcknowledge);
        if (ack.onTime) unit.c.onTime++;
        else unit.c.late++;
      } else if (ack.onTime === false) unit.c.missed++;
      else unit.c.open++;
    }
  }
  figures.ackSeconds = spread(allAcks);
  figures.detectSeconds = spread(detect);
  figures.compliance = [...units.values()]
    .sort((a, b) => a.c.department.localeCompare(b.c.department))
    .map(({ c, acks }) => {
      const counted = c.onTime + c.late + c.missed;
      return { ...c, complianceRate: counted ? c.onTime / counted : null, ackSeconds: spread(acks) };
    });
  figures.rulePrecision = [...rules.values()]
    .sort((a, b) => a.ruleId.localeCompare(b.ruleId))
    .map((r) => {
      const counted = r.resolved - r.dispositions.duplicate;
      return { ...r, precision: counted > 0 ? r.dispositions.confirmed / counted : null };
    });
  figures.busiestHours = figures.byHour
    .map((n, hour) => ({ n, hour }))
    .filter((h) => h.n > 0)
    .sort((a, b) => b.n - a.n || a.hour - b.hour)
    .slice(0, 3)
    .map((h) => h.hour);
  return figures;
}

export function buildPeriodReport(
  range: { from: Date; to: Date },
  items: readonly PeriodWarning[],
  now: Date,
  townOf: TownOf,
): PeriodReport {
  const sorted = [...items].sort(
    (a, b) =>
      Date.parse(a.warning.raisedAt) - Date.parse(b.warning.raisedAt) ||
      a.warning.id.localeCompare(b.warning.id),
  );
  return {
    generatedAt: now.toISOString(),
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    real: periodFigures(
      sorted.filter((i) => !i.warning.exercise),
      now,
      townOf,
    ),
    exercise: periodFigures(
      sorted.filter((i) => i.warning.exercise),
      now,
      townOf,
    ),
    warnings: sorted.map(({ warning: w }) => ({
      id: w.id,
      ruleId: w.ruleId,
      level: w.level,
      status: w.status,
      exercise: w.exercise,
      raisedAt: w.raisedAt,
      title: w.title,
      disposition: w.resolution?.disposition ?? null,
    })),
  };
}
