import type { NormalizedEvent, Warning } from '@liandong/contracts';
import { describe, expect, it } from 'vitest';
import { at, gaugeReading, near } from '../testing/event.fixture.ts';
import { replay, ruleSetOf } from '../testing/replay.helper.ts';
import { createEngine } from './correlation.engine.ts';
import { cellOf } from './wgs84.geometry.ts';

const TEXT = `
    title: { zh: '{place}', en: '{place}' }
    summary: { zh: '{events}', en: '{events}' }`;

function warningsOf(rules: string, events: NormalizedEvent[], lateness = 60): Warning[] {
  return [
    ...replay(createEngine(ruleSetOf(rules), { allowedLatenessMinutes: lateness }), events).last.values(),
  ];
}

describe('threshold family', () => {
  const RULE = `
rules:
  - id: rain
    version: 1
    family: threshold
    category: natural_disaster
    match: [{ types: [water.rainfall], measurement: { name: rainfall_1h, reaches: blue } }]
    quietMinutes: 60
    level: { base: blue, raise: [{ to: yellow, when: [{ evidence: { measurement: { name: rainfall_1h, reaches: yellow } } }] }] }
    routeTo: [water]${TEXT}`;

  it('given readings over the bound at two stations, when correlated, then one warning per station', () => {
    const other = { place: { id: 'ST-2', name: '另一站', kind: 'station' } };
    const warnings = warningsOf(RULE, [
      gaugeReading(0, 'water.rainfall', 35),
      gaugeReading(10, 'water.rainfall', 40, other),
    ]);
    expect(warnings).toHaveLength(2);
  });

  it('given readings over the bound with a quiet gap longer than quietMinutes, when correlated, then a new warning', () => {
    const warnings = warningsOf(RULE, [
      gaugeReading(0, 'water.rainfall', 35),
      gaugeReading(30, 'water.rainfall', 55),
      gaugeReading(100, 'water.rainfall', 31),
    ]);
    expect(warnings.map((w) => [w.evidence.length, w.level])).toEqual([
      [2, 'yellow'],
      [1, 'blue'],
    ]);
  });

  it('given readings under the bound, when correlated, then nothing', () => {
    expect(
      warningsOf(RULE, [gaugeReading(0, 'water.rainfall', 29.9), gaugeReading(10, 'water.rainfall', 12)]),
    ).toEqual([]);
  });
});

describe('co-occurrence family', () => {
  const RULE = `
rules:
  - id: flood
    version: 1
    family: cooccurrence
    category: natural_disaster
    roles:
      - { id: gauge, min: 1, match: [{ types: [water.waterlogging_depth], measurement: { name: water_depth, reaches: yellow } }] }
      - { id: impact, min: 1, match: [{ types: [traffic.flooded_road] }] }
      - { id: calls, min: 1, match: [{ types: [police.flooding] }] }
    minEvents: 3
    minDepartments: 3
    radiusM: 2000
    windowMinutes: 60
    level: { base: yellow }
    routeTo: [emergency]${TEXT}
  - id: anything
    version: 1
    family: cooccurrence
    category: accident
    match: [{ minSeverity: Moderate }]
    yieldsTo: [flood]
    minEvents: 3
    minDepartments: 2
    radiusM: 1000
    windowMinutes: 30
    level: { base: blue }
    routeTo: [emergency]${TEXT}`;

  it('given a gauge, a flooded road and a 110 call nearby, when correlated, then the specific rule raises and the generic yields', () => {
    const warnings = warningsOf(RULE, [
      gaugeReading(0, 'water.waterlogging_depth', 0.3, near(500)),
      at(5, 'traffic.flooded_road', near(-300)),
      at(9, 'police.flooding', near(0, 400)),
      at(12, 'police.flooding', near(0, 300)),
    ]);
    expect(warnings.map((w) => [w.ruleId, w.evidence.length])).toEqual([['flood', 4]]);
    expect(warnings[0]?.thresholds).toContainEqual({ name: 'role.gauge', value: 1, threshold: 1 });
  });

  it('given a missing role, when correlated, then the specific rule waits and the generic one raises', () => {
    const warnings = warningsOf(RULE, [
      gaugeReading(0, 'water.waterlogging_depth', 0.1, near(500)),
      at(5, 'traffic.flooded_road', near(-300)),
      at(9, 'police.flooding', near(0, 400)),
      at(12, 'police.flooding', near(0, 300)),
    ]);
    expect(warnings.map((w) => w.ruleId)).toEqual(['anything']);
  });

  it('given events about one venue far apart, when the rule links by venue, then they cluster; without it they do not', () => {
    const venue = { id: 'JY-1', name: '某酒家', kind: 'venue' };
    const rule = (link: boolean) => `
rules:
  - id: food
    version: 1
    family: cooccurrence
    category: public_health
    match: [{ types: [health.food_poisoning, market.food_complaint] }]
    linkByVenue: ${link}
    minEvents: 3
    minDepartments: 2
    radiusM: 500
    windowMinutes: 600
    level: { base: yellow }
    routeTo: [health]${TEXT}`;
    const events = () => [
      at(0, 'health.food_poisoning', { ...near(3000), place: venue }),
      at(60, 'health.food_poisoning', { ...near(-3000), place: venue }),
      at(90, 'market.food_complaint', { ...near(0, 3000), place: venue }),
    ];
    expect(warningsOf(rule(true), events())).toHaveLength(1);
    expect(warningsOf(rule(false), events())).toHaveLength(0);
  });
});

describe('threshold family grouped by cell', () => {
  const RULE = `
rules:
  - id: crash
    version: 1
    family: threshold
    category: accident
    match: [{ types: [traffic.accident, police.traffic_accident] }]
    groupBy: cell
    cellResolution: 8
    quietMinutes: 60
    level: { base: yellow }
    routeTo: [traffic]${TEXT}`;

  it('given one crash reported from either side of a cell edge, when correlated, then one warning', () => {
    // Walk east from Guicheng until the H3 cell changes: two points 10 m apart, in two cells.
    let east = 0;
    const cell = (m: number) => {
      const p = near(m);
      return cellOf(p.lon, p.lat, 8);
    };
    while (cell(east + 10) === cell(east)) east += 10;
    const warnings = warningsOf(RULE, [
      at(0, 'traffic.accident', near(east)),
      at(2, 'police.traffic_accident', near(east + 10)),
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.evidence).toHaveLength(2);
    // Far apart, they stay two incidents.
    expect(
      warningsOf(RULE, [at(0, 'traffic.accident', near(0)), at(2, 'police.traffic_accident', near(5000))]),
    ).toHaveLength(2);
  });
});

describe('surge family', () => {
  const RULE = `
rules:
  - id: crowd
    version: 1
    family: surge
    category: social_security
    match: [{ types: [police.crowd_gathering] }]
    areaResolution: 7
    windowMinutes: 60
    baselineDays: 3
    minCount: 4
    factor: 3
    minBaseline: 1
    level: { base: yellow }
    routeTo: [police, petitions, governance]${TEXT}`;
  const burst = (startMinutes: number, n: number) =>
    Array.from({ length: n }, (_, i) => at(startMinutes + i * 5, 'police.crowd_gathering', near(i * 20)));

  it('given no history, when calls pile up in an hour, then a surge at the minimum count', () => {
    const warnings = warningsOf(RULE, burst(0, 5));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.thresholds).toContainEqual({ name: 'count', value: 5, threshold: 4 });
    expect(warnings[0]?.departments).toEqual(['police', 'petitions', 'governance']);
  });

  it('given a crowd next to an open surge and a few calls further off, when correlated, then one warning and no over-counted second', () => {
    const spreading = [
      ...burst(0, 5),
      ...[25, 30, 35].map((m, i) => at(m, 'police.crowd_gathering', near(1500 + i * 30))),
      ...[40, 45, 50].map((m, i) => at(m, 'police.crowd_gathering', near(3000 + i * 30))),
    ];
    const warnings = warningsOf(RULE, spreading);
    // The calls 1.5 km off join the open surge; the three 3 km off are too few for a crowd of their
    // own, and the first crowd's calls do not count towards one.
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.evidence).toHaveLength(8);
    expect(warnings[0]?.thresholds.find((t) => t.name === 'count')?.value).toBe(8);
  });

  it('given a place that is always this busy at this hour, when the same calls come, then no surge', () => {
    const day = 24 * 60;
    // Three evenings of 6 calls at the same hour: the baseline is 6, the surge needs 18.
    const history = [...burst(-3 * day, 6), ...burst(-2 * day, 6), ...burst(-day, 6)];
    const lax = warningsOf(RULE.replace('minCount: 4', 'minCount: 30'), history, 60 * 24 * 4);
    expect(lax).toEqual([]);
    const warnings = warningsOf(RULE, [...history, ...burst(0, 6)], 60 * 24 * 4);
    const today = warnings.filter(
      (w) => Date.parse(w.firstEvidenceAt) >= Date.parse(history[history.length - 1]?.occurredAt ?? ''),
    );
    expect(today).toEqual([]);
    // …while three times the usual does make one.
    const busier = [...burst(0, 12), ...burst(1, 6)].sort(
      (a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt),
    );
    const surge = warningsOf(RULE, [...history, ...busier], 60 * 24 * 4);
    expect(
      surge.filter((w) => w.firstEvidenceAt >= (history[history.length - 1]?.occurredAt ?? '')),
    ).toHaveLength(1);
  });
});

describe('sequence family', () => {
  const RULE = `
rules:
  - id: spill
    version: 1
    family: sequence
    category: accident
    first: [{ types: [traffic.hazardous_goods_accident] }]
    then: [{ types: [water.water_quality], measurement: { name: quality_index, reaches: alarm } }]
    withinMinutes: 120
    downstream: { rivers: [dongping], maxOffsetM: 1000, maxDistanceM: 15000 }
    level: { base: orange }
    routeTo: [water]${TEXT}`;
  const bridge = { lon: 113.0312, lat: 23.0823 };
  const downstream = { lon: 113.092, lat: 23.039, place: { id: 'WQ', name: '断面', kind: 'station' } };
  const upstream = { lon: 112.96, lat: 23.12, place: { id: 'WQ0', name: '上游断面', kind: 'station' } };

  it('given an accident then an alarm downstream within the time, when correlated, then a warning', () => {
    const warnings = warningsOf(RULE, [
      at(0, 'traffic.hazardous_goods_accident', bridge),
      gaugeReading(80, 'water.water_quality', 75, downstream),
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.thresholds.find((t) => t.name === 'downstream')?.value).toBeGreaterThan(7000);
  });

  it('given the alarm upstream, too late, or before the accident, when correlated, then nothing', () => {
    expect(
      warningsOf(RULE, [
        at(0, 'traffic.hazardous_goods_accident', bridge),
        gaugeReading(80, 'water.water_quality', 75, upstream),
      ]),
    ).toEqual([]);
    expect(
      warningsOf(RULE, [
        at(0, 'traffic.hazardous_goods_accident', bridge),
        gaugeReading(130, 'water.water_quality', 75, downstream),
      ]),
    ).toEqual([]);
    expect(
      warningsOf(RULE, [
        gaugeReading(0, 'water.water_quality', 75, downstream),
        at(10, 'traffic.hazardous_goods_accident', bridge),
      ]),
    ).toEqual([]);
  });

  it('given the accident report arriving after the alarm though it happened before, when correlated, then the pair still forms', () => {
    const accident = at(0, 'traffic.hazardous_goods_accident', bridge);
    const alarm = gaugeReading(30, 'water.water_quality', 75, downstream);
    expect(warningsOf(RULE, [alarm, accident])).toHaveLength(1);
  });

  it("given two open warnings and a report that pairs with the evidence of both, when correlated, then it joins the older and neither warning takes the other one's evidence", () => {
    // Guards 278c0c5: sequence joins only unclaimed evidence (a report in two warnings before).
    const rule = `
rules:
  - id: leak-then-smell
    version: 1
    family: sequence
    category: accident
    first: [{ types: [police.gas_leak] }]
    then: [{ types: [urban.gas_smell] }]
    withinMinutes: 120
    radiusM: 300
    level: { base: yellow }
    routeTo: [emergency]${TEXT}`;
    const a1 = at(0, 'police.gas_leak', near(0));
    const b1 = at(10, 'urban.gas_smell', near(-100)); // 600 m from a2: pairs with a1 only
    const a2 = at(20, 'police.gas_leak', near(500));
    const b2 = at(30, 'urban.gas_smell', near(600)); // 600 m from a1: pairs with a2 only
    const b3 = at(40, 'urban.gas_smell', near(250)); // 250 m from a1 and from a2
    const { last } = replay(createEngine(ruleSetOf(rule)), [a1, b1, a2, b2, b3]);
    const evidence = [...last.values()].map((w) => [...w.evidence].sort());
    expect(evidence).toEqual([[a1.id, b1.id, b3.id].sort(), [a2.id, b2.id].sort()]);
    const all = evidence.flat();
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('silence family', () => {
  const RULE = `
rules:
  - id: quiet-market
    version: 1
    family: silence
    category: social_security
    department: market
    silentMinutes: 60
    activeHours: { from: 8, to: 22 }
    level: { base: blue, raise: [{ to: yellow, when: [{ metric: minutes, min: 120 }] }] }
    routeTo: [emergency]
    title: { zh: '{department}数据中断', en: '{department} feed silent' }
    summary: { zh: '自{since}起{minutes}分钟', en: 'since {since}, {minutes} min' }`;

  it('given a feed that stops in its active hours, when time passes on the injected clock, then silence, then it rises, then the feed resumes', () => {
    const engine = createEngine(ruleSetOf(RULE), { allowedLatenessMinutes: 0 });
    const last = at(0, 'market.complaint'); // 10:00 local
    engine.correlate(last);
    expect(engine.advanceTo(Date.parse(last.occurredAt) + 59 * 60_000)).toEqual([]);
    const raised = engine.advanceTo(Date.parse(last.occurredAt) + 61 * 60_000);
    expect(raised.map((w) => [w.ruleId, w.level, w.status, w.evidence])).toEqual([
      ['quiet-market', 'blue', 'active', [last.id]],
    ]);
    expect(raised[0]?.departments).toEqual(['market', 'emergency']);
    const risen = engine.advanceTo(Date.parse(last.occurredAt) + 125 * 60_000);
    expect(risen.map((w) => [w.revision, w.level])).toEqual([[2, 'yellow']]);
    const back = at(130, 'market.complaint');
    const resumed = engine.correlate(back).warnings;
    expect(resumed.map((w) => [w.revision, w.status, w.evidence])).toEqual([
      [3, 'cancelled', [last.id, back.id]],
    ]);
    expect(resumed[0]?.summary.zh).toContain('恢复');
  });

  it('given a long silence rule on another feed, when a feed resumes and falls silent again, then the new silence is raised on time (not when the other feed is next due)', () => {
    // The engine caches the earliest moment a silence can be due; while the police silence was
    // open, only the water rule (4 hours) counted. That cache must not delay the next police one
    // (it did: the kill test saw a restored correlator, which recomputes it, raise it 90 minutes
    // before one never restarted).
    const rules = `
rules:
  - id: quiet-police
    version: 1
    family: silence
    category: social_security
    department: police
    silentMinutes: 30
    level: { base: blue }
    routeTo: [emergency]
    title: { zh: '{department}', en: '{department}' }
    summary: { zh: '{minutes}', en: '{minutes}' }
  - id: quiet-water
    version: 1
    family: silence
    category: social_security
    department: water
    silentMinutes: 240
    level: { base: blue }
    routeTo: [emergency]
    title: { zh: '{department}', en: '{department}' }
    summary: { zh: '{minutes}', en: '{minutes}' }`;
    const engine = createEngine(ruleSetOf(rules), { allowedLatenessMinutes: 0 });
    const minute = (m: number) => Date.parse(at(0, 'police.alarm').occurredAt) + m * 60_000;
    engine.correlate(at(0, 'police.alarm'));
    engine.correlate(at(0, 'water.rainfall'));
    expect(engine.advanceTo(minute(31)).map((w) => [w.ruleId, w.status])).toEqual([
      ['quiet-police', 'active'],
    ]);
    engine.advanceTo(minute(35)); // a clock tick while the police silence is open
    const resumed = engine.correlate(at(40, 'police.alarm')).warnings;
    expect(resumed.map((w) => [w.ruleId, w.status])).toEqual([['quiet-police', 'cancelled']]);
    expect(engine.advanceTo(minute(69))).toEqual([]);
    expect(engine.advanceTo(minute(71)).map((w) => [w.ruleId, w.status, w.revision])).toEqual([
      ['quiet-police', 'active', 1],
    ]);
  });

  it('given a feed quiet overnight outside its active hours, when the morning comes, then no silence', () => {
    const engine = createEngine(ruleSetOf(RULE), { allowedLatenessMinutes: 0 });
    const evening = at(11 * 60 + 30, 'market.complaint'); // 21:30 local
    engine.correlate(evening);
    const evening21h30 = Date.parse(evening.occurredAt);
    // 21:30–22:00 counts 30 minutes; the night none; from 08:00 the clock runs again.
    expect(engine.advanceTo(evening21h30 + 11 * 60 * 60_000 - 60_000)).toEqual([]); // 08:29
    expect(engine.advanceTo(evening21h30 + 11 * 60 * 60_000 + 60_000)).toHaveLength(1); // 08:31
  });
});
