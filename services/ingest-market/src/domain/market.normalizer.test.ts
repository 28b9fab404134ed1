import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MARKET_VOCABULARY, SEVERITY_RANK } from '@liandong/contracts';
import { acceptedEvent, contextFor, refusal } from '@liandong/ingest-kit/normalize-testing';
import { normalizeMarketRecord } from './market.normalizer.ts';
import { eventIdFor } from '@liandong/ingest-kit';

const context = contextFor('market', '2026-06-01T04:00:00.000Z');

const complaint = {
  recordId: '12315-440605-20260601-0088',
  recordType: 'complaint',
  type: 'food_complaint',
  occurredAt: '2026-06-01T11:30:00+08:00',
  venue: { id: '91440605MA4UXXXX1X', name: '桂城某酒楼' },
  description: '午餐后多人腹泻呕吐',
  peopleAffected: 35,
  complainant: { name: '陈女士', phone: '13700001111' },
  location: { lon: 113.1495, lat: 23.0372 },
  adminCode: '440605',
};

describe('normalizeMarketRecord', () => {
  it('given a 12315 food complaint about 35 people, then a request event escalated to Severe at the venue', () => {
    const event = acceptedEvent(normalizeMarketRecord(complaint, 0, context));
    expect(event.id).toBe(eventIdFor('market', complaint.recordId));
    expect(event).toMatchObject({
      department: 'market',
      source: { format: 'market-json', id: complaint.recordId },
      kind: 'request',
      type: 'market.food_complaint',
      category: 'public_health',
      severity: 'Severe',
      occurredAt: '2026-06-01T03:30:00.000Z',
      place: { id: '91440605MA4UXXXX1X', name: '桂城某酒楼', kind: 'venue' },
      title: MARKET_VOCABULARY.food_complaint.name,
      texts: [{ language: 'zh-CN', description: '午餐后多人腹泻呕吐' }],
      attributes: { recordType: 'complaint', peopleAffected: 35, severityRule: 'peopleAffected ≥ 30' },
    });
  });

  it('escalates by people affected: 30 → Severe, 100 → Extreme, never below the vocabulary', () => {
    const severity = (peopleAffected: number, type = 'food_complaint') =>
      acceptedEvent(normalizeMarketRecord({ ...complaint, type, peopleAffected }, 0, context)).severity;
    expect([9, 30, 99, 100].map((n) => severity(n))).toEqual(['Moderate', 'Severe', 'Severe', 'Extreme']);
    expect([9, 10].map((n) => severity(n, 'complaint'))).toEqual(['Minor', 'Moderate']);
    // An elevator entrapment is Severe by itself; two people trapped do not lower it.
    expect(severity(2, 'elevator_entrapment')).toBe('Severe');
  });

  it('given an equipment report, then an incident with the equipment in the attributes', () => {
    const event = acceptedEvent(
      normalizeMarketRecord(
        {
          ...complaint,
          recordType: 'equipment',
          type: 'elevator_entrapment',
          peopleAffected: 3,
          equipment: { kind: 'elevator', registrationCode: '31104406052019000123' },
        },
        0,
        context,
      ),
    );
    expect(event).toMatchObject({
      kind: 'incident',
      category: 'accident',
      severity: 'Severe',
      attributes: { equipmentKind: 'elevator', equipmentRegistrationCode: '31104406052019000123' },
    });
    expect(event.attributes['severityRule']).toBeUndefined();
  });

  it('keeps the complainant only in the raw record', () => {
    const { raw, ...rest } = acceptedEvent(normalizeMarketRecord(complaint, 0, context));
    for (const personal of ['陈女士', '13700001111']) {
      expect(JSON.stringify(rest)).not.toContain(personal);
      expect(raw.body).toContain(personal);
    }
  });

  it('names the field of a bad record', () => {
    const refused = refusal(
      normalizeMarketRecord({ ...complaint, peopleAffected: -1, venue: {} }, 1, context),
    );
    expect(refused.issues.map((i) => i.pointer).sort()).toEqual(['/peopleAffected', '/venue/name']);
  });

  it('property: any valid record is a contract-valid event, never less severe than its type', () => {
    const record = fc.record({
      recordId: fc.string({ minLength: 1, maxLength: 40 }),
      recordType: fc.constantFrom('complaint', 'inspection', 'equipment'),
      type: fc.constantFrom(...(Object.keys(MARKET_VOCABULARY) as (keyof typeof MARKET_VOCABULARY)[])),
      occurredAt: fc
        .date({
          min: new Date('2020-01-01T00:00:00Z'),
          max: new Date('2026-06-01T04:00:00Z'),
          noInvalidDate: true,
        })
        .map((d) => d.toISOString()),
      peopleAffected: fc.option(fc.nat({ max: 500 }), { nil: undefined }),
      venue: fc.option(fc.record({ name: fc.string({ minLength: 1, maxLength: 30 }) }), { nil: undefined }),
      address: fc.string({ minLength: 1, maxLength: 100 }),
    });
    fc.assert(
      fc.property(record, (value) => {
        const clean = JSON.parse(JSON.stringify(value)) as unknown;
        const event = acceptedEvent(normalizeMarketRecord(clean, 0, context));
        expect(SEVERITY_RANK[event.severity]).toBeGreaterThanOrEqual(
          SEVERITY_RANK[MARKET_VOCABULARY[value.type].severity],
        );
        if ((value.peopleAffected ?? 0) >= 100) expect(event.severity).toBe('Extreme');
      }),
      { numRuns: 300 },
    );
  });
});
