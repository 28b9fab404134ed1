import { SEVERITIES, type EventFilter, type NormalizedEvent } from '@liandong/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildEvent } from '../testing/event.builder.ts';
import { compileFilter, specializeFilter, whyNot } from './event.filter.ts';

const TYPES = [
  'police.gas_leak',
  'urban.gas_smell',
  'water.river_level',
  'traffic.accident',
  'police.cap_alert',
];

const arbitraryEvent = fc
  .record({
    type: fc.constantFrom(...TYPES),
    severity: fc.constantFrom(...SEVERITIES),
    cap: fc.boolean(),
    level: fc.double({ min: 0, max: 10, noNaN: true }),
    vehicles: fc.integer({ min: 0, max: 12 }),
    hazardous: fc.boolean(),
  })
  .map(({ type, severity, cap, level, vehicles, hazardous }) =>
    buildEvent({
      type,
      sourceId: 'x',
      at: '2026-06-01T10:00:00+08:00',
      severity,
      cap,
      lon: 113.15,
      lat: 23.03,
      measurements: [
        { name: 'water_level', value: level, unit: 'm', thresholds: { warning: 5, guaranteed: 6.2 } },
      ],
      attributes: { vehiclesInvolved: vehicles, hazardousGoods: hazardous },
    }),
  );

const arbitraryFilter: fc.Arbitrary<EventFilter> = fc.record(
  {
    types: fc.subarray([...TYPES, 'police.*'], { minLength: 1 }),
    departments: fc.subarray(['police', 'urban', 'water', 'traffic'] as const, { minLength: 1 }),
    kinds: fc.subarray(['incident', 'alert', 'observation', 'request'] as const, { minLength: 1 }),
    minSeverity: fc.constantFrom(...SEVERITIES),
    measurement: fc.oneof(
      fc.record({
        name: fc.constant('water_level'),
        reaches: fc.constantFrom('warning', 'guaranteed', 'alarm'),
      }),
      fc.record({ name: fc.constant('water_level'), min: fc.double({ min: 0, max: 10, noNaN: true }) }),
    ),
    attributes: fc.oneof(
      fc.constant({ vehiclesInvolved: { min: 5 } }),
      fc.constant({ hazardousGoods: { equals: true } }),
    ),
  },
  { requiredKeys: [] },
);

describe('event filters', () => {
  it('given any filter and event, when compiled, then the predicate and the explanation agree', () => {
    fc.assert(
      fc.property(arbitraryFilter, arbitraryEvent, (filter, event) => {
        expect(compileFilter(filter)(event)).toBe(whyNot(filter, event) === null);
      }),
      { numRuns: 500 },
    );
  });

  it('given any filter and event, when specialised to the event type, then it decides as the full filter', () => {
    fc.assert(
      fc.property(arbitraryFilter, arbitraryEvent, (filter, event: NormalizedEvent) => {
        expect(specializeFilter(filter, event.type)(event)).toBe(compileFilter(filter)(event));
      }),
      { numRuns: 500 },
    );
  });

  it('given a river reading at its warning level, when filtered by "reaches: warning", then it passes; 1 cm less does not', () => {
    const filter: EventFilter = {
      types: ['water.river_level'],
      measurement: { name: 'water_level', reaches: 'warning' },
    };
    const reading = (value: number) =>
      buildEvent({
        type: 'water.river_level',
        sourceId: String(value),
        at: 0,
        measurements: [
          { name: 'water_level', value, unit: 'm', thresholds: { warning: 5, guaranteed: 6.2 } },
        ],
      });
    expect(compileFilter(filter)(reading(5))).toBe(true);
    expect(compileFilter(filter)(reading(4.99))).toBe(false);
    expect(whyNot(filter, reading(4.99))?.en).toBe('water_level 4.99 m is below warning 5 m');
  });
});
