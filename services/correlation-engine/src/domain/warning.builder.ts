/**
 * From an episode to the `Warning` contract: level decided from the rule's conditions (never
 * lower than before), routing, geometry, bilingual title and summary, the thresholds met.
 */
import {
  DEPARTMENT_REGISTRY,
  UNIT_CODES,
  VOCABULARIES,
  maxLevel,
  type Category,
  type DepartmentCode,
  type GeoPolygon,
  type LevelCondition,
  type Level,
  type LocalizedText,
  type Position,
  type ThresholdMet,
  type UnitCode,
  type Warning,
} from '@liandong/contracts';
import type { CompiledRule } from './compile.rule.ts';
import type { Episode, Facts } from './episode.model.ts';
import { hasLocation, type Entry } from './evidence.model.ts';
import { centroidOf, circleArea, distanceM, point } from './wgs84.geometry.ts';
import type { RuleSet } from './rule-set.model.ts';
import type { TemplateVars } from './text.template.ts';
import { localTimeText, toIso } from './shanghai.calendar.ts';

/** A metric of an episode's evidence (see METRIC_PATTERN in contracts). */
export function metricOf(
  name: string,
  entries: readonly Entry[],
  compiled: CompiledRule,
  facts: Readonly<Record<string, number | string>>,
): number {
  switch (name) {
    case 'events':
      return entries.length;
    case 'departments':
      return departmentsOf(entries).length;
    case 'severity': {
      let max = 0;
      for (const e of entries) if (e.severity > max) max = e.severity;
      return max;
    }
    default: {
      const fact = facts[name];
      if (typeof fact === 'number') return fact;
      const m = /^(sum|max)\.(.+)$/.exec(name);
      if (!m) return 0;
      const i = compiled.attributes.indexOf(m[2] as string);
      let acc = m[1] === 'sum' ? 0 : -Infinity;
      for (const e of entries) {
        const v = e.values[i] ?? 0;
        acc = m[1] === 'sum' ? acc + v : Math.max(acc, v);
      }
      return Number.isFinite(acc) ? acc : 0;
    }
  }
}

function conditionHolds(
  condition: LevelCondition,
  bit: number,
  entries: readonly Entry[],
  compiled: CompiledRule,
  facts: Readonly<Record<string, number | string>>,
): boolean {
  if (condition.evidence) {
    let n = 0;
    for (const e of entries) if (e.flags & (1 << bit)) n++;
    return n >= (condition.min ?? 1);
  }
  if (condition.metric) return metricOf(condition.metric, entries, compiled, facts) >= (condition.min ?? 0);
  return false;
}

/** The level the evidence calls for, and the raise conditions that hold. */
export function decideLevel(
  compiled: CompiledRule,
  entries: readonly Entry[],
  facts: Readonly<Record<string, number | string>>,
): { level: Level; met: ThresholdMet[] } {
  const spec = compiled.rule.level;
  let level = spec.base;
  const met: ThresholdMet[] = [];
  let bit = 0;
  for (const raise of spec.raise ?? []) {
    let all = true;
    const local: ThresholdMet[] = [];
    for (const condition of raise.when) {
      const holds = conditionHolds(condition, bit, entries, compiled, facts);
      if (condition.evidence) bit++;
      if (!holds) all = false;
      else if (condition.metric)
        local.push({
          name: condition.metric,
          value: round(metricOf(condition.metric, entries, compiled, facts)),
          threshold: condition.min ?? 0,
        });
    }
    if (all) {
      level = maxLevel(level, raise.to);
      met.push(...local);
    }
  }
  return { level, met };
}

export function departmentsOf(entries: readonly Entry[]): DepartmentCode[] {
  const seen: DepartmentCode[] = [];
  for (const e of entries) if (!seen.includes(e.dept)) seen.push(e.dept);
  return seen;
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function nameOf(code: string): LocalizedText {
  const entry = DEPARTMENT_REGISTRY.find((d) => d.code === code);
  return entry ? entry.name : { zh: code, en: code };
}

/** The vocabulary name of an event type (CAP alerts without a vocabulary type: "CAP预警"). */
export function typeName(type: string): LocalizedText {
  const dot = type.indexOf('.');
  const department = type.slice(0, dot) as DepartmentCode;
  const key = type.slice(dot + 1);
  if (key === 'cap_alert')
    return { zh: `${nameOf(department).zh}CAP预警`, en: `${nameOf(department).en} CAP alert` };
  return VOCABULARIES[department]?.[key]?.name ?? { zh: type, en: type };
}

export function listOf(items: readonly LocalizedText[]): LocalizedText {
  return { zh: items.map((i) => i.zh).join('、'), en: items.map((i) => i.en).join(', ') };
}

/** The named place nearest to a point (within 20 km), else the region. */
export function placeNear(ruleSet: RuleSet, at: Position | null): LocalizedText {
  if (!at) return ruleSet.region.name;
  let best: LocalizedText = ruleSet.region.name;
  let bestDistance = 20_000;
  for (const place of ruleSet.places) {
    const d = distanceM(at[0], at[1], place.center[0], place.center[1]);
    if (d < bestDistance) {
      bestDistance = d;
      best = place.name;
    }
  }
  return best;
}

function signatureOf(episode: Episode, level: Level): string {
  let s = `${episode.status}|${level}|`;
  for (const e of episode.entries) s += `${e.id},`;
  return s;
}

function unitsOf(compiled: CompiledRule, entries: readonly Entry[]): UnitCode[] {
  const wanted = new Set<string>(compiled.rule.routeTo);
  if (compiled.rule.routeEvidenceDepartments !== false) for (const d of departmentsOf(entries)) wanted.add(d);
  return UNIT_CODES.filter((u) => wanted.has(u));
}

function geometryOf(
  ruleSet: RuleSet,
  entries: readonly Entry[],
  facts: Facts,
): { area: GeoPolygon; centroid: Position | null } {
  const points: Position[] = [];
  for (const e of entries) if (hasLocation(e)) points.push([e.lon, e.lat]);
  if (points.length === 0) {
    return { area: facts.area ?? circleArea(ruleSet.region.center, ruleSet.region.radiusM), centroid: null };
  }
  const centroid = centroidOf(points);
  if (facts.area) return { area: facts.area, centroid };
  let radius = 0;
  for (const p of points) radius = Math.max(radius, distanceM(centroid[0], centroid[1], p[0], p[1]));
  return { area: circleArea(centroid, Math.max(facts.minRadiusM, radius * 1.1 + 100)), centroid };
}

/** The most frequent category of the evidence; ties go to the rule's own. */
function categoryOf(entries: readonly Entry[], fallback: Category): Category {
  const counts = new Map<Category, number>();
  for (const e of entries) counts.set(e.category, (counts.get(e.category) ?? 0) + 1);
  let best = fallback;
  let bestCount = counts.get(fallback) ?? 0;
  for (const [category, n] of counts) {
    if (n > bestCount) {
      best = category;
      bestCount = n;
    }
  }
  return best;
}

const CANCELLED_NOTE: LocalizedText = {
  zh: '（全部证据已被来源撤销，预警取消）',
  en: ' (All evidence was withdrawn by its sources; the warning is cancelled.)',
};

/**
 * The next revision of an episode's warning, or null when nothing a reader sees changed (or the
 * episode lost its evidence before it was ever raised).
 */
export function evolveWarning(
  compiled: CompiledRule,
  ruleSet: RuleSet,
  episode: Episode,
  facts: Facts | null,
  causeT: number,
  exercise: boolean,
): Warning | null {
  const entries = episode.entries;
  if (entries.length === 0) {
    if (episode.status !== 'cancelled' && episode.last === null) return null;
    episode.status = 'cancelled';
  }
  const rule = compiled.rule;
  if (episode.status === 'cancelled' || facts === null) {
    const last = episode.last;
    if (!last) return null;
    const signature = signatureOf(episode, last.level);
    if (signature === episode.signature) return null;
    episode.signature = signature;
    episode.revision += 1;
    episode.updatedAt = Math.max(episode.updatedAt, causeT);
    const evidence =
      entries.length > 0
        ? entries.map((e) => e.id)
        : [...new Set([...episode.withdrawn, ...episode.cancelledBy])];
    const suffix =
      episode.mergedInto !== null
        ? {
            zh: `（证据已由专项预警 ${episode.mergedInto} 认领，本预警并入该预警）`,
            en: ` (Its evidence was claimed by the dedicated warning ${episode.mergedInto}; merged into it.)`,
          }
        : entries.length === 0
          ? CANCELLED_NOTE
          : facts?.note;
    const warning: Warning = {
      ...last,
      revision: episode.revision,
      status: episode.status,
      evidence,
      updatedAt: toIso(episode.updatedAt),
      summary: suffix ? { zh: last.summary.zh + suffix.zh, en: last.summary.en + suffix.en } : last.summary,
    };
    episode.last = warning;
    return warning;
  }

  const decided = decideLevel(compiled, entries, episode.facts);
  const level = episode.level === null ? decided.level : maxLevel(episode.level, decided.level);
  const signature = signatureOf(episode, level);
  if (signature === episode.signature) return null;
  episode.signature = signature;
  episode.level = level;
  episode.revision += 1;

  let first = Infinity;
  let lastT = -Infinity;
  for (const e of entries) {
    if (e.t < first) first = e.t;
    if (e.t > lastT) lastT = e.t;
  }
  const when = Math.max(causeT, lastT);
  if (Number.isNaN(episode.raisedAt)) episode.raisedAt = when;
  episode.updatedAt = Math.max(episode.updatedAt, when, episode.raisedAt);

  const { area, centroid } = geometryOf(ruleSet, entries, facts);
  const place = placeNear(ruleSet, facts.anchor ?? centroid);
  const departments = departmentsOf(entries);
  const types: string[] = [];
  for (const e of entries) if (!types.includes(e.type)) types.push(e.type);
  const firstAt = localTimeText(first);
  const lastAt = localTimeText(lastT);
  const deptNames = listOf(departments.map(nameOf));
  const typeNames = listOf(types.map(typeName));
  const common = (lang: 'zh' | 'en'): TemplateVars => {
    const vars: TemplateVars = {
      place: place[lang],
      events: entries.length,
      departments: departments.length,
      departmentNames: deptNames[lang],
      firstAt: firstAt[lang],
      lastAt: lastAt[lang],
      types: typeNames[lang],
      ...facts.vars[lang],
    };
    for (const name of compiled.attributes) {
      vars[`sum_${name}`] = round(metricOf(`sum.${name}`, entries, compiled, episode.facts));
      vars[`max_${name}`] = round(metricOf(`max.${name}`, entries, compiled, episode.facts));
    }
    return vars;
  };
  const vars = { zh: common('zh'), en: common('en') };
  const thresholds = [...facts.thresholds, ...decided.met];

  const warning: Warning = {
    id: episode.id,
    ruleId: rule.id,
    ruleVersion: rule.version,
    revision: episode.revision,
    level,
    category: rule.categoryFromEvidence ? categoryOf(entries, rule.category) : rule.category,
    status: episode.status,
    exercise,
    departments: unitsOf(compiled, entries),
    evidence: entries.map((e) => e.id),
    raisedAt: toIso(episode.raisedAt),
    updatedAt: toIso(episode.updatedAt),
    firstEvidenceAt: toIso(first),
    lastEvidenceAt: toIso(lastT),
    title: compiled.title.render(vars),
    summary: compiled.summary.render(vars),
    area,
    centroid: centroid
      ? point(centroid[0], centroid[1])
      : point(ruleSet.region.center[0], ruleSet.region.center[1]),
    thresholds,
  };
  episode.last = warning;
  return warning;
}
