import { MAX_CLOCK_SKEW_MS, Warning, validator, type NormalizedEvent } from '@liandong/contracts';
import { describe, expect, it } from 'vitest';
import { at, gaugeReading, near, T0 } from '../testing/event.fixture.ts';
import { replay, ruleSetOf } from '../testing/replay.helper.ts';
import { createEngine } from './correlation.engine.ts';

const RULES = ruleSetOf(`
rules:
  - id: gas
    version: 3
    family: cooccurrence
    category: accident
    match: [{ types: [police.gas_leak, urban.gas_smell] }]
    minEvents: 2
    minDepartments: 1
    radiusM: 300
    windowMinutes: 60
    level:
      base: yellow
      raise:
        - { to: orange, when: [{ metric: departments, min: 2 }] }
        - { to: red, when: [{ metric: severity, min: 4 }] }
    routeTo: [emergency]
    title: { zh: '{place}：燃气泄漏（{events}条）', en: '{place}: gas leak ({events, plural, one {# report} other {# reports}})' }
    summary: { zh: '{departmentNames}报告{events}条', en: '{events} reports from {departmentNames}' }
  - id: river
    version: 1
    family: threshold
    category: natural_disaster
    match: [{ types: [water.river_level], measurement: { name: water_level, reaches: warning } }]
    quietMinutes: 60
    level: { base: yellow, raise: [{ to: red, when: [{ evidence: { measurement: { name: water_level, reaches: guaranteed } } }] }] }
    routeTo: [water]
    title: { zh: '{station}：超警戒', en: '{station}: over warning level' }
    summary: { zh: '{value}{unit}', en: '{value} {unit}' }
`);

const checkWarning = validator(Warning);

function run(events: NormalizedEvent[]) {
  return replay(createEngine(RULES), events);
}

describe('warning identity and revisions', () => {
  const gas = () => [
    at(0, 'police.gas_leak'),
    at(10, 'police.gas_leak', near(100)),
    at(20, 'urban.gas_smell', near(150)),
  ];

  it('given the same input twice, when correlated, then the same warnings come out, with a deterministic id', () => {
    const events = gas();
    expect(run(events).revisions).toEqual(run(events).revisions);
    expect(run(events).revisions[0]?.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('given a third report of the same leak, when correlated, then the one warning is revised and its level rises', () => {
    const { revisions, last } = run(gas());
    expect(last.size).toBe(1);
    expect(revisions.map((w) => [w.revision, w.level])).toEqual([
      [1, 'yellow'],
      [2, 'orange'],
    ]);
    const warning = revisions[1] as Warning;
    expect(warning).toMatchObject({
      ruleId: 'gas',
      ruleVersion: 3,
      status: 'active',
      exercise: false,
      departments: ['police', 'urban', 'emergency'],
      raisedAt: new Date(T0 + 10 * 60_000).toISOString(),
      updatedAt: new Date(T0 + 20 * 60_000).toISOString(),
      firstEvidenceAt: new Date(T0).toISOString(),
      lastEvidenceAt: new Date(T0 + 20 * 60_000).toISOString(),
      title: { zh: '桂城街道：燃气泄漏（3条）', en: 'Guicheng: gas leak (3 reports)' },
      summary: { zh: '公安、城管报告3条', en: '3 reports from Police, Urban management' },
    });
    expect(warning.evidence).toHaveLength(3);
    expect(warning.thresholds).toContainEqual({ name: 'departments', value: 2, threshold: 1 });
    expect(warning.thresholds).toContainEqual({ name: 'departments', value: 2, threshold: 2 });
    for (const w of revisions) expect(checkWarning.issues(w)).toEqual([]);
  });

  it('given one report, or two reports too far apart in space or time, when correlated, then no warning', () => {
    expect(run([at(0, 'police.gas_leak')]).revisions).toEqual([]);
    expect(run([at(0, 'police.gas_leak'), at(5, 'urban.gas_smell', near(400))]).revisions).toEqual([]);
    expect(run([at(0, 'police.gas_leak'), at(61, 'urban.gas_smell')]).revisions).toEqual([]);
  });

  it('given a CAP Update of its evidence with a lower severity, when correlated, then the evidence is replaced and the level does not fall', () => {
    const first = at(0, 'police.gas_leak', { cap: true, severity: 'Extreme' });
    const second = at(5, 'police.gas_leak', near(50));
    const update = at(12, 'police.gas_leak', {
      cap: true,
      severity: 'Moderate',
      msgType: 'Update',
      references: [first.id],
    });
    const { revisions } = run([first, second, update]);
    expect(revisions.map((w) => [w.revision, w.level])).toEqual([
      [1, 'red'],
      [2, 'red'],
    ]);
    expect(revisions[1]?.evidence.sort()).toEqual([second.id, update.id].sort());
  });

  it('given a record revised twice, each revision naming only the first (Open311), when correlated, then it counts once', () => {
    const first = at(0, 'urban.gas_smell');
    const revise = (minute: number) =>
      at(minute, 'urban.gas_smell', { msgType: 'Update', references: [first.id] });
    const [u1, u2] = [revise(3), revise(6)];
    // Alone it is one report, however often revised: no warning of two reports.
    expect(run([first, u1, u2]).revisions).toEqual([]);

    const other = at(1, 'police.gas_leak', near(80));
    const { revisions } = run([first, other, u1, u2]);
    const last = revisions[revisions.length - 1] as Warning;
    expect(last.evidence.filter((id) => id !== first.id && id !== u1.id).sort()).toEqual(
      [other.id, u2.id].sort(),
    );
    expect(last.thresholds.find((t) => t.name === 'events')?.value).toBe(2);

    // A Cancel naming the first withdraws whichever revision now stands for it.
    const cancel = at(9, 'urban.gas_smell', { msgType: 'Cancel', references: [first.id] });
    const afterCancel = run([first, other, u1, u2, cancel]).revisions.at(-1) as Warning;
    expect(afterCancel.revision).toBe(last.revision + 1);
    expect(afterCancel.evidence).toEqual([other.id]);
  });

  it('given a CAP forecast whose onset is a day ahead, when correlated, then the events of today are not late', () => {
    const forecast = at(24 * 60, 'police.gas_leak', { cap: true, delaySeconds: -24 * 3600 });
    const today = [at(1, 'police.gas_leak', near(500)), at(2, 'urban.gas_smell', near(550))];
    const engine = createEngine(RULES);
    const { revisions } = replay(engine, [forecast, ...today]);
    expect(revisions).toHaveLength(1);
    expect(revisions[0]?.evidence.sort()).toEqual(today.map((e) => e.id).sort());
    expect(engine.stats().late).toEqual({});
  });

  it("given a CAP forecast received now with its onset a day ahead, when correlated, then it is placed at its receipt + 10 min: it joins today's report and the warning is dated no later", () => {
    // Guards 278c0c5: the receipt + 10 min cap applies to windows and warning times, not only to the watermark.
    const forecast = at(24 * 60, 'police.gas_leak', { cap: true, delaySeconds: -24 * 3600 }); // received at T0
    const report = at(5, 'urban.gas_smell', near(50));
    const { revisions } = run([forecast, report]);
    expect(revisions).toHaveLength(1);
    const warning = revisions[0] as Warning;
    expect(warning.evidence.sort()).toEqual([forecast.id, report.id].sort());
    const cap = new Date(T0 + MAX_CLOCK_SKEW_MS).toISOString();
    expect(warning).toMatchObject({
      firstEvidenceAt: new Date(T0 + 5 * 60_000).toISOString(),
      lastEvidenceAt: cap,
    });
    expect(warning.raisedAt <= cap && warning.updatedAt <= cap).toBe(true);
  });

  it('given a CAP Cancel of all its evidence, when correlated, then the warning is cancelled and says why', () => {
    const a = at(0, 'police.gas_leak', { cap: true });
    const b = at(5, 'police.gas_leak', { cap: true, ...near(60) });
    const cancel = at(30, 'police.gas_leak', { cap: true, msgType: 'Cancel', references: [a.id, b.id] });
    const { revisions } = run([a, b, cancel]);
    const last = revisions[revisions.length - 1] as Warning;
    expect(last).toMatchObject({ revision: 2, status: 'cancelled', level: 'yellow' });
    expect(last.evidence.sort()).toEqual([a.id, b.id, cancel.id].sort());
    expect(last.summary.zh).toContain('预警取消');
    expect(checkWarning.issues(last)).toEqual([]);
  });

  it('given a CAP Cancel of part of its evidence, when correlated, then the warning is revised without it, still active', () => {
    const a = at(0, 'police.gas_leak');
    const b = at(5, 'police.gas_leak', near(60));
    const c = at(8, 'police.gas_leak', near(90));
    const cancel = at(30, 'police.gas_leak', { cap: true, msgType: 'Cancel', references: [b.id] });
    const { revisions } = run([a, b, c, cancel]);
    const last = revisions[revisions.length - 1] as Warning;
    expect(last.status).toBe('active');
    expect(last.evidence.sort()).toEqual([a.id, c.id].sort());
  });

  it('given drill and real reports of one leak, when correlated, then drills raise only a drill warning and never mix', () => {
    const real = [at(0, 'police.gas_leak'), at(5, 'police.gas_leak', near(50))];
    const drill = [
      at(1, 'police.gas_leak', { status: 'Exercise' }),
      at(6, 'urban.gas_smell', { status: 'Exercise', ...near(40) }),
    ];
    const { last } = run([real[0], drill[0], real[1], drill[1]] as NormalizedEvent[]);
    const warnings = [...last.values()];
    expect(warnings.map((w) => w.exercise).sort()).toEqual([false, true]);
    const exercise = warnings.find((w) => w.exercise) as Warning;
    expect(exercise.evidence.sort()).toEqual(drill.map((e) => e.id).sort());
    expect(warnings.find((w) => !w.exercise)?.evidence.sort()).toEqual(real.map((e) => e.id).sort());
    expect(exercise.id).not.toBe(warnings.find((w) => !w.exercise)?.id);
  });

  it('given an event behind the watermark, when correlated, then it is reported late, counted and not used', () => {
    const engine = createEngine(RULES, { allowedLatenessMinutes: 10 });
    engine.correlate(at(60, 'police.gas_leak'));
    const late = at(45, 'police.gas_leak', near(30));
    const output = engine.correlate(late, { explain: true });
    expect(output.late).toBe(true);
    expect(output.warnings).toEqual([]);
    expect(engine.stats().late).toEqual({ police: 1 });
    expect(output.decisions.find((d) => d.ruleId === 'gas')?.outcome).toBe('late');
    // Within the allowed lateness it still counts.
    expect(engine.correlate(at(52, 'police.gas_leak', near(30))).warnings).toHaveLength(1);
  });

  it('given a river reading over its guaranteed level, when correlated, then the station warning goes red', () => {
    const { revisions } = run([
      gaugeReading(0, 'water.river_level', 5.2),
      gaugeReading(10, 'water.river_level', 6.3),
    ]);
    expect(revisions.map((w) => w.level)).toEqual(['yellow', 'red']);
    expect(revisions[1]?.title.zh).toBe('测试站：超警戒');
    expect(revisions[1]?.thresholds).toContainEqual({
      name: 'water_level',
      value: 6.3,
      threshold: 5,
      unit: 'm',
    });
  });
});

describe('explain', () => {
  it('given events, when explained, then each rule says whether it considered the event, why none fired or which warning it joined', () => {
    const engine = createEngine(RULES);
    const first = engine.correlate(at(0, 'police.gas_leak'), { explain: true });
    expect(first.decisions.find((d) => d.ruleId === 'gas')).toMatchObject({
      outcome: 'counted',
      reason: { en: 'counted: 1 of 2 events from 1 of 1 departments within 300 m and 60 min' },
    });
    expect(first.decisions.find((d) => d.ruleId === 'river')).toMatchObject({ outcome: 'not-considered' });
    const second = engine.correlate(at(5, 'urban.gas_smell', near(20)), { explain: true });
    const raised = second.decisions.find((d) => d.ruleId === 'gas');
    expect(raised).toMatchObject({ outcome: 'raised', warningId: second.warnings[0]?.id });
    const third = engine.correlate(at(6, 'urban.gas_smell', near(25)), { explain: true });
    expect(third.decisions.find((d) => d.ruleId === 'gas')).toMatchObject({
      outcome: 'joined',
      warningId: second.warnings[0]?.id,
    });
    const low = engine.correlate(gaugeReading(7, 'water.river_level', 4.1), { explain: true });
    expect(low.decisions.find((d) => d.ruleId === 'river')?.reason.en).toBe(
      'water_level 4.1 m is below warning 5 m',
    );
  });
});

describe('bounded state', () => {
  it('given a day of reports, when the windows pass, then the engine forgets them', () => {
    const engine = createEngine(RULES, { allowedLatenessMinutes: 10 });
    let raised = 0;
    for (let i = 0; i < 720; i++) {
      const spot = near((i % 50) * 600, (Math.floor(i / 50) % 50) * 600);
      raised += engine.correlate(at(i * 2, 'police.gas_leak', spot)).warnings.length;
    }
    expect(raised).toBe(0);
    const held = engine.snapshot().families.flatMap((f) => f.parts.flatMap((p) => p.entries));
    // The last window (60 min, 30 reports) and the lateness and sweep slack, not a day's 720.
    expect(held.length).toBeGreaterThan(0);
    expect(held.length).toBeLessThanOrEqual(45);
  });

  it('given a warning whose cluster went quiet, when a day passes, then its episode is retired', () => {
    const engine = createEngine(RULES, { allowedLatenessMinutes: 10 });
    engine.correlate(at(0, 'police.gas_leak'));
    expect(engine.correlate(at(1, 'police.gas_leak')).warnings).toHaveLength(1);
    engine.correlate(at(2 * 60, 'police.gas_leak', near(5000)));
    expect(engine.snapshot().families[0]?.parts[0].episodes).toHaveLength(1);
    engine.correlate(at(27 * 60, 'police.gas_leak', near(5000)));
    expect(engine.snapshot().families[0]?.parts[0].episodes).toHaveLength(0);
  });
});
