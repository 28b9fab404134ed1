/** Runs events through an engine and keeps what came out: for tests, scenarios and benchmarks. */
import type { NormalizedEvent, Warning } from '@liandong/contracts';
import type { Engine } from '../domain/correlation.engine.ts';
import { parseRuleSet } from '../rules/rule-set.parser.ts';
import type { RuleSet } from '../domain/rule-set.model.ts';

export interface Replay {
  /** Every revision, in the order raised. */
  readonly revisions: Warning[];
  /** The last revision of each warning, by id. */
  readonly last: Map<string, Warning>;
  readonly late: string[];
}

export function replay(engine: Engine, events: Iterable<NormalizedEvent>, into?: Replay): Replay {
  const result = into ?? { revisions: [], last: new Map<string, Warning>(), late: [] };
  for (const event of events) {
    const output = engine.correlate(event);
    if (output.late) result.late.push(event.id);
    for (const warning of output.warnings) {
      result.revisions.push(warning);
      result.last.set(warning.id, warning);
    }
  }
  return result;
}

/** The region, towns and rivers of Nanhai from contracts' reference dataset. */
const REGION = 'geography: nanhai\n';

/** A rule set of the given YAML rules file, with the Nanhai geography beside it. */
export function ruleSetOf(rulesYaml: string): RuleSet {
  return parseRuleSet([
    { name: 'geography.yaml', text: REGION },
    { name: 'rules.yaml', text: rulesYaml },
  ]);
}

/**
 * A rule item (under `rules:`) on which a single fire report is a blue warning, yellow at two: a
 * rule the default set does not have, for tests of adding, changing and removing rules.
 */
export function fireRuleYaml(id = 'fire', version = 1): string {
  return `
  - id: ${id}
    version: ${version}
    family: cooccurrence
    category: accident
    match: [{ types: [police.fire] }]
    minEvents: 1
    minDepartments: 1
    radiusM: 300
    windowMinutes: 60
    level: { base: blue, raise: [{ to: yellow, when: [{ metric: events, min: 2 }] }] }
    routeTo: [emergency]
    title: { zh: '{place}：火情', en: '{place}: fire' }
    summary: { zh: '{events}条火情报告', en: '{events} fire reports' }
`;
}
