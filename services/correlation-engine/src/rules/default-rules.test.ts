/**
 * Every rule of the default Nanhai rule set: events that must raise it, near misses that must
 * not, and the same through CAP alerts of the department.
 */
import { DEPARTMENT_CODES, Warning, validator, type NormalizedEvent } from '@liandong/contracts';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../domain/correlation.engine.ts';
import { at, gaugeReading, near, T0 } from '../testing/event.fixture.ts';
import { replay } from '../testing/replay.helper.ts';
import { loadRuleSet } from './rule-set.loader.ts';

const ruleSet = await loadRuleSet();
const checkWarning = validator(Warning);

function raised(events: NormalizedEvent[]): Warning[] {
  const warnings = [...replay(createEngine(ruleSet), events).last.values()];
  for (const w of warnings) expect(checkWarning.issues(w)).toEqual([]);
  return warnings;
}

function of(ruleId: string, events: NormalizedEvent[]): Warning[] {
  return raised(events).filter((w) => w.ruleId === ruleId);
}

const venue = { id: 'JY24406050099999', name: '测试酒家', kind: 'venue' };
const bridge = { lon: 113.0312, lat: 23.0823 };
const downstream = {
  lon: 113.092,
  lat: 23.039,
  place: { id: 'NH-WQ-01', name: '东平水道罗村断面', kind: 'station' },
};

describe('generic-cooccurrence', () => {
  const cluster = (second: NormalizedEvent) => [
    at(0, 'police.fight'),
    second,
    at(10, 'police.fight', near(-200)),
  ];

  it('given 3 Moderate events from 2 departments within 1 km and 30 min, then blue', () => {
    expect(
      of('generic-cooccurrence', cluster(at(5, 'health.ems_dispatch', near(300)))).map((w) => w.level),
    ).toEqual(['blue']);
  });
  it('given one of them 1.5 km away, or all from one department, or Minor, then nothing', () => {
    expect(of('generic-cooccurrence', cluster(at(5, 'health.ems_dispatch', near(1500))))).toEqual([]);
    expect(of('generic-cooccurrence', cluster(at(5, 'police.fight', near(300))))).toEqual([]);
    expect(
      of('generic-cooccurrence', cluster(at(5, 'health.ems_dispatch', { ...near(300), severity: 'Minor' }))),
    ).toEqual([]);
  });
  it('given a CAP alert of the health department as one of them, then blue', () => {
    const cap = at(5, 'health.cap_alert', {
      ...near(300),
      cap: true,
      severity: 'Severe',
      category: 'public_health',
    });
    expect(of('generic-cooccurrence', cluster(cap))).toHaveLength(1);
  });
});

describe('river-over-level', () => {
  it('given a reading at the warning level, then yellow; over the guaranteed level, then red', () => {
    expect(of('river-over-level', [gaugeReading(0, 'water.river_level', 5.1)]).map((w) => w.level)).toEqual([
      'yellow',
    ]);
    expect(
      of('river-over-level', [
        gaugeReading(0, 'water.river_level', 5.1),
        gaugeReading(10, 'water.river_level', 6.3),
      ]).map((w) => w.level),
    ).toEqual(['red']);
  });
  it('given a reading just under the warning level, then nothing', () => {
    expect(of('river-over-level', [gaugeReading(0, 'water.river_level', 4.99)])).toEqual([]);
  });
  it('given a CAP river-level alert, then yellow when Severe and red when Extreme', () => {
    expect(
      of('river-over-level', [at(0, 'water.river_level', { cap: true, severity: 'Severe' })]).map(
        (w) => w.level,
      ),
    ).toEqual(['yellow']);
    expect(
      of('river-over-level', [at(0, 'water.river_level', { cap: true, severity: 'Extreme' })]).map(
        (w) => w.level,
      ),
    ).toEqual(['red']);
    expect(of('river-over-level', [at(0, 'water.river_level', { cap: true, severity: 'Moderate' })])).toEqual(
      [],
    );
  });
});

describe('heavy-rainfall', () => {
  it('given 35 mm in an hour, then blue; 55 mm, then yellow', () => {
    expect(of('heavy-rainfall', [gaugeReading(0, 'water.rainfall', 35)]).map((w) => w.level)).toEqual([
      'blue',
    ]);
    expect(of('heavy-rainfall', [gaugeReading(0, 'water.rainfall', 55)]).map((w) => w.level)).toEqual([
      'yellow',
    ]);
  });
  it('given 29 mm, then nothing', () => {
    expect(of('heavy-rainfall', [gaugeReading(0, 'water.rainfall', 29)])).toEqual([]);
  });
  it('given a CAP rainstorm alert of the water department, then a warning by its severity', () => {
    expect(
      of('heavy-rainfall', [at(0, 'water.rainfall', { cap: true, severity: 'Severe' })]).map((w) => w.level),
    ).toEqual(['orange']);
    expect(of('heavy-rainfall', [at(0, 'water.rainfall', { cap: true, severity: 'Minor' })])).toEqual([]);
  });
});

describe('rainstorm-waterlogging', () => {
  const storm = (gauge: NormalizedEvent) => [
    gauge,
    at(10, 'traffic.flooded_road', near(800)),
    at(20, 'police.flooding', near(-600, 500)),
  ];

  it('given a depth sensor over its yellow bound, a flooded road and a 110 call within 3 km, then yellow; a person trapped, then orange', () => {
    const events = storm(gaugeReading(0, 'water.waterlogging_depth', 0.3));
    expect(of('rainstorm-waterlogging', events).map((w) => w.level)).toEqual(['yellow']);
    expect(
      of('rainstorm-waterlogging', [...events, at(30, 'police.people_trapped', near(100))]).map(
        (w) => w.level,
      ),
    ).toEqual(['orange']);
  });
  it('given the gauge under its alarm, or no 110 call, then nothing', () => {
    expect(of('rainstorm-waterlogging', storm(gaugeReading(0, 'water.waterlogging_depth', 0.1)))).toEqual([]);
    const noCall = storm(gaugeReading(0, 'water.waterlogging_depth', 0.3)).slice(0, 2);
    expect(of('rainstorm-waterlogging', [...noCall, at(25, 'urban.waterlogging', near(100))])).toEqual([]);
  });
  it('given a CAP waterlogging alert of the water department as the gauge, then yellow', () => {
    const cap = at(0, 'water.cap_alert', { cap: true, severity: 'Severe', category: 'natural_disaster' });
    expect(of('rainstorm-waterlogging', storm(cap))).toHaveLength(1);
  });
});

describe('food-poisoning-cluster', () => {
  const cases = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      at(i * 40, 'health.food_poisoning', { ...near(1000 * i), place: venue, attributes: { cases: 3 } }),
    );
  it('given 2 case reports and a complaint about one venue, then yellow; 30 cases, then orange', () => {
    const complaint = at(100, 'market.food_complaint', { place: venue });
    expect(of('food-poisoning-cluster', [...cases(2), complaint]).map((w) => w.level)).toEqual(['yellow']);
    const many = [
      ...cases(2),
      complaint,
      ...cases(9).map((e, i) =>
        at(120 + i * 10, 'health.food_poisoning', {
          place: venue,
          attributes: { cases: 3 },
          ...near(i * 100),
        }),
      ),
    ];
    expect(of('food-poisoning-cluster', many).map((w) => w.level)).toEqual(['orange']);
  });
  it('given cases without a complaint, or a complaint about another venue far away, then nothing', () => {
    expect(of('food-poisoning-cluster', cases(3))).toEqual([]);
    const elsewhere = at(100, 'market.food_complaint', {
      ...near(9000),
      place: { name: '另一家', kind: 'venue' },
    });
    expect(of('food-poisoning-cluster', [...cases(2), elsewhere])).toEqual([]);
  });
  it('given a CAP food-poisoning alert of the health department as a case, then yellow', () => {
    const cap = at(50, 'health.food_poisoning', { cap: true, place: venue });
    expect(
      of('food-poisoning-cluster', [...cases(1), cap, at(100, 'market.food_complaint', { place: venue })]),
    ).toHaveLength(1);
  });
});

describe('gastro-cases-surge', () => {
  const reports = (n: number, cap = false) =>
    Array.from({ length: n }, (_, i) =>
      at(i * 15, 'health.syndromic_gastro', { ...near(i * 300), cap: cap && i === 0 }),
    );
  it('given 10 gastro reports in 3 hours around one place, then blue', () => {
    expect(of('gastro-cases-surge', reports(10)).map((w) => w.level)).toEqual(['blue']);
  });
  it('given 9, then nothing', () => {
    expect(of('gastro-cases-surge', reports(9))).toEqual([]);
  });
  it('given one of them as a CAP alert, then blue', () => {
    expect(of('gastro-cases-surge', reports(10, true))).toHaveLength(1);
  });
});

describe('crowd-gathering-surge', () => {
  const calls = (n: number, every: number, people = 30) =>
    Array.from({ length: n }, (_, i) =>
      at(i * every, 'police.crowd_gathering', { ...near(i * 30), attributes: { peopleInvolved: people } }),
    );
  it('given 5 crowd reports in an hour, then yellow, routed to police, petitions and governance; 150 people, then orange', () => {
    const warnings = of('crowd-gathering-surge', calls(5, 10));
    expect(warnings.map((w) => w.level)).toEqual(['yellow']);
    expect(warnings[0]?.departments).toEqual(['police', 'emergency', 'petitions', 'governance']);
    expect(of('crowd-gathering-surge', calls(5, 10, 150)).map((w) => w.level)).toEqual(['orange']);
  });
  it('given 4 in an hour, or 5 spread over 2 hours, then nothing', () => {
    expect(of('crowd-gathering-surge', calls(4, 10))).toEqual([]);
    expect(of('crowd-gathering-surge', calls(5, 25))).toEqual([]);
  });
  it('given CAP social-security alerts of the police among them, then yellow', () => {
    const mixed = [
      ...calls(4, 10),
      at(45, 'police.cap_alert', { cap: true, category: 'social_security', severity: 'Moderate' }),
    ];
    expect(of('crowd-gathering-surge', mixed)).toHaveLength(1);
  });
});

describe('petitions-surge', () => {
  const petitions = (n: number) =>
    Array.from({ length: n }, (_, i) => at(i * 12, 'urban.petition', near(i * 2500 - 9000, (i % 2) * 4000)));
  it('given 8 petitions across the district in 2 hours, then blue', () => {
    expect(of('petitions-surge', petitions(8)).map((w) => w.level)).toEqual(['blue']);
    expect(of('crowd-gathering-surge', petitions(8))).toEqual([]);
  });
  it('given 7, then nothing', () => {
    expect(of('petitions-surge', petitions(7))).toEqual([]);
  });
  it('given CAP collective-petition alerts of the police among them, then blue', () => {
    const mixed = [...petitions(7), at(90, 'police.petition_gathering', { cap: true, ...near(9500) })];
    expect(of('petitions-surge', mixed)).toHaveLength(1);
  });
});

describe('hazardous-goods-accident', () => {
  it('given a hazardous goods accident, or an accident flagged hazardousGoods, then yellow; a death, then orange', () => {
    expect(
      of('hazardous-goods-accident', [at(0, 'traffic.hazardous_goods_accident')]).map((w) => w.level),
    ).toEqual(['yellow']);
    expect(
      of('hazardous-goods-accident', [at(0, 'traffic.accident', { attributes: { hazardousGoods: true } })]),
    ).toHaveLength(1);
    expect(
      of('hazardous-goods-accident', [
        at(0, 'traffic.hazardous_goods_accident', { attributes: { dead: 1 } }),
      ]).map((w) => w.level),
    ).toEqual(['orange']);
  });
  it('given an ordinary accident, then nothing', () => {
    expect(
      of('hazardous-goods-accident', [at(0, 'traffic.accident', { attributes: { hazardousGoods: false } })]),
    ).toEqual([]);
  });
  it('given the CAP alert and the 110 call of the same crash, then one warning with both', () => {
    const warnings = of('hazardous-goods-accident', [
      at(0, 'traffic.hazardous_goods_accident', { cap: true, severity: 'Severe' }),
      at(3, 'police.hazardous_goods', near(50)),
    ]);
    expect(warnings.map((w) => w.evidence.length)).toEqual([2]);
  });
});

describe('hazardous-goods-near-water', () => {
  it('given the accident on the bridge and a quality alarm 8 km downstream 80 minutes later, then orange', () => {
    const warnings = of('hazardous-goods-near-water', [
      at(0, 'traffic.hazardous_goods_accident', bridge),
      gaugeReading(80, 'water.water_quality', 75, downstream),
    ]);
    expect(warnings.map((w) => w.level)).toEqual(['orange']);
    expect(warnings[0]?.title.zh).toBe('狮山镇：危化品事故疑致东平水道水体污染');
  });
  it('given the reading under its alarm, then nothing', () => {
    expect(
      of('hazardous-goods-near-water', [
        at(0, 'traffic.hazardous_goods_accident', bridge),
        gaugeReading(80, 'water.water_quality', 55, downstream),
      ]),
    ).toEqual([]);
  });
  it('given a CAP water-quality alert downstream, then orange', () => {
    const cap = at(60, 'water.water_quality', {
      cap: true,
      severity: 'Severe',
      lon: downstream.lon,
      lat: downstream.lat,
    });
    expect(
      of('hazardous-goods-near-water', [at(0, 'traffic.hazardous_goods_accident', bridge), cap]),
    ).toHaveLength(1);
  });
});

describe('elevator-entrapment-cluster', () => {
  const entrapments = (n: number, cap = false) =>
    Array.from({ length: n }, (_, i) =>
      at(i * 10, 'market.elevator_entrapment', {
        ...near(i * 400),
        cap: cap && i === 1,
        attributes: { peopleAffected: 2 },
      }),
    );
  it('given 3 entrapments within 2 km in an hour, then blue', () => {
    expect(of('elevator-entrapment-cluster', entrapments(3)).map((w) => w.level)).toEqual(['blue']);
  });
  it('given 2, then nothing', () => {
    expect(of('elevator-entrapment-cluster', entrapments(2))).toEqual([]);
  });
  it('given one reported as a CAP alert, then blue', () => {
    expect(of('elevator-entrapment-cluster', entrapments(3, true))).toHaveLength(1);
  });
});

describe('gas-leak-reports', () => {
  it('given two reports within 300 m, then yellow; from two departments, then orange', () => {
    expect(
      of('gas-leak-reports', [at(0, 'police.gas_leak'), at(10, 'police.gas_leak', near(100))]).map(
        (w) => w.level,
      ),
    ).toEqual(['yellow']);
    expect(
      of('gas-leak-reports', [at(0, 'police.gas_leak'), at(10, 'urban.gas_smell', near(100))]).map(
        (w) => w.level,
      ),
    ).toEqual(['orange']);
  });
  it('given the reports 400 m apart, then nothing', () => {
    expect(of('gas-leak-reports', [at(0, 'police.gas_leak'), at(10, 'urban.gas_smell', near(400))])).toEqual(
      [],
    );
  });
  it('given a CAP gas-leak alert and a report, then a warning', () => {
    expect(
      of('gas-leak-reports', [
        at(0, 'police.gas_leak', { cap: true }),
        at(10, 'market.gas_cylinder', near(100)),
      ]),
    ).toHaveLength(1);
  });
});

describe('traffic-pile-up', () => {
  const accident = (vehicles: number) =>
    at(0, 'traffic.accident', {
      attributes: { vehiclesInvolved: vehicles, injured: 2, dead: 0, roadName: '广佛高速' },
    });
  it('given 6 vehicles, then yellow; 12, then orange', () => {
    const warnings = of('traffic-pile-up', [accident(6)]);
    expect(warnings.map((w) => w.level)).toEqual(['yellow']);
    expect(warnings[0]?.title.zh).toBe('桂城街道：多车连环相撞（6车）');
    expect(of('traffic-pile-up', [accident(12)]).map((w) => w.level)).toEqual(['orange']);
  });
  it('given 4 vehicles, then nothing', () => {
    expect(of('traffic-pile-up', [accident(4)])).toEqual([]);
  });
  it('given a Severe CAP accident alert of the traffic department, then yellow', () => {
    expect(
      of('traffic-pile-up', [at(0, 'traffic.accident', { cap: true, severity: 'Severe' })]),
    ).toHaveLength(1);
  });
});

describe('mass-casualty', () => {
  it('given a mass-casualty report, or an accident with 12 injured, then orange', () => {
    expect(of('mass-casualty', [at(0, 'health.mass_casualty')]).map((w) => w.level)).toEqual(['orange']);
    expect(of('mass-casualty', [at(0, 'police.fire', { attributes: { injured: 12 } })])).toHaveLength(1);
  });
  it('given 5 injured, then nothing', () => {
    expect(of('mass-casualty', [at(0, 'police.fire', { attributes: { injured: 5 } })])).toEqual([]);
  });
  it('given a CAP mass-casualty alert of the health department, then orange', () => {
    expect(
      of('mass-casualty', [at(0, 'health.mass_casualty', { cap: true, severity: 'Extreme' })]),
    ).toHaveLength(1);
  });
});

describe('silence of each feed', () => {
  const minutes = (id: string) => {
    const rule = ruleSet.rules.find((r) => r.id === id);
    if (rule?.family !== 'silence') throw new Error(id);
    return rule.silentMinutes;
  };
  const anyType = {
    police: 'police.theft',
    urban: 'urban.garbage',
    market: 'market.complaint',
    health: 'health.syndromic_fever',
    water: 'water.rainfall',
    traffic: 'traffic.congestion',
  } as const;

  it.each(DEPARTMENT_CODES)(
    'given the %s feed quiet past its threshold at 10:00 on, then a blue warning; a CAP alert of it keeps it alive',
    (department) => {
      const id = `silence-${department}`;
      const silent = minutes(id) * 60_000;
      const engine = createEngine(ruleSet, { allowedLatenessMinutes: 0 });
      engine.correlate(at(0, anyType[department]));
      expect(engine.advanceTo(T0 + silent - 60_000).filter((w) => w.ruleId === id)).toEqual([]);
      const warnings = engine.advanceTo(T0 + silent + 60_000).filter((w) => w.ruleId === id);
      expect(warnings.map((w) => [w.level, w.departments])).toEqual([['blue', [department, 'emergency']]]);

      const alive = createEngine(ruleSet, { allowedLatenessMinutes: 0 });
      alive.correlate(at(0, anyType[department]));
      alive.correlate(at(minutes(id) - 5, `${department}.cap_alert`, { cap: true, severity: 'Minor' }));
      expect(alive.advanceTo(T0 + silent + 60_000).filter((w) => w.ruleId === id)).toEqual([]);
    },
  );
});
