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

const REGION = `
region:
  name: { zh: 南海区, en: Nanhai District }
  center: [113.05, 23.03]
  radiusM: 30000
places:
  - { id: guicheng, name: { zh: 桂城街道, en: Guicheng Subdistrict }, center: [113.155, 23.030] }
  - { id: dali, name: { zh: 大沥镇, en: Dali Town }, center: [113.105, 23.095] }
rivers:
  - id: dongping
    name: { zh: 东平水道, en: Dongping Waterway }
    line: [[112.905, 23.165], [112.960, 23.120], [113.030, 23.080], [113.090, 23.040], [113.130, 23.005]]
`;

/** A rule set of the given YAML rules file, with a small Nanhai geography beside it. */
export function ruleSetOf(rulesYaml: string): RuleSet {
  return parseRuleSet([
    { name: 'geography.yaml', text: REGION },
    { name: 'rules.yaml', text: rulesYaml },
  ]);
}
