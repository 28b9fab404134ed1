import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GAUGE_KINDS, type GaugeStation } from '@liandong/contracts';
import { eventIdFor } from '../domain/event-id.ts';
import { acceptedEvent, contextFor, fixture, refusal } from '../normalize-testing.ts';
import {
  createSensorThingsNormalizer,
  gaugeSeverity,
  unwrapObservations,
} from './sensorthings.normalizer.ts';

const sanshui: GaugeStation = {
  datastreamId: 'DS-BJ-SANSHUI-Z',
  stationId: 'ST-44060700-001',
  name: { zh: '三水水文站', en: 'Sanshui hydrological station' },
  kind: 'river_level',
  river: 'beijiang',
  position: { lon: 112.8478, lat: 23.1606, crs: 'GCJ02' },
  adminCode: '440607',
  unit: 'm',
  thresholds: { warning: 9.0, guaranteed: 10.5 },
};
const guicheng: GaugeStation = {
  datastreamId: 42,
  stationId: 'ST-44060501-RAIN',
  name: { zh: '桂城雨量站', en: 'Guicheng rain gauge' },
  kind: 'rainfall',
  position: { lon: 113.1512, lat: 23.0441 },
  address: '桂城街道南海大道北',
  unit: 'mm',
  thresholds: { blue: 20, yellow: 30, orange: 50, red: 80 },
};
const underpass: GaugeStation = {
  datastreamId: 'DS-UNDERPASS-7',
  stationId: 'ST-UNDERPASS-7',
  name: { zh: '海八路隧道积水点', en: 'Haiba Road underpass' },
  kind: 'waterlogging_depth',
  position: { lon: 113.1494, lat: 23.0302 },
  unit: 'cm',
  thresholds: { blue: 0.1, yellow: 0.2, orange: 0.3, red: 0.5 },
};
const quality: GaugeStation = {
  datastreamId: 'DS-Q-1',
  stationId: 'ST-Q-1',
  name: { zh: '平洲水质站', en: 'Pingzhou water quality station' },
  kind: 'water_quality',
  position: { lon: 113.21, lat: 23.01 },
  unit: '1',
  thresholds: { alarm: 3 },
};
const stations = [sanshui, guicheng, underpass, quality];
const context = contextFor('water', '2026-09-23T10:05:00.000Z');

const observation = {
  '@iot.id': 1001,
  phenomenonTime: '2026-09-23T09:00:00+08:00/2026-09-23T10:00:00+08:00',
  resultTime: '2026-09-23T10:00:05+08:00',
  result: 9.42,
  Datastream: { '@iot.id': 'DS-BJ-SANSHUI-Z' },
};

describe('SensorThings observations → water events', () => {
  it('given the OGC repository Observation and the connector’s Datastream, then a river level event', () => {
    const normalizer = createSensorThingsNormalizer({ stations, datastreamId: 'DS-BJ-SANSHUI-Z' });
    const value = JSON.parse(fixture('sensorthings/ogc-sta-repo-observation-released.json')) as unknown;
    const event = acceptedEvent(normalizer.normalize(value, 0, context));
    const sourceId = 'DS-BJ-SANSHUI-Z:0f6a2b9d-71e4-4c58-a3d0-9b8e5c1f7a26';
    expect(event.id).toBe(eventIdFor('water', sourceId));
    expect(event).toMatchObject({
      department: 'water',
      source: { format: 'sensorthings-1.1', id: sourceId, crs: 'GCJ02' },
      kind: 'observation',
      type: 'water.river_level',
      category: 'natural_disaster',
      severity: 'Extreme',
      occurredAt: '2026-09-23T10:00:00.000Z',
      adminCode: '440607',
      place: { id: 'ST-44060700-001', name: '三水水文站', kind: 'station' },
      title: { zh: '三水水文站河道水位', en: 'Sanshui hydrological station river level' },
      measurements: [
        { name: 'water_level', value: 12.4, unit: 'm', thresholds: { warning: 9, guaranteed: 10.5 } },
      ],
      attributes: {
        river: 'beijiang',
        stationId: 'ST-44060700-001',
        datastreamId: 'DS-BJ-SANSHUI-Z',
        observationId: '0f6a2b9d-71e4-4c58-a3d0-9b8e5c1f7a26',
        resultTime: '2026-09-23T10:00:00.000Z',
        thresholdReached: 'guaranteed',
      },
    });
    // The station's GCJ-02 position is converted: WGS-84 lies west and north of it in Guangdong.
    const [lon, lat] = event.location?.coordinates ?? [];
    expect(lon).toBeLessThan(112.8478 - 0.004);
    expect(lat).toBeGreaterThan(23.1606 + 0.002);
  });

  it('given the OGC 18-088 example (integer id, +08:00, relative navigation link), then a rainfall event', () => {
    const normalizer = createSensorThingsNormalizer({ stations, datastreamId: 42 });
    const value = JSON.parse(
      fixture('sensorthings/ogc-18-088-observation-example-via-bblocks.json'),
    ) as unknown;
    const event = acceptedEvent(normalizer.normalize(value, 0, context));
    expect(event).toMatchObject({
      source: { id: '42:1', crs: 'WGS84' },
      type: 'water.rainfall',
      severity: 'Severe',
      occurredAt: '2014-12-31T03:59:59.000Z',
      address: '桂城街道南海大道北',
      measurements: [{ name: 'rainfall_1h', value: 70.4, unit: 'mm' }],
      attributes: { thresholdReached: 'orange', resultTime: '2014-12-31T03:59:59.000Z' },
    });
    expect(event.attributes['river']).toBeUndefined();
  });

  it('given the fixtures without a default Datastream, then a refusal that says how to name one', () => {
    const normalizer = createSensorThingsNormalizer({ stations });
    for (const name of [
      'ogc-sta-repo-observation-released.json',
      'ogc-18-088-observation-example-via-bblocks.json',
    ]) {
      const refused = refusal(normalizer.normalize(JSON.parse(fixture(`sensorthings/${name}`)), 0, context));
      expect(refused.issues).toEqual([
        expect.objectContaining({ pointer: '/Datastream', code: 'unknown_datastream' }),
      ]);
      expect(refused.issues[0]?.message).toMatch(/\$expand=Datastream/);
    }
  });

  it('finds the Datastream nested, then in a Datastreams(<id>) link, before the default', () => {
    const normalizer = createSensorThingsNormalizer({ stations, datastreamId: 'DS-Q-1' });
    expect(acceptedEvent(normalizer.normalize(observation, 0, context)).source.id).toBe(
      'DS-BJ-SANSHUI-Z:1001',
    );
    const { Datastream: _nested, ...bare } = observation;
    const linked = {
      ...bare,
      'Datastream@iot.navigationLink': 'https://sta.example.cn/v1.1/Datastreams(42)',
    };
    expect(acceptedEvent(normalizer.normalize({ ...linked, result: 12 }, 0, context)).type).toBe(
      'water.rainfall',
    );
    const quoted = { ...bare, 'Datastream@iot.navigationLink': "Datastreams('DS-UNDERPASS-7')/Observations" };
    expect(acceptedEvent(normalizer.normalize(quoted, 0, context)).type).toBe('water.waterlogging_depth');
    expect(acceptedEvent(normalizer.normalize(bare, 0, context)).type).toBe('water.water_quality');
  });

  it('given an unknown Datastream, then a refusal naming where the id came from', () => {
    const normalizer = createSensorThingsNormalizer({ stations, datastreamId: 'DS-GONE' });
    const nested = refusal(
      normalizer.normalize({ ...observation, Datastream: { '@iot.id': 99 } }, 2, context),
    );
    expect(nested).toMatchObject({ index: 2, sourceId: '99:1001' });
    expect(nested.issues[0]).toMatchObject({ pointer: '/Datastream/@iot.id', code: 'unknown_datastream' });
    const { Datastream: _nested, ...bare } = observation;
    const byDefault = refusal(normalizer.normalize(bare, 0, context));
    expect(byDefault.issues[0]?.message).toMatch(
      /Datastream DS-GONE \(this feed's default\) is not in the gauge registry/,
    );
  });

  it('given results in centimetres, then the depth is in metres and compared in metres', () => {
    const normalizer = createSensorThingsNormalizer({ stations });
    const event = acceptedEvent(
      normalizer.normalize(
        { ...observation, Datastream: { '@iot.id': 'DS-UNDERPASS-7' }, result: 35 },
        0,
        context,
      ),
    );
    expect(event.measurements[0]).toMatchObject({ name: 'water_depth', value: 0.35, unit: 'm' });
    expect(event.severity).toBe('Severe');
  });

  it('given bad times and results, then refusals that name the field', () => {
    const normalizer = createSensorThingsNormalizer({ stations });
    const cases: [Record<string, unknown>, string, string][] = [
      [{ ...observation, result: '9.42' }, '/result', 'invalid_field'],
      [{ ...observation, result: null }, '/result', 'invalid_field'],
      [
        { ...observation, phenomenonTime: '2026-09-23T09:00:00+08:00/PT1H' },
        '/phenomenonTime',
        'invalid_time',
      ],
      [{ ...observation, phenomenonTime: '2026-09-23 10:00' }, '/phenomenonTime', 'invalid_time'],
      [{ ...observation, phenomenonTime: '2026-09-23T20:00:00+08:00' }, '/phenomenonTime', 'in_future'],
      [{ ...observation, '@iot.id': undefined }, '/@iot.id', 'invalid_field'],
    ];
    for (const [value, pointer, code] of cases) {
      const refused = refusal(normalizer.normalize(JSON.parse(JSON.stringify(value)), 0, context));
      expect(refused.issues[0]).toMatchObject({ pointer, code });
    }
  });

  it('unwraps arrays and collection pages, and leaves a single Observation to the caller', () => {
    expect(unwrapObservations({ value: [observation], '@iot.nextLink': 'Observations?$skip=100' })).toEqual([
      observation,
    ]);
    expect(unwrapObservations([observation, observation])).toHaveLength(2);
    expect(unwrapObservations(observation)).toBeUndefined();
  });

  it('refuses a registry it cannot use, at once', () => {
    expect(() =>
      createSensorThingsNormalizer({ stations: [sanshui, { ...sanshui, stationId: 'X' }] }),
    ).toThrow(/Datastream DS-BJ-SANSHUI-Z feeds two stations/);
    expect(() => createSensorThingsNormalizer({ stations: [{ ...guicheng, unit: 'inch' }] })).toThrow(
      /cannot be read as rainfall_1h/,
    );
    expect(() =>
      createSensorThingsNormalizer({
        stations: [{ ...sanshui, position: { lon: -122, lat: 37, crs: 'GCJ02' } }],
      }),
    ).toThrow(/only within China/);
  });
});

describe('gaugeSeverity', () => {
  it('follows the table: river levels by warning and guaranteed level', () => {
    const levels = { warning: 9, guaranteed: 10.5 };
    expect(gaugeSeverity('river_level', 8.99, levels)).toEqual({ severity: 'Minor' });
    expect(gaugeSeverity('river_level', 9, levels)).toEqual({ severity: 'Severe', reached: 'warning' });
    expect(gaugeSeverity('river_level', 10.5, levels)).toEqual({
      severity: 'Extreme',
      reached: 'guaranteed',
    });
  });

  it('follows the table: rainfall and waterlogging by colour, quality by alarm', () => {
    const colours = { blue: 20, yellow: 30, orange: 50, red: 80 };
    expect([10, 20, 30, 50, 80].map((v) => gaugeSeverity('rainfall', v, colours).severity)).toEqual([
      'Minor',
      'Minor',
      'Moderate',
      'Severe',
      'Extreme',
    ]);
    expect(gaugeSeverity('waterlogging_depth', 0.31, { orange: 0.3, red: 0.5 })).toEqual({
      severity: 'Severe',
      reached: 'orange',
    });
    expect(gaugeSeverity('water_quality', 3, { alarm: 3 }).severity).toBe('Severe');
    expect(gaugeSeverity('water_quality', 100, {}).severity).toBe('Minor');
  });

  it('property: a higher reading never lowers the severity, whatever the thresholds', () => {
    const rank = { Unknown: 0, Minor: 1, Moderate: 2, Severe: 3, Extreme: 4 } as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...GAUGE_KINDS),
        fc.double({ min: 0, max: 200, noNaN: true }),
        fc.double({ min: 0, max: 200, noNaN: true }),
        fc.dictionary(
          fc.constantFrom('warning', 'guaranteed', 'blue', 'yellow', 'orange', 'red', 'alarm'),
          fc.double({ min: 0, max: 150, noNaN: true }),
        ),
        (kind, a, b, thresholds) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          expect(rank[gaugeSeverity(kind, high, thresholds).severity]).toBeGreaterThanOrEqual(
            rank[gaugeSeverity(kind, low, thresholds).severity],
          );
        },
      ),
    );
  });

  it('property: any numeric reading of any registered station is a contract-valid event', () => {
    const normalizer = createSensorThingsNormalizer({ stations });
    fc.assert(
      fc.property(
        fc.constantFrom(...stations),
        fc.oneof(fc.nat(), fc.uuid()),
        fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }),
        fc.date({
          min: new Date('2000-01-01T00:00:00Z'),
          max: new Date('2026-09-23T02:00:00Z'),
          noInvalidDate: true,
        }),
        (station, id, result, time) => {
          const value = {
            '@iot.id': id,
            phenomenonTime: time.toISOString(),
            result,
            Datastream: { '@iot.id': station.datastreamId },
          };
          const first = normalizer.normalize(value, 0, context);
          expect(normalizer.normalize(value, 0, context)).toEqual(first);
          const event = acceptedEvent(first);
          expect(event.id).toBe(eventIdFor('water', `${station.datastreamId}:${id}`));
          expect(event.type).toBe(`water.${station.kind}`);
          expect(event.occurredAt).toBe(time.toISOString());
        },
      ),
      { numRuns: 300 },
    );
  });
});
