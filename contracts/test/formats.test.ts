import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { dateTimeIssue, dateTimeProblem, daysInMonth, isDateTime, validator } from '../src/index.ts';
import { Type } from '@sinclair/typebox';

// ajv-formats' full `date-time` is the reference: a well-kept check of RFC 3339 that knows the calendar.
const reference = fullFormats['date-time'] as { validate: (value: string) => boolean };

const two = (n: number) => String(n).padStart(2, '0');

describe('dateTimeProblem', () => {
  it('given times whose every field exists, then none (leap days of leap years, offsets, fractions, lower case)', () => {
    for (const time of [
      '2026-06-01T10:15:00+08:00',
      '2024-02-29T23:59:59.999+08:00',
      '2000-02-29T00:00:00Z',
      '2026-12-31T23:59:59-00:00',
      '2026-06-01t02:15:00.123456z',
      '0001-01-01T00:00:00+23:59',
    ])
      expect(dateTimeProblem(time), time).toBeUndefined();
  });

  it('given a day, hour, minute, second or offset that does not exist, then why, never a rolled-over time', () => {
    expect(dateTimeProblem('2026-02-30T10:00:00+08:00')).toBe(
      '2026-02-30 is not a day of the calendar (February 2026 has 28 days)',
    );
    expect(dateTimeProblem('2025-02-29T10:00:00+08:00')).toMatch(/^2025-02-29 is not a day of the calendar/);
    expect(dateTimeProblem('1900-02-29T10:00:00+08:00')).toMatch(/^1900-02-29 is not a day of the calendar/);
    expect(dateTimeProblem('2026-04-31T10:00:00+08:00')).toBe(
      '2026-04-31 is not a day of the calendar (April 2026 has 30 days)',
    );
    expect(dateTimeProblem('2026-01-00T10:00:00+08:00')).toMatch(/^2026-01-00 is not a day of the calendar/);
    expect(dateTimeProblem('2026-13-01T10:00:00+08:00')).toBe('month 13 does not exist (01 to 12)');
    expect(dateTimeProblem('2026-06-01T24:00:00+08:00')).toMatch(
      /^hour 24 does not exist .*00:00 of the next day/,
    );
    expect(dateTimeProblem('2026-06-01T10:60:00+08:00')).toBe('minute 60 does not exist (00 to 59)');
    expect(dateTimeProblem('2016-12-31T23:59:60Z')).toMatch(/^second 60 \(a leap second\) is not taken/);
    expect(dateTimeProblem('2026-06-01T10:00:61Z')).toBe('second 61 does not exist (00 to 59)');
    expect(dateTimeProblem('2026-06-01T10:00:00+99:00')).toMatch(/^offset \+99:00 does not exist/);
  });

  it('given no RFC 3339 shape, then it says so with an example', () => {
    for (const text of [
      '2026-06-01',
      '2026-06-01T10:00:00',
      '2026-06-01 10:00:00+08:00',
      '+275760-09-13T00:00:00Z',
      '1e10',
      '',
    ])
      expect(dateTimeProblem(text), text).toMatch(/^not an RFC 3339 date-time with an offset \(e\.g\. /);
  });

  it('property: agrees with ajv-formats’ full date-time on every date-time shape, leap seconds aside', () => {
    const shaped = fc
      .record({
        year: fc.integer({ min: 0, max: 9999 }),
        month: fc.integer({ min: 0, max: 13 }),
        day: fc.integer({ min: 0, max: 32 }),
        hour: fc.integer({ min: 0, max: 25 }),
        minute: fc.integer({ min: 0, max: 61 }),
        second: fc.integer({ min: 0, max: 59 }),
        offset: fc.oneof(
          fc.constant('Z'),
          fc.tuple(
            fc.constantFrom('+', '-'),
            fc.integer({ min: 0, max: 24 }),
            fc.integer({ min: 0, max: 60 }),
          ),
        ),
      })
      .map(({ year, month, day, hour, minute, second, offset }) => {
        const zone = offset === 'Z' ? 'Z' : `${offset[0]}${two(offset[1])}:${two(offset[2])}`;
        const time = `${String(year).padStart(4, '0')}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}${zone}`;
        return { time, clockOff: hour > 23 || minute > 59 };
      });
    fc.assert(
      fc.property(shaped, ({ time, clockOff }) => {
        // Hour 24 or minute 60/61 never exist; ajv-formats' leap-second branch lets some of them
        // through once the offset is applied (0000-01-01T03:61:00+04:02 is "23:59 UTC"), so for
        // those the check is ours alone.
        if (clockOff) expect(isDateTime(time), time).toBe(false);
        else expect(isDateTime(time), time).toBe(reference.validate(time));
      }),
      { numRuns: 5_000 },
    );
  });

  it('property: every day the calendar has is taken, and the day after the last is not', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1, max: 12 }), (year, month) => {
        const date = `${String(year).padStart(4, '0')}-${two(month)}`;
        const last = daysInMonth(year, month);
        expect(isDateTime(`${date}-${two(last)}T12:00:00Z`)).toBe(true);
        expect(isDateTime(`${date}-${two(last + 1)}T12:00:00Z`)).toBe(false);
        // JavaScript's own calendar agrees on the length of the month (years from 1000 on, where Date.UTC is plain).
        if (year >= 1000) expect(new Date(Date.UTC(year, month, 0)).getUTCDate()).toBe(last);
      }),
    );
  });
});

describe('the date-time format of the contracts', () => {
  const check = validator(
    Type.Object({
      at: Type.String({ format: 'date-time' }),
      until: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    }),
  );

  it('given 30 February, then the issue names the field and says why', () => {
    expect(check.issues({ at: '2026-02-30T10:00:00+08:00', until: null })).toEqual([
      {
        pointer: '/at',
        message:
          '"2026-02-30T10:00:00+08:00": 2026-02-30 is not a day of the calendar (February 2026 has 28 days)',
      },
    ]);
  });

  it('given a nullable date-time that does not exist, then why, not "expected union value"', () => {
    expect(check.issues({ at: '2026-06-01T10:00:00+08:00', until: '2026-06-31T10:00:00+08:00' })).toEqual([
      { pointer: '/until', message: dateTimeIssue('2026-06-31T10:00:00+08:00') },
    ]);
    expect(dateTimeIssue('2026-06-31T10:00:00+08:00')).toMatch(/June 2026 has 30 days/);
  });
});
