/**
 * Validates rule files and assembles a rule set. Pure: takes file names and texts. A rule set
 * with any problem is refused whole, with every problem named by file, rule and field.
 */
import {
  DEPARTMENT_CODES,
  LEVELS,
  RULE_FAMILIES,
  REFERENCE_GEOGRAPHIES,
  RULE_SCHEMAS,
  RuleFile,
  isKnownEventType,
  levelRank,
  validator,
  type EventFilter,
  type NamedPlace,
  type Region,
  type River,
  type Rule,
  type RuleFamily,
} from '@liandong/contracts';
import { parse as parseYaml } from 'yaml';
import { evaluationOrder } from '../domain/correlation.engine.ts';
import type { RuleSet } from '../domain/rule-set.model.ts';
import { unknownPlaceholders } from '../domain/text.template.ts';

export interface RuleFileText {
  /** Shown in messages, e.g. rules/flood.yaml. */
  readonly name: string;
  readonly text: string;
}

export interface RuleSetIssue {
  readonly file: string;
  /** The rule's id, or `#<index>` when it has none. */
  readonly rule?: string;
  /** JSON Pointer of the field inside the rule (or the file). */
  readonly field: string;
  readonly message: string;
}

export class RuleSetError extends Error {
  readonly code = 'rule_set_invalid';
  readonly retriable = false;

  constructor(readonly issues: readonly RuleSetIssue[]) {
    super(
      `the rule set is refused (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((i) => `  - ${describeIssue(i)}`).join('\n'),
    );
    this.name = 'RuleSetError';
  }
}

export function describeIssue(issue: RuleSetIssue): string {
  const rule = issue.rule !== undefined ? ` rule "${issue.rule}"` : '';
  const field = issue.field === '' ? '' : ` field ${issue.field}`;
  return `${issue.file}:${rule}${field}: ${issue.message}`;
}

function parseText(file: RuleFileText): unknown {
  if (file.name.endsWith('.json')) return JSON.parse(file.text) as unknown;
  return parseYaml(file.text, { prettyErrors: true }) as unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

interface Located<T> {
  readonly value: T;
  readonly file: string;
  readonly index: number;
}

function filtersOf(rule: Rule): { pointer: string; filter: EventFilter }[] {
  const out: { pointer: string; filter: EventFilter }[] = [];
  const add = (base: string, list: readonly EventFilter[] | undefined) =>
    list?.forEach((filter, i) => out.push({ pointer: `${base}/${i}`, filter }));
  add('/exclude', rule.exclude);
  switch (rule.family) {
    case 'threshold':
    case 'surge':
      add('/match', rule.match);
      break;
    case 'cooccurrence':
      add('/match', rule.match);
      rule.roles?.forEach((role, i) => add(`/roles/${i}/match`, role.match));
      break;
    case 'sequence':
      add('/first', rule.first);
      add('/then', rule.then);
      break;
    case 'silence':
      break;
  }
  rule.level.raise?.forEach((raise, i) =>
    raise.when.forEach((c, j) => {
      if (c.evidence) out.push({ pointer: `/level/raise/${i}/when/${j}/evidence`, filter: c.evidence });
    }),
  );
  return out;
}

function checkRule(rule: Rule, rivers: ReadonlyMap<string, River>): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  for (const { pointer, filter } of filtersOf(rule)) {
    filter.types?.forEach((type, i) => {
      const [dept, key] = type.split('.');
      const known =
        key === '*' ? (DEPARTMENT_CODES as readonly string[]).includes(dept ?? '') : isKnownEventType(type);
      if (!known)
        problems.push({
          field: `${pointer}/types/${i}`,
          message: `unknown event type "${type}" (not in any department vocabulary)`,
        });
    });
    const m = filter.measurement;
    if (m && (m.reaches === undefined) === (m.min === undefined))
      problems.push({
        field: `${pointer}/measurement`,
        message: 'give exactly one of "reaches" (a threshold name) or "min"',
      });
  }
  for (const [lang, text] of [
    ['zh', rule.title.zh],
    ['en', rule.title.en],
  ] as const) {
    checkTemplate(rule.family, text, `/title/${lang}`, problems);
  }
  for (const [lang, text] of [
    ['zh', rule.summary.zh],
    ['en', rule.summary.en],
  ] as const) {
    checkTemplate(rule.family, text, `/summary/${lang}`, problems);
  }
  rule.level.raise?.forEach((raise, i) => {
    if (levelRank(raise.to) <= levelRank(rule.level.base))
      problems.push({
        field: `/level/raise/${i}/to`,
        message: `"${raise.to}" does not raise the base level "${rule.level.base}" (levels: ${LEVELS.join(' < ')})`,
      });
    raise.when.forEach((c, j) => {
      if ((c.metric === undefined) === (c.evidence === undefined))
        problems.push({
          field: `/level/raise/${i}/when/${j}`,
          message: 'give exactly one of "metric" or "evidence"',
        });
      else if (c.metric !== undefined && c.min === undefined)
        problems.push({
          field: `/level/raise/${i}/when/${j}/min`,
          message: 'a metric condition needs "min"',
        });
    });
  });
  if (rule.family === 'cooccurrence' && !rule.match && !rule.roles)
    problems.push({ field: '/match', message: 'a co-occurrence rule needs "match" or "roles"' });
  if (rule.family === 'sequence')
    rule.downstream?.rivers.forEach((id, i) => {
      if (!rivers.has(id))
        problems.push({
          field: `/downstream/rivers/${i}`,
          message: `unknown river "${id}" (rivers: ${[...rivers.keys()].join(', ') || 'none'})`,
        });
    });
  if (rule.family === 'silence' && rule.activeHours && rule.activeHours.to <= rule.activeHours.from)
    problems.push({ field: '/activeHours', message: '"to" must come after "from"' });
  return problems;
}

function checkTemplate(
  family: RuleFamily,
  text: string,
  field: string,
  problems: { field: string; message: string }[],
): void {
  try {
    const unknown = unknownPlaceholders(family, text);
    if (unknown.length > 0)
      problems.push({
        field,
        message: `unknown placeholder${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `{${u}}`).join(', ')} for a ${family} rule`,
      });
  } catch (error) {
    problems.push({ field, message: `not a valid ICU message: ${(error as Error).message}` });
  }
}

/** Validates and assembles rule files; throws RuleSetError naming every problem. */
export function parseRuleSet(files: readonly RuleFileText[]): RuleSet {
  const issues: RuleSetIssue[] = [];
  const rules: Located<Rule>[] = [];
  const rivers = new Map<string, Located<River>>();
  const places: NamedPlace[] = [];
  let region: Located<Region> | null = null;
  const refusedIds = new Set<string>();

  for (const file of files) {
    let doc: unknown;
    try {
      doc = parseText(file);
    } catch (error) {
      issues.push({ file: file.name, field: '', message: `cannot be parsed: ${(error as Error).message}` });
      continue;
    }
    if (!isObject(doc)) {
      issues.push({
        file: file.name,
        field: '',
        message: 'must be a mapping with "rules", "geography", "rivers", "places" or "region"',
      });
      continue;
    }
    const { rules: fileRules, ...frame } = doc;
    const frameCheck = validator(RuleFile);
    for (const issue of frameCheck.issues(frame))
      issues.push({ file: file.name, field: issue.pointer, message: issue.message });
    if (fileRules !== undefined && !Array.isArray(fileRules)) {
      issues.push({ file: file.name, field: '/rules', message: 'must be a list of rules' });
    }
    (Array.isArray(fileRules) ? (fileRules as unknown[]) : []).forEach((value, index) => {
      const name = isObject(value) && typeof value['id'] === 'string' ? value['id'] : `#${index}`;
      const family = isObject(value) ? value['family'] : undefined;
      if (typeof family !== 'string' || !(RULE_FAMILIES as readonly string[]).includes(family)) {
        issues.push({
          file: file.name,
          rule: name,
          field: '/family',
          message: `must be one of ${RULE_FAMILIES.map((f) => `"${f}"`).join(', ')}`,
        });
        return;
      }
      const check = validator(RULE_SCHEMAS[family as RuleFamily]);
      const found = check.issues(value);
      for (const issue of found)
        issues.push({ file: file.name, rule: name, field: issue.pointer, message: issue.message });
      if (found.length === 0) rules.push({ value: value as Rule, file: file.name, index });
      else refusedIds.add(name);
    });
    if (frameCheck.check(frame)) {
      const { geography, ...written } = frame as Omit<RuleFile, 'rules'>;
      // A named reference geography counts as if its region, places and rivers stood in this file.
      // The schema has checked the name against the reference geographies.
      const named =
        geography === undefined
          ? undefined
          : REFERENCE_GEOGRAPHIES[geography as keyof typeof REFERENCE_GEOGRAPHIES];
      if (named && written.region !== undefined)
        issues.push({
          file: file.name,
          field: '/region',
          message: `the region is already given by geography "${geography}"`,
        });
      const data = {
        region: named?.region ?? written.region,
        places: [...(named?.places ?? []), ...(written.places ?? [])],
      };
      const origin = `${file.name} (geography "${geography}")`;
      const located = [
        ...(named?.rivers ?? []).map((river) => ({ river, field: '/geography', origin })),
        ...(written.rivers ?? []).map((river, index) => ({
          river,
          field: `/rivers/${index}/id`,
          origin: file.name,
        })),
      ];
      located.forEach(({ river, field, origin }, index) => {
        const earlier = rivers.get(river.id);
        if (earlier)
          issues.push({
            file: file.name,
            field,
            message: `river "${river.id}" is already defined in ${earlier.file}`,
          });
        else rivers.set(river.id, { value: river, file: origin, index });
      });
      places.push(...data.places);
      if (data.region) {
        if (region)
          issues.push({
            file: file.name,
            field: '/region',
            message: `the region is already defined in ${region.file}`,
          });
        else region = { value: data.region, file: file.name, index: 0 };
      }
    }
  }

  const riverMap = new Map([...rivers].map(([id, r]) => [id, r.value]));
  const seen = new Map<string, string>();
  for (const { value: rule, file } of rules) {
    const earlier = seen.get(rule.id);
    if (earlier !== undefined)
      issues.push({
        file,
        rule: rule.id,
        field: '/id',
        message: `the id is already used by a rule in ${earlier}`,
      });
    seen.set(rule.id, file);
    for (const problem of checkRule(rule, riverMap)) issues.push({ file, rule: rule.id, ...problem });
  }
  for (const { value: rule, file } of rules) {
    rule.yieldsTo?.forEach((id, i) => {
      // A rule refused above is named there; yielding to it is no second problem.
      if (!seen.has(id) && !refusedIds.has(id))
        issues.push({ file, rule: rule.id, field: `/yieldsTo/${i}`, message: `no rule has the id "${id}"` });
      if (id === rule.id)
        issues.push({
          file,
          rule: rule.id,
          field: `/yieldsTo/${i}`,
          message: 'a rule cannot yield to itself',
        });
    });
  }
  if (issues.length === 0) {
    try {
      evaluationOrder(rules.map((r) => r.value));
    } catch (error) {
      issues.push({
        file: rules[0]?.file ?? '(rule set)',
        field: '/yieldsTo',
        message: (error as Error).message,
      });
    }
  }
  if (!region && files.length > 0)
    issues.push({
      file: files[0]?.name ?? '(rule set)',
      field: '/region',
      message: 'no file of the rule set defines the region (name, center, radiusM)',
    });
  if (issues.length > 0) throw new RuleSetError(issues);

  return {
    rules: rules.map((r) => r.value),
    rivers: riverMap,
    places,
    region: region?.value ?? {
      name: { zh: '辖区', en: 'the district' },
      center: [0, 0],
      radiusM: 1,
    },
    origins: new Map(rules.map((r) => [r.value.id, r.file])),
  };
}
