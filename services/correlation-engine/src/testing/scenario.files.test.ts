/**
 * The scenario files under test/scenarios (the simulator's feeds as the ingest services normalize
 * them, written by `pnpm generate:scenarios`; tests/scenarios checks they are current): valid
 * events, and the warnings a duty officer would expect from each — and only those.
 */
import { readFile } from 'node:fs/promises';
import { NormalizedEvent, validator, type Level, type Warning } from '@liandong/contracts';
import { describe, expect, it } from 'vitest';
import { runBacktest } from '../cli/backtest.runner.ts';
import { loadRuleSet } from '../rules/rule-set.loader.ts';

const ruleSet = await loadRuleSet();
const checkEvent = validator(NormalizedEvent);
const fileOf = (name: string) => new URL(`../../test/scenarios/${name}.ndjson`, import.meta.url);

async function backtest(name: ScenarioName) {
  const text = await readFile(fileOf(name), 'utf8');
  return runBacktest(text.split('\n'), { ruleSet });
}

type Expected = [ruleId: string, level: Level, status: Warning['status']][];
type ScenarioName =
  'rainstorm' | 'food-poisoning' | 'crowd-gathering' | 'hazmat-river' | 'quiet-day' | 'feed-outage';

const EXPECTED: Record<ScenarioName, Expected> = {
  // The storm drives the Guicheng and Dali rain gauges and the Foshan waterway.
  rainstorm: [
    ['heavy-rainfall', 'orange', 'active'],
    ['heavy-rainfall', 'orange', 'active'],
    ['rainstorm-waterlogging', 'orange', 'active'],
    ['river-over-level', 'yellow', 'active'],
  ],
  // Beside the cluster, the everyday feed's two traffic accidents and an ambulance within 1 km
  // and 21 minutes in Danzao: the safety net's blue, as a duty officer would want it.
  'food-poisoning': [
    ['food-poisoning-cluster', 'yellow', 'active'],
    ['generic-cooccurrence', 'blue', 'active'],
  ],
  // The crowd reports first make a generic warning, which the surge claims and merges when it fires.
  'crowd-gathering': [
    ['crowd-gathering-surge', 'orange', 'active'],
    ['generic-cooccurrence', 'blue', 'cancelled'],
  ],
  'hazmat-river': [
    ['hazardous-goods-accident', 'yellow', 'active'],
    ['hazardous-goods-near-water', 'red', 'active'],
  ],
  'quiet-day': [],
  'feed-outage': [['silence-traffic', 'blue', 'cancelled']],
};

describe('scenario files', () => {
  it.each(Object.keys(EXPECTED) as ScenarioName[])(
    'given %s, then every event is valid and none stands twice',
    async (name) => {
      const events = (await readFile(fileOf(name), 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as unknown);
      expect(events.length).toBeGreaterThan(1000);
      for (const event of events) expect(checkEvent.issues(event)).toEqual([]);
      expect(new Set(events.map((e) => (e as NormalizedEvent).id)).size).toBe(events.length);
    },
  );

  it.each(Object.keys(EXPECTED) as ScenarioName[])(
    'given %s, when back-tested with the default rules, then exactly the expected warnings',
    async (name) => {
      const result = await backtest(name);
      expect(result.badLines).toEqual([]);
      const got = result.warnings.map((w) => [w.ruleId, w.level, w.status]).sort();
      expect(got).toEqual([...EXPECTED[name]].sort());
    },
  );
});

describe('what the duty officer reads', () => {
  it('given the rainstorm, then the cross-department warning names Guicheng, four departments and routes to all of them', async () => {
    const { warnings } = await backtest('rainstorm');
    const flood = warnings.find((w) => w.ruleId === 'rainstorm-waterlogging') as Warning;
    expect(flood.title.zh).toMatch(/^桂城街道：暴雨内涝风险（4个部门、\d+条关联事件）$/);
    expect(flood.title.en).toMatch(
      /^Guicheng: rainstorm waterlogging risk \(4 departments, \d+ related events\)$/,
    );
    expect(flood.departments).toEqual(['police', 'urban', 'water', 'traffic', 'emergency']);
    expect(flood.thresholds).toContainEqual({
      name: 'role.calls',
      value: expect.any(Number) as number,
      threshold: 1,
    });
  });

  it('given the food-poisoning cluster, then the venue is named and the case a clinic reported two and a half hours late is counted as late', async () => {
    const result = await backtest('food-poisoning');
    const warning = result.warnings[0] as Warning;
    expect(warning.summary.zh).toContain('桂城灯湖东路某酒楼');
    expect(warning.departments).toEqual(['market', 'health', 'emergency']);
    expect(result.stats.late).toEqual({ health: 1 });
  });

  it('given the crowd at the factory gate, then the warning goes to the petitions bureau and the governance office', async () => {
    const { warnings: all } = await backtest('crowd-gathering');
    const warnings = all.filter((w) => w.ruleId === 'crowd-gathering-surge');
    const surge = warnings[0]?.id ?? '';
    // The generic warning the crowd reports raised first points to it.
    expect(all.find((w) => w.ruleId === 'generic-cooccurrence')?.summary.en).toContain(`merged into it`);
    expect(all.find((w) => w.ruleId === 'generic-cooccurrence')?.summary.zh).toContain(surge);
    expect(warnings[0]?.departments).toEqual(['police', 'urban', 'emergency', 'petitions', 'governance']);
    expect(warnings[0]?.title.zh).toMatch(/^大沥镇：人员聚集异常增多，群体性事件苗头（\d+条）$/);
  });

  it('given the tanker crash, then the CAP update replaced its alert as evidence and the pollution warning tells how far downstream', async () => {
    const text = await readFile(fileOf('hazmat-river'), 'utf8');
    const events = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as NormalizedEvent);
    const update = events.find((e) => e.msgType === 'Update') as NormalizedEvent;
    const { warnings } = await backtest('hazmat-river');
    const accident = warnings.find((w) => w.ruleId === 'hazardous-goods-accident') as Warning;
    expect(accident.evidence).toContain(update.id);
    expect(accident.evidence).not.toContain(update.references[0]);
    const spill = warnings.find((w) => w.ruleId === 'hazardous-goods-near-water') as Warning;
    expect(spill.summary.zh).toMatch(/下游2\.\d公里处西江水质监测报警/);
  });
});
