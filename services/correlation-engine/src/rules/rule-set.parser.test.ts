import { NANHAI_REGION, NANHAI_RIVERS, NANHAI_TOWNS, RULE_FAMILIES } from '@liandong/contracts';
import { describe, expect, it } from 'vitest';
import { loadRuleSet } from './rule-set.loader.ts';
import { parseRuleSet, RuleSetError, type RuleFileText } from './rule-set.parser.ts';

const REGION: RuleFileText = {
  name: 'rules/geo.yaml',
  text: 'region: { name: { zh: 南海区, en: Nanhai }, center: [113.05, 23.03], radiusM: 30000 }\nrivers:\n  - { id: dongping, name: { zh: 东平水道, en: Dongping }, line: [[113.0, 23.1], [113.1, 23.0]] }\n',
};

const GOOD_RULE = `
  - id: gas-test
    version: 1
    family: cooccurrence
    category: accident
    match: [{ types: [police.gas_leak, urban.gas_smell] }]
    minEvents: 2
    minDepartments: 1
    radiusM: 300
    windowMinutes: 60
    level: { base: yellow, raise: [{ to: orange, when: [{ metric: departments, min: 2 }] }] }
    routeTo: [emergency]
    title: { zh: '{place}：燃气泄漏', en: '{place}: gas leak' }
    summary: { zh: '{events}条报告', en: '{events, plural, one {# report} other {# reports}}' }
`;

function refused(files: RuleFileText[]): RuleSetError {
  try {
    parseRuleSet(files);
  } catch (error) {
    if (error instanceof RuleSetError) return error;
    throw error;
  }
  throw new Error('the rule set was accepted');
}

const withRule = (patch: (text: string) => string): RuleFileText[] => [
  REGION,
  { name: 'rules/gas.yaml', text: `rules:${patch(GOOD_RULE)}` },
];

describe('rule set validation', () => {
  it('given the default Nanhai rule set, when loaded, then it holds at least 15 rules of all five families', async () => {
    const ruleSet = await loadRuleSet();
    expect(ruleSet.rules.length).toBeGreaterThanOrEqual(15);
    expect(new Set(ruleSet.rules.map((r) => r.family))).toEqual(new Set(RULE_FAMILIES));
    expect(ruleSet.places.length).toBe(7);
    expect([...ruleSet.rivers.keys()]).toEqual(NANHAI_RIVERS.map((r) => r.id));
    expect(ruleSet.places.map((p) => p.adminCode)).toEqual(NANHAI_TOWNS.map((t) => t.adminCode));
    expect(ruleSet.region).toEqual(NANHAI_REGION);
  });

  it('given a valid rule, when parsed, then it is kept with its origin', () => {
    const ruleSet = parseRuleSet(withRule((t) => t));
    expect(ruleSet.rules.map((r) => r.id)).toEqual(['gas-test']);
    expect(ruleSet.origins.get('gas-test')).toBe('rules/gas.yaml');
  });

  it.each([
    [
      'a wrong level',
      (t: string) => t.replace('base: yellow', 'base: purple'),
      '/level/base',
      'must be one of',
    ],
    [
      'a missing field',
      (t: string) => t.replace('    radiusM: 300\n', ''),
      '/radiusM',
      'expected required property',
    ],
    [
      'an unknown event type',
      (t: string) => t.replace('urban.gas_smell', 'urban.gas_smel'),
      '/match/0/types/1',
      'unknown event type',
    ],
    [
      'an unknown placeholder',
      (t: string) => t.replace("'{place}: gas leak'", "'{town}: gas leak'"),
      '/title/en',
      '{town}',
    ],
    [
      'a broken ICU message',
      (t: string) => t.replace("'{place}：燃气泄漏'", "'{place：燃气泄漏'"),
      '/title/zh',
      'not a valid ICU message',
    ],
    [
      'a raise that does not raise',
      (t: string) => t.replace('to: orange', 'to: blue'),
      '/level/raise/0/to',
      'does not raise',
    ],
    [
      'an unknown family',
      (t: string) => t.replace('family: cooccurrence', 'family: nearby'),
      '/family',
      'must be one of',
    ],
    [
      'an unknown routing unit',
      (t: string) => t.replace('routeTo: [emergency]', 'routeTo: [fire-brigade]'),
      '/routeTo/0',
      '',
    ],
  ])(
    'given %s, when parsed, then the set is refused naming the file, rule and field',
    (_, patch, field, text) => {
      const error = refused(withRule(patch));
      const issue = error.issues.find((i) => i.field === field);
      expect(issue, error.message).toBeDefined();
      expect(issue?.file).toBe('rules/gas.yaml');
      expect(issue?.rule).toBe('gas-test');
      expect(issue?.message).toContain(text);
      expect(error.message).toContain(`rules/gas.yaml: rule "gas-test" field ${field}`);
    },
  );

  it('given two rules with one id, when parsed, then the second is refused', () => {
    const error = refused([
      REGION,
      { name: 'rules/a.yaml', text: `rules:${GOOD_RULE}` },
      { name: 'rules/b.yaml', text: `rules:${GOOD_RULE}` },
    ]);
    expect(error.issues).toContainEqual(
      expect.objectContaining({ file: 'rules/b.yaml', rule: 'gas-test', field: '/id' }),
    );
  });

  it('given a yield to an unknown rule and a downstream unknown river, when parsed, then both are named', () => {
    const sequence = `
  - id: spill
    version: 2
    family: sequence
    category: accident
    yieldsTo: [nothing-like-it]
    first: [{ types: [traffic.hazardous_goods_accident] }]
    then: [{ types: [water.water_quality] }]
    withinMinutes: 60
    downstream: { rivers: [dongping, pearl], maxOffsetM: 500, maxDistanceM: 5000 }
    level: { base: orange }
    routeTo: [water]
    title: { zh: '{river}', en: '{river}' }
    summary: { zh: '{minutes}', en: '{minutes}' }
`;
    const error = refused([REGION, { name: 'rules/spill.yaml', text: `rules:${sequence}` }]);
    expect(error.issues.map((i) => i.field).sort()).toEqual(['/downstream/rivers/1', '/yieldsTo/0']);
  });

  it('given an invalid rule that another yields to, when parsed, then only the invalid rule is named', () => {
    const broken = GOOD_RULE.replace('radiusM: 300', 'radiusM: near').replace('gas-test', 'gas-a');
    const yielding = GOOD_RULE.replace('family: cooccurrence', 'family: cooccurrence\n    yieldsTo: [gas-a]');
    const error = refused([REGION, { name: 'rules/x.yaml', text: `rules:${broken}${yielding}` }]);
    expect(error.issues.map((i) => [i.rule, i.field])).toEqual([['gas-a', '/radiusM']]);
  });

  it('given rules that yield to each other, when parsed, then the cycle is refused', () => {
    const a = GOOD_RULE.replace(
      'family: cooccurrence',
      'family: cooccurrence\n    yieldsTo: [gas-b]',
    ).replace('gas-test', 'gas-a');
    const b = GOOD_RULE.replace(
      'family: cooccurrence',
      'family: cooccurrence\n    yieldsTo: [gas-a]',
    ).replace('gas-test', 'gas-b');
    const error = refused([REGION, { name: 'rules/x.yaml', text: `rules:${a}${b}` }]);
    expect(error.message).toContain('cycle');
  });

  it('given a file that is not YAML, when parsed, then the file is named with the parse error', () => {
    const error = refused([REGION, { name: 'rules/broken.yaml', text: 'rules: [ {id: x' }]);
    expect(error.issues[0]).toMatchObject({ file: 'rules/broken.yaml', field: '' });
    expect(error.issues[0]?.message).toContain('cannot be parsed');
  });

  it('given a file naming the Nanhai geography, when parsed, then its region, towns and rivers are the reference dataset', () => {
    const ruleSet = parseRuleSet([
      { name: 'rules/00-site.yaml', text: 'geography: nanhai\n' },
      { name: 'rules/gas.yaml', text: `rules:${GOOD_RULE}` },
    ]);
    expect(ruleSet.region).toEqual(NANHAI_REGION);
    expect(ruleSet.places.map((p) => [p.id, p.center])).toEqual(
      NANHAI_TOWNS.map((t) => [t.code, [t.center.lon, t.center.lat]]),
    );
    expect([...ruleSet.rivers.values()]).toEqual(NANHAI_RIVERS);
  });

  it('given a geography that is not known, or one with a region or a river of its own beside it, when parsed, then each clash is named', () => {
    expect(
      refused([{ name: 'rules/00-site.yaml', text: 'geography: shunde\n' }]).issues.map((i) => [
        i.file,
        i.field,
      ]),
    ).toContainEqual(['rules/00-site.yaml', '/geography']);
    const clash = refused([
      {
        name: 'rules/00-site.yaml',
        text: `geography: nanhai\n${REGION.text}`,
      },
    ]);
    expect(clash.issues).toEqual([
      {
        file: 'rules/00-site.yaml',
        field: '/region',
        message: 'the region is already given by geography "nanhai"',
      },
      {
        file: 'rules/00-site.yaml',
        field: '/rivers/0/id',
        message: 'river "dongping" is already defined in rules/00-site.yaml (geography "nanhai")',
      },
    ]);
  });

  it('given no region anywhere, when parsed, then the set is refused', () => {
    const error = refused([{ name: 'rules/gas.yaml', text: `rules:${GOOD_RULE}` }]);
    expect(error.issues.map((i) => i.field)).toContain('/region');
  });

  it('given a JSON rule file, when parsed, then it is read like YAML', () => {
    const json = JSON.stringify({
      rules: [
        {
          id: 'json-rule',
          version: 1,
          family: 'silence',
          category: 'social_security',
          department: 'police',
          silentMinutes: 30,
          level: { base: 'blue' },
          routeTo: ['emergency'],
          title: { zh: '{department}', en: '{department}' },
          summary: { zh: '{since}', en: '{since}' },
        },
      ],
    });
    expect(parseRuleSet([REGION, { name: 'rules/x.json', text: json }]).rules[0]?.id).toBe('json-rule');
  });

  it('given a folder that does not exist, when loaded, then the folder is named', async () => {
    await expect(loadRuleSet('/nonexistent/rules')).rejects.toThrow('/nonexistent/rules');
  });
});
