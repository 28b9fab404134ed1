/**
 * A time whose day or hour does not exist is refused by every format, at the field that holds
 * it, saying why: JavaScript's Date.parse reads 30 February as 2 March, and that must never
 * become an event.
 */
import { describe, expect, it } from 'vitest';
import type { GaugeStation } from '@liandong/contracts';
import { toUtc } from '../domain/time.ts';
import { acceptedEvent, contextFor, refusal } from '../normalize-testing.ts';
import { normalizeCapDocument } from './cap.normalizer.ts';
import { CAP_NAMESPACE } from './cap.parser.ts';
import { createOpen311Normalizer } from './open311.normalizer.ts';
import { createSensorThingsNormalizer } from './sensorthings.normalizer.ts';
import { normalizeXmlBody } from './xml-body.normalizer.ts';

/** Impossible times, and what the refusal must say of each. */
const IMPOSSIBLE: [string, RegExp][] = [
  ['2026-02-30T10:00:00+08:00', /2026-02-30 is not a day of the calendar \(February 2026 has 28 days\)/],
  ['2025-02-29T10:00:00+08:00', /2025-02-29 is not a day of the calendar/],
  ['2100-02-29T10:00:00Z', /2100-02-29 is not a day of the calendar/],
  ['2026-04-31T10:00:00+08:00', /2026-04-31 is not a day of the calendar \(April 2026 has 30 days\)/],
  ['2026-06-01T24:00:00+08:00', /hour 24 does not exist/],
  ['2026-06-01T10:60:00+08:00', /minute 60 does not exist/],
  ['2016-12-31T23:59:60Z', /leap second/],
];
/** Receiving clock of the tests: every possible time below lies before it. */
const context = (department: Parameters<typeof contextFor>[0]) =>
  contextFor(department, '2026-12-31T00:00:00Z');

describe('toUtc', () => {
  it('given an impossible time, then no time at all (never a rolled-over one)', () => {
    for (const [time] of IMPOSSIBLE) expect(toUtc(time), time).toBeUndefined();
  });

  it('given 29 February of a leap year, then that day in UTC', () => {
    expect(toUtc('2024-02-29T10:00:00+08:00')).toBe('2024-02-29T02:00:00.000Z');
    expect(toUtc('2000-02-29T00:00:00Z')).toBe('2000-02-29T00:00:00.000Z');
  });
});

describe('Open311 JSON and XML: requested_datetime', () => {
  const urban = createOpen311Normalizer({ department: 'urban', codeTable: {} });
  const request = (when: string) => ({
    service_request_id: 'SR-1',
    status: 'open',
    service_code: '011',
    requested_datetime: when,
    address: '桂城街道桂澜路',
  });
  const xml = (when: string) =>
    `<service_requests><request><service_request_id>SR-1</service_request_id><status>open</status>` +
    `<service_code>011</service_code><requested_datetime>${when}</requested_datetime>` +
    `<address>桂城街道桂澜路</address></request></service_requests>`;

  it('given an impossible time, then the JSON record is refused at /requested_datetime saying why', () => {
    for (const [time, why] of IMPOSSIBLE) {
      const { issues } = refusal(urban.normalize(request(time), 0, context('urban')));
      expect(
        issues.map((i) => [i.pointer, i.code]),
        time,
      ).toEqual([['/requested_datetime', 'invalid_field']]);
      expect(issues[0]?.message).toMatch(why);
    }
  });

  it('given an impossible time, then the XML request is refused at its element saying why', () => {
    for (const [time, why] of IMPOSSIBLE) {
      const [outcome] = normalizeXmlBody(xml(time), context('urban'), { open311: urban });
      const issue = refusal(outcome).issues[0];
      expect(issue?.pointer, time).toMatch(/requested_datetime$/);
      expect(issue?.message, time).toMatch(why);
    }
  });

  it('given an impossible updated_datetime, then refused at that field (not "expected union value")', () => {
    const refused = refusal(
      urban.normalize(
        { ...request('2026-02-01T10:00:00+08:00'), updated_datetime: '2026-02-30T10:00:00+08:00' },
        0,
        context('urban'),
      ),
    );
    expect(refused.issues[0]).toMatchObject({ pointer: '/updated_datetime' });
    expect(refused.issues[0]?.message).toMatch(/2026-02-30 is not a day of the calendar/);
  });

  it('given 29 February 2024, then accepted on that day', () => {
    const event = acceptedEvent(urban.normalize(request('2024-02-29T10:00:00+08:00'), 0, context('urban')));
    expect(event.occurredAt).toBe('2024-02-29T02:00:00.000Z');
  });
});

describe('SensorThings: phenomenonTime and resultTime', () => {
  const station: GaugeStation = {
    datastreamId: 19,
    stationId: 'ST-19',
    name: { zh: '桂城水位站', en: 'Guicheng gauge' },
    kind: 'river_level',
    position: { lon: 113.15, lat: 23.04 },
    unit: 'm',
    thresholds: {},
  };
  const normalizer = createSensorThingsNormalizer({ stations: [station] });
  const observation = (times: Record<string, string>) => ({
    '@iot.id': 1,
    phenomenonTime: '2026-06-01T10:00:00+08:00',
    result: 3.2,
    Datastream: { '@iot.id': 19 },
    ...times,
  });

  it('given an impossible instant, interval start or end, then refused at /phenomenonTime saying why', () => {
    for (const [time, why] of IMPOSSIBLE) {
      for (const [phenomenonTime, part] of [
        [time, /^"/],
        [`${time}/2026-06-01T10:00:00+08:00`, /^the start of the interval, /],
        [`2016-01-01T00:00:00Z/${time}`, /^the end of the interval, /],
      ] as const) {
        const refused = refusal(normalizer.normalize(observation({ phenomenonTime }), 0, context('water')));
        expect(refused.issues[0], phenomenonTime).toMatchObject({
          pointer: '/phenomenonTime',
          code: 'invalid_time',
        });
        expect(refused.issues[0]?.message).toMatch(why);
        expect(refused.issues[0]?.message).toMatch(part);
      }
    }
  });

  it('given an impossible resultTime, then refused at /resultTime (it was dropped before)', () => {
    const refused = refusal(
      normalizer.normalize(observation({ resultTime: '2026-02-30T10:00:00+08:00' }), 0, context('water')),
    );
    expect(refused.issues.map((i) => [i.pointer, i.code])).toEqual([['/resultTime', 'invalid_time']]);
    expect(refused.issues[0]?.message).toMatch(/2026-02-30 is not a day of the calendar/);
  });
});

describe('CAP 1.2: sent and the info times', () => {
  const alert = (sent: string, onset = '2026-06-01T10:05:00+08:00') =>
    `<alert xmlns="${CAP_NAMESPACE}"><identifier>T-1</identifier><sender>x@nanhai.example</sender>` +
    `<sent>${sent}</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope>` +
    `<info><language>zh-CN</language><category>Met</category><event>暴雨</event><urgency>Immediate</urgency>` +
    `<severity>Severe</severity><certainty>Observed</certainty><onset>${onset}</onset>` +
    `<area><areaDesc>桂城街道</areaDesc><circle>23.04,113.15 0.5</circle></area></info></alert>`;

  it('given an impossible sent or onset, then refused at that element saying why', () => {
    for (const [time, why] of IMPOSSIBLE) {
      for (const [text, element] of [
        [alert(time), /\/sent$/],
        [alert('2026-06-01T10:00:00+08:00', time), /\/onset$/],
      ] as const) {
        const issue = refusal(normalizeCapDocument(text, context('market'))[0]).issues[0];
        expect(issue, time).toMatchObject({ code: 'invalid_time' });
        expect(issue?.pointer).toMatch(element);
        expect(issue?.message).toMatch(why);
      }
    }
  });

  it('given 29 February 2024, then accepted', () => {
    const event = acceptedEvent(
      normalizeCapDocument(
        alert('2024-02-29T10:00:00+08:00', '2024-02-29T10:05:00+08:00'),
        context('market'),
      )[0],
    );
    expect(event.occurredAt).toBe('2024-02-29T02:05:00.000Z');
  });
});
