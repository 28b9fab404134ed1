/**
 * Event filters of the rules, compiled once into predicates for the hot path; `whyNot` gives
 * the same decision in words for `explain`.
 */
import {
  SEVERITY_RANK,
  type EventFilter,
  type LocalizedText,
  type Measurement,
  type NormalizedEvent,
} from '@liandong/contracts';

export type EventPredicate = (event: NormalizedEvent) => boolean;

/** The measurement a filter names, or undefined. */
export function findMeasurement(event: NormalizedEvent, name: string): Measurement | undefined {
  const list = event.measurements;
  for (let i = 0; i < list.length; i++) {
    const m = list[i] as Measurement;
    if (m.name === name) return m;
  }
  return undefined;
}

/** The threshold a measurement condition compares with, NaN when the reading lacks it. */
export function boundOf(measurement: Measurement, condition: { reaches?: string; min?: number }): number {
  if (condition.reaches !== undefined) return measurement.thresholds?.[condition.reaches] ?? Number.NaN;
  return condition.min ?? Number.NaN;
}

function typeMatches(types: readonly string[], type: string): boolean {
  for (const t of types) {
    if (t === type) return true;
    if (t.endsWith('.*') && type.startsWith(t.slice(0, -1))) return true;
  }
  return false;
}

/** Accepts every event: lets callers skip the call. */
export const ALWAYS: EventPredicate = () => true;
export const NEVER: EventPredicate = () => false;

export function compileFilter(filter: EventFilter): EventPredicate {
  return compileChecks(filter, true);
}

/**
 * The filter specialised to one event type: NEVER when it cannot take the type, else a predicate
 * of the remaining conditions (ALWAYS when none remain).
 */
export function specializeFilter(filter: EventFilter, type: string): EventPredicate {
  return filterMayTake(filter, type) ? compileChecks(filter, false) : NEVER;
}

/** Any of the filters, specialised to one type. */
export function specializeAny(filters: readonly EventFilter[], type: string): EventPredicate {
  const predicates = filters.map((f) => specializeFilter(f, type)).filter((p) => p !== NEVER);
  if (predicates.length === 0) return NEVER;
  if (predicates.includes(ALWAYS)) return ALWAYS;
  if (predicates.length === 1) return predicates[0] as EventPredicate;
  return (e) => {
    for (const p of predicates) if (p(e)) return true;
    return false;
  };
}

function compileChecks(filter: EventFilter, withType: boolean): EventPredicate {
  const checks: EventPredicate[] = [];
  const { categories, kinds, formats, minSeverity, measurement, attributes, placeKinds } = filter;
  const types = withType ? filter.types : undefined;
  const departments = withType ? filter.departments : undefined;
  if (types) {
    const exact = new Set(types.filter((t) => !t.endsWith('.*')));
    const prefixes = types.filter((t) => t.endsWith('.*')).map((t) => t.slice(0, -1));
    checks.push((e) => exact.has(e.type) || prefixes.some((p) => e.type.startsWith(p)));
  }
  if (departments) {
    const set = new Set<string>(departments);
    checks.push((e) => set.has(e.department));
  }
  if (categories) {
    const set = new Set<string>(categories);
    checks.push((e) => set.has(e.category));
  }
  if (kinds) {
    const set = new Set<string>(kinds);
    checks.push((e) => set.has(e.kind));
  }
  if (formats) {
    const set = new Set<string>(formats);
    checks.push((e) => set.has(e.source.format));
  }
  if (minSeverity) {
    const rank = SEVERITY_RANK[minSeverity];
    checks.push((e) => SEVERITY_RANK[e.severity] >= rank);
  }
  if (measurement) {
    checks.push((e) => {
      const m = findMeasurement(e, measurement.name);
      return m !== undefined && m.value >= boundOf(m, measurement);
    });
  }
  if (attributes) {
    for (const [name, condition] of Object.entries(attributes)) {
      checks.push((e) => attributeHolds(e.attributes[name], condition));
    }
  }
  if (placeKinds) {
    const set = new Set(placeKinds);
    checks.push((e) => e.place?.kind !== undefined && set.has(e.place.kind));
  }
  const n = checks.length;
  if (n === 0) return ALWAYS;
  if (n === 1) return checks[0] as EventPredicate;
  return (e) => {
    for (let i = 0; i < n; i++) if (!(checks[i] as EventPredicate)(e)) return false;
    return true;
  };
}

function attributeHolds(
  value: string | number | boolean | undefined,
  condition: { equals?: string | number | boolean; min?: number },
): boolean {
  if (value === undefined) return false;
  if (condition.equals !== undefined && value !== condition.equals) return false;
  if (condition.min !== undefined && !(typeof value === 'number' && value >= condition.min)) return false;
  return true;
}

/** Any of the filters; null for an absent list. */
export function compileAny(filters: readonly EventFilter[] | undefined): EventPredicate | null {
  if (!filters) return null;
  const predicates = filters.map(compileFilter);
  if (predicates.length === 1) return predicates[0] as EventPredicate;
  return (e) => {
    for (const p of predicates) if (p(e)) return true;
    return false;
  };
}

/** Whether a filter can accept events of a type at all: for indexing rules by type. */
export function filterMayTake(filter: EventFilter, type: string): boolean {
  if (filter.types && !typeMatches(filter.types, type)) return false;
  const department = type.slice(0, type.indexOf('.'));
  if (filter.departments && !(filter.departments as readonly string[]).includes(department)) return false;
  return true;
}

const SEVERITY_ZH: Record<string, string> = {
  Extreme: '特别严重',
  Severe: '严重',
  Moderate: '中等',
  Minor: '轻微',
  Unknown: '未知',
};

/** Why a filter refuses an event, in both languages; null when it accepts it. */
export function whyNot(filter: EventFilter, e: NormalizedEvent): LocalizedText | null {
  if (filter.types && !typeMatches(filter.types, e.type))
    return {
      zh: `类型 ${e.type} 不在 ${filter.types.join('、')} 之列`,
      en: `type ${e.type} is not one of ${filter.types.join(', ')}`,
    };
  if (filter.departments && !(filter.departments as readonly string[]).includes(e.department))
    return {
      zh: `部门 ${e.department} 不符`,
      en: `department ${e.department} is not one of ${filter.departments.join(', ')}`,
    };
  if (filter.categories && !(filter.categories as readonly string[]).includes(e.category))
    return {
      zh: `类别 ${e.category} 不符`,
      en: `category ${e.category} is not one of ${filter.categories.join(', ')}`,
    };
  if (filter.kinds && !(filter.kinds as readonly string[]).includes(e.kind))
    return { zh: `事件性质 ${e.kind} 不符`, en: `kind ${e.kind} is not one of ${filter.kinds.join(', ')}` };
  if (filter.formats && !(filter.formats as readonly string[]).includes(e.source.format))
    return {
      zh: `来源格式 ${e.source.format} 不符`,
      en: `format ${e.source.format} is not one of ${filter.formats.join(', ')}`,
    };
  if (filter.minSeverity && SEVERITY_RANK[e.severity] < SEVERITY_RANK[filter.minSeverity])
    return {
      zh: `严重程度${SEVERITY_ZH[e.severity]}低于${SEVERITY_ZH[filter.minSeverity]}`,
      en: `severity ${e.severity} is below ${filter.minSeverity}`,
    };
  if (filter.measurement) {
    const condition = filter.measurement;
    const m = findMeasurement(e, condition.name);
    if (!m) return { zh: `无 ${condition.name} 测量值`, en: `no ${condition.name} measurement` };
    const bound = boundOf(m, condition);
    if (Number.isNaN(bound))
      return {
        zh: `${condition.name} 测量值未带 ${condition.reaches ?? ''} 阈值`,
        en: `the ${condition.name} reading carries no ${condition.reaches ?? ''} threshold`,
      };
    if (!(m.value >= bound))
      return {
        zh: `${condition.name} ${m.value}${m.unit} 未达到 ${condition.reaches ?? ''}${bound}${m.unit}`,
        en: `${condition.name} ${m.value} ${m.unit} is below ${condition.reaches ?? 'the bound'} ${bound} ${m.unit}`,
      };
  }
  if (filter.attributes) {
    for (const [name, condition] of Object.entries(filter.attributes)) {
      if (!attributeHolds(e.attributes[name], condition))
        return {
          zh: `属性 ${name}=${String(e.attributes[name] ?? '（无）')} 不满足条件`,
          en: `attribute ${name}=${String(e.attributes[name] ?? '(none)')} does not meet ${JSON.stringify(condition)}`,
        };
    }
  }
  if (filter.placeKinds && !(e.place?.kind !== undefined && filter.placeKinds.includes(e.place.kind)))
    return {
      zh: '地点类型不符',
      en: `place kind ${e.place?.kind ?? '(none)'} is not one of ${filter.placeKinds.join(', ')}`,
    };
  return null;
}

/** Why none of the filters accepts the event (the reason of the first), or null. */
export function whyNone(filters: readonly EventFilter[], e: NormalizedEvent): LocalizedText | null {
  let first: LocalizedText | null = null;
  for (const f of filters) {
    const reason = whyNot(f, e);
    if (reason === null) return null;
    first ??= reason;
  }
  return first;
}
