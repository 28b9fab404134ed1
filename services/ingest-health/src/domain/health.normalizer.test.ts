import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HEALTH_VOCABULARY, SEVERITY_RANK } from '@liandong/contracts';
import { acceptedEvent, contextFor, refusal } from '@liandong/ingest-kit/normalize-testing';
import { normalizeHealthRecord } from './health.normalizer.ts';

const context = contextFor('health', '2026-06-01T06:00:00.000Z');

const report = {
  recordId: 'CDC-440605-2026-0601-003',
  recordType: 'case',
  type: 'food_poisoning',
  occurredAt: '2026-06-01T13:10:00+08:00',
  cases: 8,
  severeCases: 0,
  deaths: 0,
  facility: '南海区人民医院',
  suspectedSource: { id: '91440605MA4UXXXX1X', name: '桂城某酒楼' },
  description: '同一餐馆就餐后出现呕吐腹泻',
  patient: { name: '张三', idNumber: '440605199001011234', age: 36 },
  location: { lon: 113.1495, lat: 23.0372 },
};

describe('normalizeHealthRecord', () => {
  it('given a food poisoning case report, then a public health incident at the suspected venue', () => {
    const event = acceptedEvent(normalizeHealthRecord(report, 0, context));
    expect(event).toMatchObject({
      department: 'health',
      source: { format: 'health-json', id: report.recordId },
      kind: 'incident',
      type: 'health.food_poisoning',
      category: 'public_health',
      severity: 'Severe',
      occurredAt: '2026-06-01T05:10:00.000Z',
      place: { id: '91440605MA4UXXXX1X', name: '桂城某酒楼', kind: 'venue' },
      title: HEALTH_VOCABULARY.food_poisoning.name,
      attributes: { recordType: 'case', cases: 8, severeCases: 0, deaths: 0, facility: '南海区人民医院' },
    });
    expect(event.attributes['severityRule']).toBeUndefined();
  });

  it('escalates case and dispatch counts and deaths, but not syndromic counts', () => {
    const severity = (changes: Record<string, unknown>) =>
      acceptedEvent(normalizeHealthRecord({ ...report, type: 'syndromic_gastro', ...changes }, 0, context));
    expect(severity({ cases: 10 }).severity).toBe('Moderate');
    expect(severity({ cases: 30 })).toMatchObject({
      severity: 'Severe',
      attributes: { severityRule: 'cases ≥ 30 (case or dispatch)' },
    });
    expect(severity({ cases: 100, recordType: 'dispatch' }).severity).toBe('Extreme');
    expect(severity({ cases: 500, recordType: 'syndromic' }).severity).toBe('Minor');
    expect(severity({ recordType: 'syndromic', deaths: 1 }).severity).toBe('Severe');
    expect(severity({ deaths: 10 }).severity).toBe('Extreme');
    expect(severity({ severeCases: 1 }).severity).toBe('Moderate');
  });

  it('keeps the patient only in the raw record', () => {
    const { raw, ...rest } = acceptedEvent(normalizeHealthRecord(report, 0, context));
    for (const personal of ['张三', '440605199001011234']) {
      expect(JSON.stringify(rest)).not.toContain(personal);
      expect(raw.body).toContain(personal);
    }
    expect(rest.attributes['age']).toBeUndefined();
  });

  it('names the field of a bad record', () => {
    const refused = refusal(
      normalizeHealthRecord({ ...report, recordType: 'rumour', deaths: 1.5 }, 0, context),
    );
    expect(refused.issues.map((i) => i.pointer).sort()).toEqual(['/deaths', '/recordType']);
  });

  it('property: any valid record is a contract-valid event; more deaths never lower the severity', () => {
    const record = fc.record({
      recordId: fc.string({ minLength: 1, maxLength: 40 }),
      recordType: fc.constantFrom('case', 'syndromic', 'dispatch'),
      type: fc.constantFrom(...(Object.keys(HEALTH_VOCABULARY) as (keyof typeof HEALTH_VOCABULARY)[])),
      occurredAt: fc
        .date({
          min: new Date('2020-01-01T00:00:00Z'),
          max: new Date('2026-06-01T06:00:00Z'),
          noInvalidDate: true,
        })
        .map((d) => d.toISOString()),
      cases: fc.option(fc.nat({ max: 1000 }), { nil: undefined }),
      deaths: fc.nat({ max: 50 }),
      adminCode: fc.constantFrom('440605', '440605001', '440605001001'),
    });
    fc.assert(
      fc.property(record, fc.nat({ max: 50 }), (value, more) => {
        const clean = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
        const event = acceptedEvent(normalizeHealthRecord(clean, 0, context));
        const worse = acceptedEvent(
          normalizeHealthRecord({ ...clean, deaths: value.deaths + more }, 0, context),
        );
        expect(SEVERITY_RANK[worse.severity]).toBeGreaterThanOrEqual(SEVERITY_RANK[event.severity]);
        expect(SEVERITY_RANK[event.severity]).toBeGreaterThanOrEqual(
          SEVERITY_RANK[HEALTH_VOCABULARY[value.type].severity],
        );
      }),
      { numRuns: 300 },
    );
  });
});
