import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MARKET_VOCABULARY, URBAN_VOCABULARY } from '@liandong/contracts';
import { eventIdFor } from '../domain/event-id.ts';
import { acceptedEvent, contextFor, fixture, refusal, thrownAppError } from '../normalize-testing.ts';
import { createOpen311Normalizer, parseOpen311Json } from './open311.normalizer.ts';
import { normalizeXmlBody } from './xml-body.normalizer.ts';

const urban = createOpen311Normalizer({
  department: 'urban',
  codeTable: { '006': 'road_damage', '011': 'waterlogging', '021': 'manhole_cover' },
});
const context = contextFor('urban');

function xmlOutcomes(text: string) {
  return normalizeXmlBody(text, context, { open311: urban });
}

const request = {
  service_request_id: 'SR-2026-0001',
  status: 'open',
  service_code: '011',
  service_name: '道路积水',
  description: '桂澜路与海八路交界处积水约30厘米',
  requested_datetime: '2026-09-23T09:40:00+08:00',
  address: '桂城街道桂澜路与海八路交界',
  lat: 23.0302,
  long: 113.1494,
  media_url: 'https://12345.nanhai.gov.cn/media/1.jpg',
};

describe('parseOpen311Json', () => {
  it('given ids above 2^53 sent as numbers, then every digit is kept (two ids never become one)', () => {
    const parsed = parseOpen311Json(
      '[{"service_request_id":9007199254740993,"note":"12345678901234567890","lat":23.0441},{"service_request_id":9007199254740992}]',
    ) as Record<string, unknown>[];
    expect(parsed[0]).toEqual({
      service_request_id: '9007199254740993',
      note: '12345678901234567890',
      lat: 23.0441,
    });
    expect(parsed[1]?.['service_request_id']).toBe('9007199254740992');
  });

  it('given the specification example with "service_code":006, then 006 is read as the string "006"', () => {
    const parsed = parseOpen311Json(fixture('open311/spec-get-service-requests-example.json.txt'));
    expect(Array.isArray(parsed)).toBe(true);
    const [first, second] = parsed as Record<string, unknown>[];
    expect(first).toMatchObject({ service_request_id: 638344, service_code: '006', zipcode: 94122 });
    expect(second?.['service_code']).toBe('006');
  });

  it('given leading zeros inside strings or in a plain body, then nothing is rewritten', () => {
    expect(parseOpen311Json('{"a":"006","b":0,"c":10,"d":-0.5}')).toEqual({ a: '006', b: 0, c: 10, d: -0.5 });
  });

  it('given any other syntax error, then a malformed body naming the line and column as sent', () => {
    const trailing = thrownAppError(() => parseOpen311Json('[\n  {"service_code":006, "lat": 23.1,}\n]'));
    expect(trailing.code).toBe('malformed_body');
    // The error is the "}" at column 36 of line 2 as sent (38 in the rewritten text).
    expect(trailing.message).toBe(
      'the body is not valid JSON at line 2, column 36: Expected double-quoted property name',
    );
    const fraction = thrownAppError(() => parseOpen311Json('{"lat": 023.5}'));
    expect(fraction.message).toMatch(/at line 1, column 10/);
  });
});

describe('Open311 requests → urban events', () => {
  it('given the specification JSON example, then two events with the code mapped, ids as strings, URLs trimmed', () => {
    const records = urban.parse(fixture('open311/spec-get-service-requests-example.json.txt')) as unknown[];
    const [closed, open] = records.map((record, index) =>
      acceptedEvent(urban.normalize(record, index, context)),
    );
    expect(closed?.id).toBe(eventIdFor('urban', '638344'));
    expect(closed).toMatchObject({
      department: 'urban',
      source: { system: 'urban-test', format: 'open311-v2-json', id: '638344', crs: 'WGS84' },
      kind: 'request',
      type: 'urban.road_damage',
      category: URBAN_VOCABULARY.road_damage.category,
      severity: URBAN_VOCABULARY.road_damage.severity,
      status: 'Actual',
      occurredAt: '2010-04-14T14:37:38.000Z',
      location: { type: 'Point', coordinates: [-122.4651145, 37.7622218] }, // 7 decimals, ~1 cm
      address: '8TH AVE and JUDAH ST',
      title: URBAN_VOCABULARY.road_damage.name,
      texts: [],
      attributes: {
        status: 'closed',
        serviceCode: '006',
        serviceName: 'Sidewalk and Curb Issues',
        statusNotes: 'Duplicate request.',
        updatedAt: '2010-04-14T14:37:38.000Z',
        expectedAt: '2010-04-15T14:37:38.000Z',
        addressId: '545483',
        zipcode: '94122',
        mediaUrl: 'http://city.gov.s3.amazonaws.com/requests/media/638344.jpg',
      },
    });
    expect(open).toMatchObject({ source: { id: '638349' }, attributes: { status: 'open' } });
    expect(open?.attributes['statusNotes']).toBeUndefined();
  });

  it('given the GET /requests XML fixture, then one event per <request>, each with its own raw element', () => {
    const text = fixture('open311/cfa-get-service-requests.xml');
    const events = xmlOutcomes(text).map(acceptedEvent);
    expect(events.map((e) => e.source.id)).toEqual(['638344', '638349']);
    const [first, second] = events;
    expect(first).toMatchObject({
      source: { format: 'open311-v2-xml' },
      type: 'urban.road_damage',
      occurredAt: '2010-04-14T14:37:38.000Z',
      location: { type: 'Point', coordinates: [-122.4651145, 37.7622218] }, // 7 decimals, ~1 cm
      attributes: {
        status: 'closed',
        serviceCode: '006',
        mediaUrl: 'http://open311.city.gov.s3.amazonaws.com/requests/media/638344.rss',
      },
      raw: { contentType: 'application/xml' },
    });
    expect(first?.raw.body).toMatch(
      /^<request>\n\t<service_request_id>638344<\/service_request_id>[\s\S]*<\/request>$/,
    );
    expect(second?.raw.body).toContain('638349');
    expect(second?.raw.body).not.toContain('638344<');
    // Empty elements (<description></description>) are absent, not empty strings.
    expect(first?.texts).toEqual([]);
    expect(first?.attributes['agencyResponsible']).toBeUndefined();
  });

  it('given GET /requests/{id}, then its one request', () => {
    const [outcome] = xmlOutcomes(fixture('open311/cfa-get-service-request-single.xml'));
    expect(acceptedEvent(outcome)).toMatchObject({
      source: { id: '638344' },
      attributes: { status: 'closed' },
    });
  });

  it('given the POST /requests response, then it is refused as no request, with what to send instead', () => {
    const outcomes = xmlOutcomes(fixture('open311/cfa-post-service-request-response.xml'));
    expect(outcomes).toHaveLength(1);
    const refused = refusal(outcomes[0]);
    expect(refused.sourceId).toBe('293944');
    expect(refused.issues).toEqual([
      expect.objectContaining({ pointer: '/service_requests/request', code: 'not_a_service_request' }),
    ]);
    expect(refused.issues[0]?.message).toMatch(/reply to POST \/requests.*send the request as GET/);
  });

  it('given namespace prefixes or a <service_request> root, then the requests are read all the same', () => {
    const fields = Object.entries(request)
      .map(([name, value]) => `<o:${name}>${value}</o:${name}>`)
      .join('');
    const prefixed = `<o:service_requests xmlns:o="urn:example:open311"><o:request>${fields}</o:request></o:service_requests>`;
    expect(acceptedEvent(xmlOutcomes(prefixed)[0])).toMatchObject({ type: 'urban.waterlogging' });
    const single = `<service_request>${fields.replaceAll('o:', '')}</service_request>`;
    expect(acceptedEvent(xmlOutcomes(single)[0]).source.id).toBe('SR-2026-0001');
    const stray = refusal(xmlOutcomes(`<service_requests><note>hi</note></service_requests>`)[0]);
    expect(stray.issues[0]).toMatchObject({ pointer: '/service_requests/note', code: 'unexpected_element' });
    expect(thrownAppError(() => xmlOutcomes('<service_requests/>')).message).toMatch(/holds no <request>/);
  });

  it('given a later state of a request, then an Update of its first state, keyed by the time it was updated', () => {
    const opened = acceptedEvent(
      urban.normalize({ ...request, updated_datetime: request.requested_datetime }, 0, context),
    );
    expect(opened).toMatchObject({ msgType: 'Alert', references: [], source: { id: 'SR-2026-0001' } });

    const closed = acceptedEvent(
      urban.normalize(
        {
          ...request,
          status: 'closed',
          status_notes: '已排水，道路恢复通行',
          updated_datetime: '2026-09-23T09:55:00+08:00',
        },
        0,
        context,
      ),
    );
    expect(closed).toMatchObject({
      id: eventIdFor('urban', 'SR-2026-0001@2026-09-23T01:55:00.000Z'),
      msgType: 'Update',
      references: [opened.id],
      source: { id: 'SR-2026-0001@2026-09-23T01:55:00.000Z' },
      occurredAt: opened.occurredAt, // still when it was reported
      attributes: {
        serviceRequestId: 'SR-2026-0001',
        status: 'closed',
        updatedAt: '2026-09-23T01:55:00.000Z',
      },
    });
  });

  it('given an updated_datetime in the future, then it is refused at that field', () => {
    const future = urban.normalize(
      { ...request, updated_datetime: new Date(context.receivedAt.getTime() + 3_600_000).toISOString() },
      0,
      context,
    );
    expect(refusal(future).issues).toContainEqual(
      expect.objectContaining({ pointer: '/updated_datetime', code: 'in_future' }),
    );
  });

  it('given a JSON request in Chinese, then its description is a zh-CN text and its code maps', () => {
    const event = acceptedEvent(urban.normalize(request, 0, context));
    expect(event).toMatchObject({
      type: 'urban.waterlogging',
      category: 'natural_disaster',
      occurredAt: '2026-09-23T01:40:00.000Z',
      texts: [{ language: 'zh-CN', description: '桂澜路与海八路交界处积水约30厘米' }],
    });
  });

  it('given an unknown service code, then the type is other', () => {
    const event = acceptedEvent(urban.normalize({ ...request, service_code: 999 }, 0, context));
    expect(event.type).toBe('urban.other');
    expect(event.attributes['serviceCode']).toBe('999');
  });

  it('given personal data of the requester, then it stays in the raw record only', () => {
    const event = acceptedEvent(
      urban.normalize(
        { ...request, first_name: '王', last_name: '小明', email: 'wxm@example.cn', phone: '13912345678' },
        0,
        context,
      ),
    );
    const { raw, ...rest } = event;
    for (const personal of ['小明', 'wxm@example.cn', '13912345678']) {
      expect(JSON.stringify(rest)).not.toContain(personal);
      expect(raw.body).toContain(personal);
    }
  });

  it('given a GCJ-02 service, then positions are converted to WGS-84 and the source CRS kept', () => {
    const event = acceptedEvent(urban.normalize(request, 0, { ...context, defaultCrs: 'GCJ02' }));
    expect(event.source.crs).toBe('GCJ02');
    const [lon, lat] = event.location?.coordinates ?? [];
    expect(lon).toBeLessThan(113.1494 - 0.004);
    expect(lat).toBeGreaterThan(23.0302 + 0.002);
    const sanFrancisco = refusal(
      urban.normalize({ ...request, lat: 37.762221815, long: -122.4651145 }, 0, {
        ...context,
        defaultCrs: 'GCJ02',
      }),
    );
    expect(sanFrancisco.issues[0]).toMatchObject({ pointer: '', code: 'invalid_coordinates' });
    expect(sanFrancisco.issues[0]?.message).toMatch(/GCJ02 is defined only within China/);
  });

  it('given bad fields, then each refusal names the field', () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ ...request, status: 'pending' }, '/status', 'invalid_field'],
      [{ ...request, requested_datetime: '2026-09-23 09:40' }, '/requested_datetime', 'invalid_field'],
      [{ ...request, requested_datetime: '2026-09-23T12:00:00+08:00' }, '/requested_datetime', 'in_future'],
      [{ ...request, lat: 123 }, '/lat', 'invalid_field'],
      [{ ...request, long: undefined }, '/long', 'invalid_coordinates'],
      [{ ...request, lat: undefined, long: undefined, address: undefined }, '/lat', 'missing_location'],
      [{ ...request, media_url: 'javascript:alert(1)' }, '/media_url', 'invalid_field'],
      [{ ...request, service_code: undefined }, '/service_code', 'invalid_field'],
    ];
    for (const [value, pointer, code] of cases) {
      const refused = refusal(urban.normalize(JSON.parse(JSON.stringify(value)), 4, context));
      expect(refused.index).toBe(4);
      expect(refused.sourceId).toBe('SR-2026-0001');
      expect(refused.issues[0]).toMatchObject({ pointer, code });
    }
    const xml = refusal(
      xmlOutcomes(
        `<service_requests><request><service_request_id>1</service_request_id><status>open</status><service_code>006</service_code><requested_datetime>2026-09-23T09:00:00+08:00</requested_datetime><lat>23.1</lat><long>east</long></request></service_requests>`,
      )[0],
    );
    expect(xml.issues[0]?.pointer).toBe('/service_requests/request/long');
  });

  it('given a market table, then market requests use the market vocabulary', () => {
    const market = createOpen311Normalizer({ department: 'market', codeTable: { F01: 'food_complaint' } });
    const event = acceptedEvent(
      market.normalize({ ...request, service_code: 'F01' }, 0, contextFor('market')),
    );
    expect(event).toMatchObject({
      department: 'market',
      type: 'market.food_complaint',
      title: MARKET_VOCABULARY.food_complaint.name,
    });
  });

  it('refuses a code table that names types the vocabulary does not have, at once', () => {
    expect(() => createOpen311Normalizer({ department: 'urban', codeTable: { '1': 'volcano' } })).toThrow(
      /1 → "volcano" not in the urban vocabulary/,
    );
  });

  it('property: any valid request normalizes to a contract-valid event with the id of its service_request_id', () => {
    const codes = ['006', '011', '021', '999'];
    const arbitrary = fc.record({
      service_request_id: fc.oneof(fc.stringMatching(/^[A-Za-z0-9-]{1,30}$/), fc.nat()),
      status: fc.constantFrom('open', 'closed'),
      service_code: fc.constantFrom(...codes),
      requested_datetime: fc
        .date({
          min: new Date('2010-01-01T00:00:00Z'),
          max: new Date('2026-09-23T02:00:00Z'),
          noInvalidDate: true,
        })
        .map((d) => d.toISOString()),
      lat: fc.double({ min: -90, max: 90, noNaN: true }),
      long: fc.double({ min: -180, max: 180, noNaN: true }),
      description: fc.option(fc.string({ maxLength: 200 }), { nil: null }),
    });
    fc.assert(
      fc.property(arbitrary, (value) => {
        const first = urban.normalize(value, 0, context);
        expect(urban.normalize(value, 0, context)).toEqual(first);
        const event = acceptedEvent(first);
        expect(event.id).toBe(eventIdFor('urban', String(value.service_request_id)));
        expect(event.location?.coordinates[0]).toBeCloseTo(value.long, 6);
        expect(event.location?.coordinates[1]).toBeCloseTo(value.lat, 6);
        expect(event.type).toBe(
          value.service_code === '999'
            ? 'urban.other'
            : `urban.${['road_damage', 'waterlogging', 'manhole_cover'][codes.indexOf(value.service_code)]}`,
        );
      }),
      { numRuns: 300 },
    );
  });
});
