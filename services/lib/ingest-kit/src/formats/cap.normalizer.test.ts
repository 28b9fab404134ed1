import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { POLICE_VOCABULARY, type Position } from '@liandong/contracts';
import { eventIdFor } from '../domain/event-id.ts';
import { CIRCLE_STEPS } from './cap.geometry.ts';
import {
  CAP_CATEGORY_TABLE,
  capCategory,
  MAX_AREA_VERTICES,
  normalizeCapDocument,
} from './cap.normalizer.ts';
import { CAP_CATEGORIES, CAP_NAMESPACE, CAP_SEVERITIES } from './cap.parser.ts';
import { acceptedEvent, contextFor, fixture, refusal } from '../normalize-testing.ts';

function normalizeFixture(name: string, department: Parameters<typeof contextFor>[0]) {
  const text = fixture(`cap/${name}`);
  return { text, event: acceptedEvent(normalizeCapDocument(text, contextFor(department))[0]) };
}

/** Great-circle distance in km (haversine), computed here independently of turf. */
function distanceKm([lon1, lat1]: Position, [lon2, lat2]: Position): number {
  const rad = Math.PI / 180;
  const a =
    Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
    Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.sqrt(a));
}

interface AlertParts {
  identifier?: string;
  status?: string;
  msgType?: string;
  sent?: string;
  references?: string;
  infos?: string[];
  prefix?: string;
}

/** A CAP 1.2 alert as a Nanhai department would send it (valid against the CAP 1.2 XSD). */
function alertXml(parts: AlertParts = {}): string {
  const p = parts.prefix ? `${parts.prefix}:` : '';
  const xmlns = parts.prefix ? `xmlns:${parts.prefix}` : 'xmlns';
  const body = [
    `<${p}identifier>${parts.identifier ?? '44060541000000020260601101500001'}</${p}identifier>`,
    `<${p}sender>nanhai-gaj@fs.gd.gov.cn</${p}sender>`,
    `<${p}sent>${parts.sent ?? '2026-06-01T10:15:00+08:00'}</${p}sent>`,
    `<${p}status>${parts.status ?? 'Actual'}</${p}status>`,
    `<${p}msgType>${parts.msgType ?? 'Alert'}</${p}msgType>`,
    `<${p}scope>Public</${p}scope>`,
    parts.references ? `<${p}references>${parts.references}</${p}references>` : '',
    ...(parts.infos ?? [zhInfo()]).map((info) =>
      p ? info.replaceAll('<', `<${p}`).replaceAll(`<${p}/`, `</${p}`) : info,
    ),
  ].join('\n  ');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${p}alert ${xmlns}="${CAP_NAMESPACE}">\n  ${body}\n</${p}alert>\n`;
}

function zhInfo(extra: { category?: string; code?: string; area?: string; severity?: string } = {}): string {
  return [
    '<info>',
    '<language>zh-CN</language>',
    `<category>${extra.category ?? 'Security'}</category>`,
    '<event>人员聚集</event>',
    '<urgency>Immediate</urgency>',
    `<severity>${extra.severity ?? 'Severe'}</severity>`,
    '<certainty>Observed</certainty>',
    extra.code ?? '<eventCode><valueName>liandong</valueName><value>crowd_gathering</value></eventCode>',
    '<onset>2026-06-01T10:05:00+08:00</onset>',
    '<expires>2026-06-01T14:00:00+08:00</expires>',
    '<headline>千灯湖公园东门人员聚集</headline>',
    '<description>约50人聚集</description>',
    extra.area ??
      '<area><areaDesc>桂城街道千灯湖公园</areaDesc><circle>23.0441,113.1512 0.5</circle><geocode><valueName>GB/T 2260</valueName><value>440605</value></geocode></area>',
    '</info>',
  ].join('');
}

describe('normalizeCapDocument: the public CAP 1.2 fixtures', () => {
  it('given OASIS example 1 (Security, no geometry), then one police alert keyed by sender,identifier', () => {
    const { text, event } = normalizeFixture('oasis-a1-homeland-security-resource.xml', 'police');
    expect(event.id).toBe(eventIdFor('police', 'hsas@dhs.gov,43b080713727'));
    expect(event).toMatchObject({
      department: 'police',
      source: {
        format: 'cap-1.2',
        id: 'hsas@dhs.gov,43b080713727',
        sender: 'hsas@dhs.gov',
        system: 'police-test',
      },
      kind: 'alert',
      type: 'police.cap_alert',
      category: 'social_security',
      severity: 'Severe',
      status: 'Actual',
      msgType: 'Alert',
      references: [],
      occurredAt: '2003-04-02T19:39:01.000Z',
      title: { en: 'Homeland Security Sets Code ORANGE', zh: 'Homeland Security Sets Code ORANGE' },
      geocodes: [],
      attributes: { scope: 'Public', urgency: 'Immediate', certainty: 'Likely', capCategories: 'Security' },
    });
    expect(event.texts).toEqual([
      expect.objectContaining({
        language: 'en-US',
        event: 'Homeland Security Advisory System Update',
        areaDesc: 'U.S. nationwide and interests worldwide',
      }),
    ]);
    expect(event.texts[0]?.instruction).toMatch(/^A High Condition/);
    expect(event.location).toBeUndefined();
    expect(event.area).toBeUndefined();
    expect(event.expiresAt).toBeUndefined();
    expect(event.raw).toEqual({ contentType: 'application/cap+xml', body: text });
  });

  it('given OASIS example 2 (Met, polygon), then a GeoJSON polygon in lon,lat order and its centroid', () => {
    const { event } = normalizeFixture('oasis-a2-severe-thunderstorm-polygon.xml', 'water');
    expect(event).toMatchObject({
      type: 'water.cap_alert',
      category: 'natural_disaster',
      severity: 'Severe',
      occurredAt: '2003-06-17T21:57:00.000Z',
      expiresAt: '2003-06-17T23:00:00.000Z',
    });
    expect(event.area).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [-120.14, 38.47],
          [-119.95, 38.34],
          [-119.74, 38.52],
          [-119.89, 38.62],
          [-120.14, 38.47],
        ],
      ],
    });
    // The mean of the four distinct vertices.
    const [lon, lat] = event.location?.coordinates ?? [];
    expect(lon).toBeCloseTo((-120.14 - 119.95 - 119.74 - 119.89) / 4, 6);
    expect(lat).toBeCloseTo((38.47 + 38.34 + 38.52 + 38.62) / 4, 6);
    expect(event.geocodes).toEqual(
      ['006109', '006009', '006003'].map((value) => ({ valueName: 'SAME', value })),
    );
  });

  it('given OASIS example 3 (Update, circle of radius 0), then a point location and a reference to the earlier report', () => {
    const { event } = normalizeFixture('oasis-a3-earthquake-update-circle.xml', 'water');
    expect(event).toMatchObject({
      msgType: 'Update',
      references: [eventIdFor('water', 'trinet@caltech.edu,TRI13970876.1')],
      category: 'natural_disaster',
      severity: 'Minor',
      occurredAt: '2003-06-12T03:56:00.000Z',
      location: { type: 'Point', coordinates: [-115.5527, 32.9525] },
    });
    expect(event.area).toBeUndefined();
  });

  it('given OASIS example 4 (Rescue, en-US and es-US, geocode only), then both texts and the geocode once', () => {
    const { event } = normalizeFixture('oasis-a4-amber-alert-bilingual-geocode.xml', 'police');
    expect(event.id).toBe(eventIdFor('police', 'KARO@CLETS.DOJ.CA.GOV,KAR0-0306112239-SW'));
    expect(event).toMatchObject({
      category: 'social_security',
      severity: 'Severe',
      occurredAt: '2003-06-12T05:39:00.000Z',
      title: { en: 'Amber Alert in Los Angeles County' },
      geocodes: [{ valueName: 'SAME', value: '006037' }],
      attributes: { capSource: 'SW' },
    });
    expect(event.texts.map((t) => [t.language, t.headline, t.areaDesc])).toEqual([
      ['en-US', 'Amber Alert in Los Angeles County', 'Los Angeles County'],
      ['es-US', 'Alerta Amber en el condado de Los Ángeles', 'condado de Los Ángeles'],
    ]);
    expect(event.location).toBeUndefined();
    expect(event.adminCode).toBeUndefined();
  });

  it('given the NWS tornado Update (onset after expires), then occurredAt is the onset and nothing is "corrected"', () => {
    const { event } = normalizeFixture('nws-tornado-warning-update-ipaws-bilingual.xml', 'water');
    expect(event).toMatchObject({
      msgType: 'Update',
      references: [eventIdFor('water', 'w-nws.webmaster@noaa.gov,NWS-IDP-DEV-3889295-3321272')],
      severity: 'Extreme',
      category: 'natural_disaster',
      occurredAt: '2020-01-23T20:24:00.000Z',
      expiresAt: '2020-01-23T14:29:00.000Z',
      attributes: { effectiveAt: '2020-01-23T14:24:00.000Z', sentAt: '2020-01-23T14:24:00.000Z' },
    });
    // The two info blocks repeat one polygon: one area, not a multipolygon.
    expect(event.area?.type).toBe('Polygon');
    expect(event.area?.coordinates[0]?.[0]).toEqual([-92.01, 31.72]);
    expect(event.texts.map((t) => t.language)).toEqual(['en-US', 'es-US']);
    expect(event.geocodes).toEqual([
      { valueName: 'UGC', value: 'LAC059' },
      { valueName: 'UGC', value: 'LAC021' },
      { valueName: 'SAME', value: '022059' },
      { valueName: 'SAME', value: '022021' },
    ]);
    const [lon, lat] = event.location?.coordinates ?? [];
    expect(lon).toBeCloseTo((-92.01 - 92.04 - 92.11 - 92.26 - 92.12 - 92.01) / 6, 6);
    expect(lat).toBeCloseTo((31.72 + 31.66 + 31.59 + 31.63 + 31.93 + 31.92) / 6, 6);
  });

  it('given the NWS fire weather Cancel (urn:oid identifier, no final newline), then a Cancel referring to the watch', () => {
    const { text, event } = normalizeFixture('nws-fire-weather-watch-cancel.xml', 'water');
    expect(text.endsWith('</alert>')).toBe(true);
    expect(event).toMatchObject({
      source: {
        id: 'w-nws.webmaster@noaa.gov,urn:oid:2.49.0.1.840.0.200f7ea12e7e752707f256bcb75139b8363610b4.001.1',
      },
      msgType: 'Cancel',
      references: [
        eventIdFor(
          'water',
          'w-nws.webmaster@noaa.gov,urn:oid:2.49.0.1.840.0.1b30bfeb3d4f67abd849b064811d657a163f2249.001.1',
        ),
      ],
      severity: 'Severe',
      occurredAt: '2026-09-13T18:00:00.000Z',
      expiresAt: '2026-09-12T15:30:17.000Z',
      attributes: { responseTypes: 'Monitor', urgency: 'Past' },
    });
    expect(event.geocodes.map((g) => g.value)).toEqual(['030001', '030043', '030057', '030093', 'MTZ111']);
    expect(event.location).toBeUndefined();
  });

  it('given the ECCC signed Update (five categories, 21 references, -00:00), then all references map and Env decides', () => {
    const text = fixture('cap/capcp-eccc-air-quality-update-bilingual-signed.xml');
    const event = acceptedEvent(normalizeCapDocument(text, contextFor('health'))[0]);
    const triples = /<references>([^<]*)<\/references>/.exec(text)?.[1]?.trim().split(/\s+/) ?? [];
    expect(triples).toHaveLength(21);
    expect(event.references).toEqual(
      triples.map((t) => eventIdFor('health', t.split(',').slice(0, 2).join(','))),
    );
    expect(event.references[0]).toBe(
      eventIdFor('health', 'cap-pac@canada.ca,urn:oid:2.49.0.1.124.0418658791.2026'),
    );
    expect(event).toMatchObject({
      msgType: 'Update',
      category: 'accident',
      severity: 'Minor',
      occurredAt: '2026-09-12T05:48:05.000Z',
      expiresAt: '2026-09-12T06:48:05.000Z',
      attributes: { capCategories: 'Env Health Geo Met Transport', responseTypes: 'AllClear' },
      title: { en: 'yellow warning - air quality - ended' },
    });
    expect(event.texts.map((t) => t.language)).toEqual(['en-CA', 'fr-CA']);
    expect(event.texts[1]?.headline).toBe("avertissement jaune - qualité de l'air - terminé");
    const ring = event.area?.type === 'Polygon' ? event.area.coordinates[0] : undefined;
    expect(ring).toHaveLength(10);
    expect(ring?.[0]).toEqual([-119.5784, 60.8692]);
    expect(event.geocodes).toHaveLength(4);
    // The XML signature is kept in the raw document and nowhere else.
    expect(JSON.stringify({ ...event, raw: undefined })).not.toContain('SignatureValue');
    expect(event.raw.body).toContain('<SignatureValue>');
  });
});

describe('normalizeCapDocument: rules', () => {
  const context = contextFor('police', '2026-06-01T02:20:00.000Z');

  it('given a LIANDONG eventCode naming a police type, then type, category and title follow the vocabulary', () => {
    const event = acceptedEvent(normalizeCapDocument(alertXml({ prefix: 'cap' }), context)[0]);
    expect(event).toMatchObject({
      type: 'police.crowd_gathering',
      category: POLICE_VOCABULARY.crowd_gathering.category,
      severity: 'Severe',
      occurredAt: '2026-06-01T02:05:00.000Z',
      expiresAt: '2026-06-01T06:00:00.000Z',
      adminCode: '440605',
      title: { zh: '千灯湖公园东门人员聚集', en: 'Crowd gathering' },
      texts: [
        {
          language: 'zh-CN',
          event: '人员聚集',
          headline: '千灯湖公园东门人员聚集',
          description: '约50人聚集',
          areaDesc: '桂城街道千灯湖公园',
        },
      ],
    });
    expect(event.id).toBe(eventIdFor('police', 'nanhai-gaj@fs.gd.gov.cn,44060541000000020260601101500001'));
  });

  it('given a LIANDONG code written as <dept>.<key>, or one not in the vocabulary, then the type is that key or cap_alert', () => {
    const dotted = alertXml({
      infos: [
        zhInfo({ code: '<eventCode><valueName>LIANDONG</valueName><value>police.fire</value></eventCode>' }),
      ],
    });
    expect(acceptedEvent(normalizeCapDocument(dotted, context)[0]).type).toBe('police.fire');
    const unknown = alertXml({
      infos: [
        zhInfo({
          code: '<eventCode><valueName>LIANDONG</valueName><value>alien_landing</value></eventCode>',
        }),
      ],
    });
    const event = acceptedEvent(normalizeCapDocument(unknown, context)[0]);
    expect(event.type).toBe('police.cap_alert');
    expect(event.category).toBe('social_security');
    expect(event.attributes['liandongEventCode']).toBe('alien_landing');
    expect(event.title).toEqual({ zh: '千灯湖公园东门人员聚集', en: '千灯湖公园东门人员聚集' });
  });

  it('given a circle with a radius, then a polygon whose vertices lie that far from the centre', () => {
    const event = acceptedEvent(normalizeCapDocument(alertXml(), context)[0]);
    const ring = event.area?.type === 'Polygon' ? event.area.coordinates[0] : undefined;
    expect(ring).toHaveLength(CIRCLE_STEPS + 1);
    expect(ring?.[0]).toEqual(ring?.[ring.length - 1]);
    for (const vertex of ring ?? []) expect(distanceKm(vertex, [113.1512, 23.0441])).toBeCloseTo(0.5, 2);
    const [lon, lat] = event.location?.coordinates ?? [];
    expect(lon).toBeCloseTo(113.1512, 4);
    expect(lat).toBeCloseTo(23.0441, 4);
  });

  it('given 200 distinct circles (13,000 vertices), then refused naming the vertex limit, before any circle is computed', () => {
    const circles = Array.from({ length: 200 }, (_, i) => `<circle>23.0441,113.${1000 + i} 50</circle>`).join(
      '',
    );
    const area = `<area><areaDesc>多处</areaDesc>${circles}</area>`;
    const started = performance.now();
    const refused = refusal(normalizeCapDocument(alertXml({ infos: [zhInfo({ area })] }), context)[0]);
    const issue = refused.issues.find((i) => i.code === 'area_too_large');
    expect(issue?.message).toContain(String(MAX_AREA_VERTICES));
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('given a circle wider than half the Earth, then refused naming the largest radius', () => {
    const area = '<area><areaDesc>全球</areaDesc><circle>23.0441,113.1512 40000</circle></area>';
    const refused = refusal(normalizeCapDocument(alertXml({ infos: [zhInfo({ area })] }), context)[0]);
    expect(refused.issues.find((i) => i.code === 'invalid_circle')?.message).toContain('20000 km');
  });

  it('given two different polygons, then a multipolygon', () => {
    const area =
      '<area><areaDesc>两处</areaDesc>' +
      '<polygon>23.0,113.0 23.1,113.0 23.1,113.1 23.0,113.0</polygon>' +
      '<polygon>23.2,113.2 23.3,113.2 23.3,113.3 23.2,113.2</polygon></area>';
    const event = acceptedEvent(normalizeCapDocument(alertXml({ infos: [zhInfo({ area })] }), context)[0]);
    expect(event.area?.type).toBe('MultiPolygon');
    expect(event.area?.coordinates).toHaveLength(2);
  });

  it('given Exercise and Test, then they are kept; given System or Draft, then refused with the reason', () => {
    for (const status of ['Exercise', 'Test']) {
      expect(acceptedEvent(normalizeCapDocument(alertXml({ status }), context)[0]).status).toBe(status);
    }
    for (const status of ['System', 'Draft']) {
      const refused = refusal(normalizeCapDocument(alertXml({ status }), context)[0]);
      expect(refused.issues).toEqual([
        expect.objectContaining({ pointer: '/alert/status', code: 'status_not_accepted' }),
      ]);
      expect(refused.issues[0]?.message).toMatch(new RegExp(`status ${status} is not taken`));
      expect(refused.sourceId).toBe('nanhai-gaj@fs.gd.gov.cn,44060541000000020260601101500001');
    }
    const ack = refusal(normalizeCapDocument(alertXml({ msgType: 'Ack' }), context)[0]);
    expect(ack.issues[0]).toMatchObject({ pointer: '/alert/msgType', code: 'msg_type_not_accepted' });
  });

  it('given broken parts, then each refusal names the path and what was wrong', () => {
    const area =
      '<area><areaDesc>x</areaDesc><polygon>23.0,113.0 23.1,113.0 23.1,113.1 23.2,113.0</polygon></area>';
    const second = zhInfo({
      severity: 'Catastrophic',
      area: '<area><areaDesc>x</areaDesc><circle>113.15,23.04 1</circle></area>',
    });
    const refused = refusal(
      normalizeCapDocument(
        alertXml({
          sent: '2026-06-01 10:15',
          references: 'only-two,parts',
          infos: [zhInfo({ area, category: 'Weather' }), second],
        }),
        context,
      )[0],
    );
    const expected: Record<string, RegExp> = {
      '/alert/sent': /"2026-06-01 10:15": not an RFC 3339 date-time with an offset/,
      '/alert/references': /"only-two,parts" is not a "sender,identifier,sent" triple/,
      '/alert/info[1]/category': /"Weather" is not a CAP 1.2 category/,
      '/alert/info[2]/severity': /"Catastrophic" is not a CAP 1.2 severity/,
    };
    expect(refused.issues.map((i) => i.pointer).sort()).toEqual(Object.keys(expected).sort());
    for (const issue of refused.issues) expect(issue.message).toMatch(expected[issue.pointer] as RegExp);
    const geometry = refusal(normalizeCapDocument(alertXml({ infos: [zhInfo({ area })] }), context)[0]);
    expect(geometry.issues).toEqual([
      expect.objectContaining({ pointer: '/alert/info/area/polygon', code: 'invalid_polygon' }),
    ]);
    const swapped = refusal(
      normalizeCapDocument(
        alertXml({
          infos: [zhInfo({ area: '<area><areaDesc>x</areaDesc><circle>113.15,23.04 1</circle></area>' })],
        }),
        context,
      )[0],
    );
    expect(swapped.issues[0]).toMatchObject({
      pointer: '/alert/info/area/circle',
      code: 'invalid_coordinates',
    });
    expect(swapped.issues[0]?.message).toMatch(/latitude must be .*CAP writes latitude first/);
  });

  it('given a responseType outside CAP 1.2 and no category, then both are named', () => {
    const info = zhInfo()
      .replace('<category>Security</category>', '')
      .replace(
        '<certainty>Observed</certainty>',
        '<certainty>Observed</certainty><responseType>Panic</responseType>',
      );
    const refused = refusal(normalizeCapDocument(alertXml({ infos: [info] }), context)[0]);
    expect(refused.issues.map((i) => [i.pointer, i.code])).toEqual([
      ['/alert/info/category', 'missing_field'],
      ['/alert/info/responseType', 'invalid_field'],
    ]);
    expect(refused.issues[1]?.message).toMatch(
      /"Panic" is not a CAP 1.2 responseType: use one of Shelter, Evacuate/,
    );
  });

  it('given a missing identifier or a comma in it, then the refusal says so', () => {
    const missing = refusal(normalizeCapDocument(alertXml({ identifier: '' }), context)[0]);
    expect(missing.issues[0]).toMatchObject({ pointer: '/alert/identifier', code: 'missing_field' });
    expect(missing.sourceId).toBeUndefined();
    const comma = refusal(normalizeCapDocument(alertXml({ identifier: 'a,b' }), context)[0]);
    expect(comma.issues[0]?.message).toMatch(/must not contain spaces, commas/);
  });

  it('given an alert sent in the future, then refused; given one with an onset ahead, then accepted', () => {
    const future = refusal(normalizeCapDocument(alertXml({ sent: '2026-06-01T11:00:00+08:00' }), context)[0]);
    expect(future.issues[0]).toMatchObject({ pointer: '/alert/sent', code: 'in_future' });
    const ahead = alertXml().replace(
      '<onset>2026-06-01T10:05:00+08:00</onset>',
      '<onset>2026-06-02T08:00:00+08:00</onset>',
    );
    expect(acceptedEvent(normalizeCapDocument(ahead, context)[0]).occurredAt).toBe(
      '2026-06-02T00:00:00.000Z',
    );
  });

  it('given a CAP 1.1 alert or another root, then refused naming the namespace expected', () => {
    const old = alertXml().replace(CAP_NAMESPACE, 'urn:oasis:names:tc:emergency:cap:1.1');
    const refused = refusal(normalizeCapDocument(old, context)[0]);
    expect(refused.issues[0]).toMatchObject({ pointer: '/alert', code: 'not_cap_1_2' });
    expect(refused.issues[0]?.message).toContain(CAP_NAMESPACE);
  });

  it('given an Alert or Update with no info, or infos with no area, then refused naming where the place is missing; a Cancel needs none', () => {
    const refusal = (xml: string) => {
      const [outcome] = normalizeCapDocument(xml, context);
      return outcome && !outcome.ok ? outcome.issues.map((i) => [i.pointer, i.code]) : 'accepted';
    };
    expect(refusal(alertXml({ msgType: 'Alert', infos: [] }))).toEqual([['/alert/info', 'missing_location']]);
    const noArea = zhInfo().replace(/<area>.*<\/area>/, '');
    expect(
      refusal(alertXml({ msgType: 'Update', references: 'a,b,2026-06-01T10:00:00+08:00', infos: [noArea] })),
    ).toEqual([['/alert/info/area', 'missing_location']]);
    // One info with an area is enough; an area with only its areaDesc is a place in words.
    const descOnly = zhInfo({ area: '<area><areaDesc>桂城街道千灯湖公园</areaDesc></area>' });
    expect(refusal(alertXml({ infos: [noArea, descOnly] }))).toBe('accepted');
    expect(refusal(alertXml({ msgType: 'Cancel', infos: [] }))).toBe('accepted');
  });

  it('given a Cancel without info, then an alert of unknown severity at the time it was sent', () => {
    const event = acceptedEvent(normalizeCapDocument(alertXml({ msgType: 'Cancel', infos: [] }), context)[0]);
    expect(event).toMatchObject({
      severity: 'Unknown',
      type: 'police.cap_alert',
      category: 'social_security',
      occurredAt: '2026-06-01T02:15:00.000Z',
      texts: [],
    });
    expect(event.title).toBeUndefined();
  });

  it('maps every CAP category, Other to the department’s own', () => {
    expect(CAP_CATEGORY_TABLE).toMatchObject({
      Met: 'natural_disaster',
      Geo: 'natural_disaster',
      Env: 'accident',
      Health: 'public_health',
      Security: 'social_security',
      Rescue: 'social_security',
      Fire: 'accident',
      CBRNE: 'accident',
    });
    expect(capCategory('Other', 'health')).toBe('public_health');
    expect(capCategory('Other', 'water')).toBe('natural_disaster');
    expect(capCategory('Other', 'traffic')).toBe('accident');
  });

  it('property: any valid alert normalizes to a contract-valid event, deterministically, with lon/lat in GeoJSON order', () => {
    const coordinate = fc.record({
      lat: fc.double({ min: -60, max: 60, noNaN: true }).map((v) => v.toFixed(6)),
      lon: fc.double({ min: -170, max: 170, noNaN: true }).map((v) => v.toFixed(6)),
    });
    const alert = fc.record({
      identifier: fc.stringMatching(/^[A-Za-z0-9._:-]{1,40}$/),
      status: fc.constantFrom('Actual', 'Exercise', 'Test'),
      msgType: fc.constantFrom('Alert', 'Update', 'Cancel'),
      category: fc.constantFrom(...CAP_CATEGORIES),
      severity: fc.constantFrom(...CAP_SEVERITIES),
      code: fc.constantFrom(...Object.keys(POLICE_VOCABULARY), 'nothing_known'),
      center: coordinate,
      radiusKm: fc.double({ min: 0, max: 50, noNaN: true }).map((v) => v.toFixed(3)),
      offsetHours: fc.integer({ min: -12, max: 14 }),
    });
    fc.assert(
      fc.property(alert, (a) => {
        const offset = `${a.offsetHours < 0 ? '-' : '+'}${String(Math.abs(a.offsetHours)).padStart(2, '0')}:00`;
        const local = new Date(Date.parse('2026-06-01T02:00:00Z') + a.offsetHours * 3_600_000);
        const sent = `${local.toISOString().slice(0, 19)}${offset}`;
        const area = `<area><areaDesc>x</areaDesc><circle>${a.center.lat},${a.center.lon} ${a.radiusKm}</circle></area>`;
        const code = `<eventCode><valueName>LIANDONG</valueName><value>${a.code}</value></eventCode>`;
        const text = alertXml({
          identifier: a.identifier,
          status: a.status,
          msgType: a.msgType,
          sent,
          infos: [zhInfo({ category: a.category, severity: a.severity, area, code })],
        });
        const [first] = normalizeCapDocument(text, context);
        const [second] = normalizeCapDocument(text, context);
        expect(first).toEqual(second);
        const event = acceptedEvent(first);
        expect(event.attributes['sentAt']).toBe('2026-06-01T02:00:00.000Z');
        expect(event.severity).toBe(a.severity);
        expect(event.type).toBe(`police.${a.code === 'nothing_known' ? 'cap_alert' : a.code}`);
        const [lon, lat] = event.location?.coordinates ?? [NaN, NaN];
        expect(Math.abs(lon - Number(a.center.lon))).toBeLessThan(1);
        expect(Math.abs(lat - Number(a.center.lat))).toBeLessThan(1);
      }),
      { numRuns: 200 },
    );
  });
});
