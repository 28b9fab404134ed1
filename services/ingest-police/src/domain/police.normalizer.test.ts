import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NormalizedEvent, POLICE_VOCABULARY, validator } from '@liandong/contracts';
import { eventIdFor, type NormalizeContext } from '@liandong/ingest-kit';
import { normalizePoliceRecord } from './police.normalizer.ts';

const context: NormalizeContext = {
  department: 'police',
  receivedAt: new Date('2026-06-01T02:20:00.000Z'),
  sourceSystem: '110-jiejing',
  defaultCrs: 'WGS84',
};

const call = {
  recordId: 'JJ20260601-000123',
  recordType: 'call',
  type: 'crowd_gathering',
  occurredAt: '2026-06-01T10:15:00+08:00',
  priority: 2,
  summary: '千灯湖公园东门约50人聚集',
  peopleInvolved: 50,
  location: { lon: 113.1512, lat: 23.0441, crs: 'GCJ02' },
  address: '桂城街道千灯湖公园东门',
  adminCode: '440605',
  caller: { name: '李先生', phone: '13800000000' },
};

const isEvent = validator(NormalizedEvent);

describe('normalizePoliceRecord', () => {
  it('given a 110 call, then it becomes one normalized event in UTC and WGS-84', () => {
    const outcome = normalizePoliceRecord(call, 0, context);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const event = outcome.event;
    expect(isEvent.issues(event)).toEqual([]);
    expect(event.id).toBe(eventIdFor('police', 'JJ20260601-000123'));
    expect(event).toMatchObject({
      department: 'police',
      type: 'police.crowd_gathering',
      category: 'social_security',
      severity: 'Severe',
      status: 'Actual',
      occurredAt: '2026-06-01T02:15:00.000Z',
      receivedAt: '2026-06-01T02:20:00.000Z',
      source: { system: '110-jiejing', format: 'police-json', id: 'JJ20260601-000123', crs: 'GCJ02' },
      attributes: { peopleInvolved: 50, recordType: 'call', priority: 2 },
      title: { zh: '人员聚集', en: 'Crowd gathering' },
    });
    // In Guangdong GCJ-02 lies about 0.005° east and 0.0026° south of WGS-84 (some 600 m).
    const [lon, lat] = event.location?.coordinates ?? [0, 0];
    expect(lon).toBeGreaterThan(113.144);
    expect(lon).toBeLessThan(113.148);
    expect(lat).toBeGreaterThan(23.046);
    expect(lat).toBeLessThan(23.048);
  });

  it('keeps caller details only in the raw record', () => {
    const outcome = normalizePoliceRecord(call, 0, context);
    if (!outcome.ok) throw new Error('expected ok');
    const { raw, ...rest } = outcome.event;
    expect(JSON.stringify(rest)).not.toContain('13800000000');
    expect(raw.body).toContain('13800000000');
  });

  it('names the field of a bad record', () => {
    const outcome = normalizePoliceRecord(
      { ...call, type: 'alien_landing', occurredAt: 'yesterday' },
      3,
      context,
    );
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.index).toBe(3);
    expect(outcome.sourceId).toBe('JJ20260601-000123');
    expect(outcome.issues.map((i) => i.pointer).sort()).toEqual(['/occurredAt', '/type']);
    expect(outcome.issues.find((i) => i.pointer === '/occurredAt')?.message).toMatch(/RFC 3339/);
  });

  it('given a day that does not exist (30 February), then refused at /occurredAt saying why, not read as 2 March', () => {
    const outcome = normalizePoliceRecord({ ...call, occurredAt: '2026-02-30T10:00:00+08:00' }, 0, context);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.issues).toEqual([
      {
        pointer: '/occurredAt',
        code: 'invalid_field',
        message:
          '"2026-02-30T10:00:00+08:00": 2026-02-30 is not a day of the calendar (February 2026 has 28 days)',
      },
    ]);
  });

  it('refuses out-of-range coordinates and records that say nowhere', () => {
    const far = normalizePoliceRecord({ ...call, location: { lon: 200, lat: 23 } }, 0, context);
    expect(far.ok).toBe(false);
    const { location: _l, address: _a, adminCode: _c, ...nowhere } = call;
    const none = normalizePoliceRecord(nowhere, 0, context);
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.issues[0]?.code).toBe('missing_location');
  });

  it('refuses GCJ-02 and BD-09 positions outside China, where those systems are undefined', () => {
    const outcome = normalizePoliceRecord(
      { ...call, location: { lon: -122.4, lat: 37.7, crs: 'BD09' } },
      0,
      context,
    );
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.issues[0]?.message).toMatch(/only within China/);
  });

  it('accepts a record with only an address', () => {
    const { location: _l, adminCode: _c, ...addressOnly } = call;
    const outcome = normalizePoliceRecord(addressOnly, 0, context);
    expect(outcome.ok).toBe(true);
    if (outcome.ok) expect(outcome.event.location).toBeUndefined();
  });

  it('refuses an occurrence far in the future', () => {
    const outcome = normalizePoliceRecord({ ...call, occurredAt: '2026-06-01T12:00:00+08:00' }, 0, context);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.issues[0]?.code).toBe('in_future');
  });

  it('property: any valid record normalizes to a contract-valid event with a stable id', () => {
    const types = Object.keys(POLICE_VOCABULARY);
    const record = fc.record({
      recordId: fc.string({ minLength: 1, maxLength: 40 }),
      recordType: fc.constantFrom('call', 'incident'),
      type: fc.constantFrom(...types),
      occurredAt: fc
        .date({
          min: new Date('2020-01-01T00:00:00Z'),
          max: new Date('2026-06-01T02:20:00Z'),
          noInvalidDate: true,
        })
        .map((d) => d.toISOString()),
      priority: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
      location: fc.oneof(
        fc.record({
          lon: fc.double({ min: -180, max: 180, noNaN: true }),
          lat: fc.double({ min: -90, max: 90, noNaN: true }),
          crs: fc.constantFrom('WGS84', 'CGCS2000'),
        }),
        fc.record({
          lon: fc.double({ min: 72, max: 138, noNaN: true }),
          lat: fc.double({ min: 0.8, max: 56, noNaN: true }),
          crs: fc.constantFrom('GCJ02', 'BD09'),
        }),
      ),
    });
    fc.assert(
      fc.property(record, (value) => {
        const clean = JSON.parse(JSON.stringify(value)) as unknown;
        const first = normalizePoliceRecord(clean, 0, context);
        const second = normalizePoliceRecord(clean, 0, context);
        expect(first).toEqual(second);
        if (!first.ok) throw new Error(JSON.stringify(first.issues));
        expect(isEvent.issues(first.event)).toEqual([]);
        const [lon, lat] = first.event.location?.coordinates ?? [NaN, NaN];
        expect(Number.isFinite(lon) && Number.isFinite(lat)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
