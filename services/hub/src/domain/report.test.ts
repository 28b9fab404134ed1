import { describe, expect, it } from 'vitest';
import type { WarningView } from '@liandong/contracts';
import { figure, toCsv } from './report.export.ts';
import { median, p90, periodFigures, unitAcknowledgement } from './report.ts';

const ack = (
  over: Partial<WarningView['acknowledgements'][number]> = {},
): WarningView['acknowledgements'][number] => ({
  department: 'water',
  state: 'pending',
  level: 'red',
  revision: 1,
  armedAt: '2026-11-30T06:00:00.000Z',
  deadline: '2026-11-30T06:05:00.000Z',
  acknowledgedAt: null,
  acknowledgedBy: null,
  late: null,
  note: null,
  escalations: 0,
  closedReason: null,
  ...over,
});

describe('median and p90 (nearest rank)', () => {
  it('given odd, even, one and no values, then the middle, the mean of the middle two, the value, null', () => {
    expect(median([1000, 60, 200, 400, 60])).toBe(200);
    expect(median([30, 600, 120, 300])).toBe(210);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNull();
    expect(p90([60, 60, 200, 400, 1000])).toBe(1000); // rank ⌈4.5⌉ = 5
    expect(p90(Array.from({ length: 10 }, (_, i) => i + 1))).toBe(9); // rank 9 of 10
    expect(p90([])).toBeNull();
  });
});

describe('unitAcknowledgement', () => {
  const now = new Date('2026-11-30T06:10:00Z');
  it('given a pending unit before its deadline, then open (onTime null); after it, missed (false)', () => {
    expect(unitAcknowledgement(ack({ deadline: '2026-11-30T06:30:00.000Z' }), now).onTime).toBeNull();
    expect(unitAcknowledgement(ack(), now).onTime).toBe(false);
  });
  it('given an acknowledgement exactly at the deadline, then on time, seconds from arming', () => {
    const a = unitAcknowledgement(
      ack({ state: 'acknowledged', acknowledgedAt: '2026-11-30T06:05:00.000Z' }),
      now,
    );
    expect([a.secondsToAcknowledge, a.deadlineSeconds, a.onTime]).toEqual([300, 300, true]);
  });
});

describe('periodFigures: rule precision', () => {
  it('given confirmed, false alarm and duplicate, then confirmed / (resolved − duplicate)', () => {
    const base = {
      id: 'w',
      ruleId: 'r',
      ruleVersion: 1,
      revision: 1,
      level: 'blue',
      category: 'accident',
      status: 'resolved',
      exercise: false,
      departments: ['water'],
      evidence: ['e'],
      raisedAt: '2026-11-30T06:00:00.000Z',
      updatedAt: '2026-11-30T06:00:00.000Z',
      firstEvidenceAt: '2026-11-30T05:59:00.000Z',
      lastEvidenceAt: '2026-11-30T06:00:00.000Z',
      title: { zh: 't', en: 't' },
      summary: { zh: 's', en: 's' },
      area: {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 0],
          ],
        ],
      },
      centroid: { type: 'Point', coordinates: [0.5, 0.5] },
      thresholds: [],
      acknowledgements: [],
    } satisfies Omit<WarningView, 'resolution'>;
    const resolved = (disposition: 'confirmed' | 'false_alarm' | 'duplicate') => ({
      warning: {
        ...base,
        resolution: {
          disposition,
          note: null,
          by: { username: 'op', role: 'operator' as const },
          at: base.raisedAt,
        },
      },
      escalations: 0,
    });
    const f = periodFigures(
      [resolved('confirmed'), resolved('false_alarm'), resolved('duplicate')],
      new Date(),
      () => undefined,
    );
    expect(f.rulePrecision[0]).toMatchObject({ resolved: 3, precision: 0.5 });
    expect(f.byTown).toEqual({ '440605': 3 });
    expect(f.byHour[14]).toBe(3); // 06:00Z is 14:00 in Beijing
  });
});

describe('CSV for Excel', () => {
  it('given Chinese text, commas, quotes and a leading =, then a BOM, CRLF, quoted cells and no formula', () => {
    expect(toCsv([['桂城', 'a,b', 'say "hi"', '=1+1', '-5']])).toBe(
      '\uFEFF桂城,"a,b","say ""hi""",\'=1+1,-5\r\n',
    );
    expect([figure(0.5), figure(2 / 3), figure(null), figure(3)]).toEqual(['0.5', '0.6667', '', '3']);
  });
});
