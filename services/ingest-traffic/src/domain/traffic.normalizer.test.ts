import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SEVERITY_RANK, TRAFFIC_DATEX_TYPE, TRAFFIC_VOCABULARY, type TrafficType } from '@liandong/contracts';
import { acceptedEvent, contextFor, refusal } from '@liandong/ingest-kit/normalize-testing';
import { normalizeTrafficRecord } from './traffic.normalizer.ts';

const context = contextFor('traffic', '2026-06-01T08:00:00.000Z');

const accident = {
  recordId: 'SIT-20260601-0457',
  situationRecordType: 'Accident',
  type: 'accident',
  occurredAt: '2026-06-01T15:42:00+08:00',
  roadName: '佛山一环',
  direction: '北行',
  vehiclesInvolved: 2,
  injured: 0,
  dead: 0,
  hazardousGoods: true,
  hazardousGoodsClass: '3',
  description: '一辆油罐车与小车追尾',
  location: { lon: 113.1167, lat: 23.0825, crs: 'GCJ02' },
};

describe('normalizeTrafficRecord', () => {
  it('given an accident with a tanker, then an incident escalated to Severe for its dangerous goods', () => {
    const event = acceptedEvent(normalizeTrafficRecord(accident, 0, context));
    expect(event).toMatchObject({
      department: 'traffic',
      source: { format: 'traffic-json', id: 'SIT-20260601-0457', crs: 'GCJ02' },
      kind: 'incident',
      type: 'traffic.accident',
      category: 'accident',
      severity: 'Severe',
      occurredAt: '2026-06-01T07:42:00.000Z',
      place: { name: '佛山一环', kind: 'road' },
      measurements: [],
      attributes: {
        situationRecordType: 'Accident',
        roadName: '佛山一环',
        direction: '北行',
        vehiclesInvolved: 2,
        injured: 0,
        dead: 0,
        hazardousGoods: true,
        hazardousGoodsClass: '3',
        severityRule: 'hazardousGoods',
      },
    });
  });

  it('escalates by casualties after the grading of accidents', () => {
    const severity = (changes: Record<string, unknown>) =>
      acceptedEvent(normalizeTrafficRecord({ ...accident, hazardousGoods: false, ...changes }, 0, context))
        .severity;
    expect(severity({})).toBe('Moderate');
    expect(severity({ injured: 1 })).toBe('Moderate');
    expect(severity({ injured: 3 })).toBe('Severe');
    expect(severity({ dead: 1 })).toBe('Severe');
    expect(severity({ injured: 10 })).toBe('Extreme');
    expect(severity({ dead: 3 })).toBe('Extreme');
  });

  it('given a flooded road, then the depth is also a water_depth measurement in metres', () => {
    const event = acceptedEvent(
      normalizeTrafficRecord(
        {
          recordId: 'SIT-20260601-0500',
          situationRecordType: 'EnvironmentalObstruction',
          type: 'flooded_road',
          occurredAt: '2026-06-01T15:50:00+08:00',
          waterDepthCm: 35,
          address: '海八路隧道',
        },
        0,
        context,
      ),
    );
    expect(event).toMatchObject({
      category: 'natural_disaster',
      severity: 'Severe',
      measurements: [{ name: 'water_depth', value: 0.35, unit: 'm' }],
      attributes: { waterDepthCm: 35, severityRule: 'waterDepthCm ≥ 30' },
    });
    expect(event.place).toBeUndefined();
  });

  it('refuses a type that contradicts its DATEX II record type', () => {
    const refused = refusal(
      normalizeTrafficRecord({ ...accident, situationRecordType: 'AbnormalTraffic' }, 0, context),
    );
    expect(refused.issues).toEqual([
      {
        pointer: '/situationRecordType',
        code: 'inconsistent_type',
        message: 'type accident is a DATEX II Accident, not AbnormalTraffic',
      },
    ]);
  });

  it('property: any valid record is a contract-valid event; casualties never lower the severity', () => {
    const types = Object.keys(TRAFFIC_VOCABULARY) as TrafficType[];
    const record = fc.constantFrom(...types).chain((type) =>
      fc.record({
        recordId: fc.string({ minLength: 1, maxLength: 40 }),
        situationRecordType: fc.constant(TRAFFIC_DATEX_TYPE[type]),
        type: fc.constant(type),
        occurredAt: fc
          .date({
            min: new Date('2020-01-01T00:00:00Z'),
            max: new Date('2026-06-01T08:00:00Z'),
            noInvalidDate: true,
          })
          .map((d) => d.toISOString()),
        injured: fc.nat({ max: 60 }),
        dead: fc.nat({ max: 20 }),
        hazardousGoods: fc.boolean(),
        waterDepthCm: fc.option(fc.double({ min: 0, max: 200, noNaN: true }), { nil: undefined }),
        location: fc.record({
          lon: fc.double({ min: 112.9, max: 113.3, noNaN: true }),
          lat: fc.double({ min: 22.9, max: 23.2, noNaN: true }),
          crs: fc.constantFrom('WGS84', 'GCJ02', 'BD09', 'CGCS2000'),
        }),
      }),
    );
    fc.assert(
      fc.property(record, fc.nat({ max: 20 }), (value, more) => {
        const clean = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
        const event = acceptedEvent(normalizeTrafficRecord(clean, 0, context));
        const worse = acceptedEvent(
          normalizeTrafficRecord({ ...clean, injured: value.injured + more }, 0, context),
        );
        expect(SEVERITY_RANK[worse.severity]).toBeGreaterThanOrEqual(SEVERITY_RANK[event.severity]);
        expect(SEVERITY_RANK[event.severity]).toBeGreaterThanOrEqual(
          SEVERITY_RANK[TRAFFIC_VOCABULARY[value.type].severity],
        );
        if (value.hazardousGoods)
          expect(SEVERITY_RANK[event.severity]).toBeGreaterThanOrEqual(SEVERITY_RANK.Severe);
      }),
      { numRuns: 300 },
    );
  });
});
