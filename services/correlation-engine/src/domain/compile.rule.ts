/**
 * A rule compiled for the hot path: its filters as predicates, the attributes its levels and
 * templates read, the rules it yields to as positions in the evaluation order.
 */
import type { EventFilter, NormalizedEvent, Rule } from '@liandong/contracts';
import {
  ALWAYS,
  NEVER,
  compileAny,
  compileFilter,
  filterMayTake,
  specializeAny,
  type EventPredicate,
} from './event.filter.ts';
import { riverProjector, type RiverProjector } from './wgs84.geometry.ts';
import type { RuleSet } from './rule-set.model.ts';
import { compileTemplate, templateArguments, type CompiledTemplate } from './text.template.ts';

export interface CompiledRule<R extends Rule = Rule> {
  readonly rule: R;
  /** Position in the evaluation order. */
  readonly order: number;
  /** The filters that admit events (match, roles, first, then), as declared. */
  readonly admits: readonly EventFilter[];
  /** Numeric attributes read by `sum.`/`max.` metrics and template placeholders. */
  readonly attributes: readonly string[];
  /** Filters of `evidence` level conditions, tested once per evidence event. */
  readonly evidenceFilters: readonly EventPredicate[];
  readonly roles: readonly EventPredicate[];
  readonly first: EventPredicate | null;
  readonly then: EventPredicate | null;
  /** Projections onto the rivers of a downstream condition, in its order. */
  readonly rivers: readonly RiverProjector[];
  yieldsTo: readonly number[];
  readonly title: CompiledTemplate;
  readonly summary: CompiledTemplate;
}

function admitsOf(rule: Rule): EventFilter[] {
  switch (rule.family) {
    case 'threshold':
    case 'surge':
      return rule.match;
    case 'cooccurrence':
      return [...(rule.match ?? []), ...(rule.roles ?? []).flatMap((r) => r.match)];
    case 'sequence':
      return [...rule.first, ...rule.then];
    case 'silence':
      return [];
  }
}

function attributesOf(rule: Rule): string[] {
  const names = new Set<string>();
  for (const raise of rule.level.raise ?? []) {
    for (const condition of raise.when) {
      const m = condition.metric?.match(/^(sum|max)\.(.+)$/);
      if (m?.[2]) names.add(m[2]);
    }
  }
  for (const filter of rule.family === 'threshold' ? rule.match : []) {
    for (const [name, condition] of Object.entries(filter.attributes ?? {})) {
      if (condition.min !== undefined) names.add(name);
    }
  }
  for (const text of [rule.title.zh, rule.title.en, rule.summary.zh, rule.summary.en]) {
    for (const name of templateArguments(text)) {
      const m = name.match(/^(sum|max)_(.+)$/);
      if (m?.[2]) names.add(m[2]);
    }
  }
  return [...names];
}

export function compileRule(rule: Rule, order: number, ruleSet: RuleSet): CompiledRule {
  const evidenceFilters = (rule.level.raise ?? []).flatMap((r) =>
    r.when.flatMap((c) => (c.evidence ? [compileFilter(c.evidence)] : [])),
  );
  const rivers =
    rule.family === 'sequence' && rule.downstream
      ? rule.downstream.rivers.map((id) => riverProjector(ruleSet.rivers.get(id)?.line ?? []))
      : [];
  return {
    rule,
    order,
    admits: admitsOf(rule),
    attributes: attributesOf(rule),
    evidenceFilters,
    roles:
      rule.family === 'cooccurrence'
        ? (rule.roles ?? []).map((r) => compileAny(r.match) as EventPredicate)
        : [],
    first: rule.family === 'sequence' ? compileAny(rule.first) : null,
    then: rule.family === 'sequence' ? compileAny(rule.then) : null,
    rivers,
    yieldsTo: [],
    title: compileTemplate(rule.title),
    summary: compileTemplate(rule.summary),
  };
}

/**
 * The rule's admission specialised to one event type: what still has to be tested of an event of
 * that type to take it, and to exclude it. `takes` is NEVER when the rule cannot take the type.
 */
export function admissionFor(
  compiled: CompiledRule,
  type: string,
): { takes: EventPredicate; excluded: EventPredicate } {
  const rule = compiled.rule;
  const excluded = rule.exclude ? specializeAny(rule.exclude, type) : NEVER;
  let takes: EventPredicate;
  switch (rule.family) {
    case 'threshold':
    case 'surge':
      takes = specializeAny(rule.match, type);
      break;
    case 'cooccurrence': {
      const match = rule.match ? specializeAny(rule.match, type) : ALWAYS;
      const roles = rule.roles
        ? specializeAny(
            rule.roles.flatMap((r) => r.match),
            type,
          )
        : ALWAYS;
      if (match === NEVER || roles === NEVER) takes = NEVER;
      else if (match === ALWAYS) takes = roles;
      else if (roles === ALWAYS) takes = match;
      else takes = (e) => match(e) && roles(e);
      break;
    }
    case 'sequence':
      takes = specializeAny([...rule.first, ...rule.then], type);
      break;
    case 'silence':
      takes = NEVER;
      break;
  }
  return { takes: excluded === ALWAYS ? NEVER : takes, excluded };
}

/** Whether a rule can take events of a type at all (false: not considered). */
export function mayTakeType(compiled: CompiledRule, type: string): boolean {
  return compiled.admits.some((f) => filterMayTake(f, type));
}

/** The numeric value of an attribute (booleans count 1), 0 when absent. */
export function attributeNumber(event: NormalizedEvent, name: string): number {
  const v = event.attributes[name];
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const n = Number(v);
    return Number.isFinite(n) ? n : 0;
  }
  return 0;
}
