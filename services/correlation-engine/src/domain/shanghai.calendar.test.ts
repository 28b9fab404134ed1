import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { activeMinutesBetween, localHour, localTimeText, toMs } from './shanghai.calendar.ts';

describe('Shanghai calendar', () => {
  it('given any instant, when read from its ISO form, then it equals Date.parse', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 11, 31) }), (ms) => {
        const iso = new Date(ms).toISOString();
        expect(toMs(iso)).toBe(Date.parse(iso));
      }),
    );
  });

  it('given other RFC 3339 forms, when read, then Date.parse decides', () => {
    expect(toMs('2026-06-01T10:15:00+08:00')).toBe(Date.UTC(2026, 5, 1, 2, 15));
    expect(toMs('not a time')).toBeNaN();
  });

  it('given an instant, when shown, then in Asia/Shanghai local time', () => {
    const ms = Date.parse('2026-06-01T17:05:00+08:00');
    expect(localHour(ms)).toBe(17);
    expect(localTimeText(ms)).toEqual({ zh: '6月1日 17:05', en: '1 Jun 17:05' });
  });

  it('given active hours 8–22, when a feed is quiet overnight, then only active minutes count', () => {
    const from = Date.parse('2026-06-01T21:30:00+08:00');
    expect(activeMinutesBetween(from, Date.parse('2026-06-02T08:00:00+08:00'), 8, 22)).toBe(30);
    expect(activeMinutesBetween(from, Date.parse('2026-06-02T11:30:00+08:00'), 8, 22)).toBe(240);
    expect(activeMinutesBetween(from, from, 8, 22)).toBe(0);
  });
});
