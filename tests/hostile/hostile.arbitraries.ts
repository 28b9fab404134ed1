/**
 * Generated hostile pushes, one arbitrary per ingest format. Each case says what a correct service
 * answers: `refuse` (a 4xx with a problem+json body), `accept` (202: it is genuinely valid),
 * `conflict` (409 naming `pointer`: a JSON record reuses a source id with other content), or
 * `either` (valid or not depending on what was drawn, e.g. a hostile string inside a free-text
 * field: any answer but a 5xx, a crash or a hang).
 *
 * Source ids are drawn from small sets, so a valid record may reuse the id of one accepted earlier
 * in the run with other content: a JSON record is then answered 409 (a conflict, the first state
 * kept), which the test allows for any case as long as the id it names was accepted before.
 */
import fc from 'fast-check';

export type Expect = 'refuse' | 'accept' | 'conflict' | 'either';

export interface HostileCase {
  /** Which family of hostility this is (the test counts answers per kind). */
  kind: string;
  body: string | Uint8Array;
  contentType: string;
  headers?: Record<string, string>;
  expect: Expect;
  /** For `conflict`: the JSON Pointer the 409 must name. */
  pointer?: string;
}

const SQL = [
  "'; DROP TABLE ingest_records; --",
  "' OR '1'='1",
  '1; SELECT pg_sleep(10); --',
  "'); DELETE FROM audit_log; --",
  '$$; COPY (SELECT 1) TO PROGRAM $$id',
];
const SCRIPT = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '{{constructor.constructor("return process")()}}',
  '${jndi:ldap://127.0.0.1:1/a}',
  '\u202e\u0000\u0007\u001b[31m',
  '\ud800',
  '../../../../etc/passwd',
];

/** Strings a caller should never be able to hurt the service with. */
const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SQL, ...SCRIPT) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 64 }) },
  { weight: 1, arbitrary: fc.constantFrom(5_000, 100_000, 1_000_000).map((n) => '界'.repeat(n)) },
);

const hostileJsonValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.constantFrom(null, true, false, 0, -1, 1e308, -1e308, 2 ** 53 + 1, 0.1),
  fc.constant({}),
  fc.constant([]),
  fc.array(fc.integer(), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

/** Tokens that are not JSON numbers but that lenient parsers read as numbers. */
const NON_FINITE = ['NaN', 'Infinity', '-Infinity', '1e999', '-1e999', '0x1F', '+1', '.5', '01'];
/** Times out of range, of no RFC 3339 shape, or whose day or hour does not exist: all refused. */
const FAR_DATES = [
  '2026-02-30T10:00:00+08:00',
  '2025-02-29T10:00:00+08:00',
  '2100-02-29T10:00:00Z',
  '2026-04-31T10:00:00+08:00',
  '2026-06-01T24:00:00+08:00',
  '2026-06-01T10:60:00+08:00',
  '2016-12-31T23:59:60Z',
  '+275760-09-13T00:00:00Z',
  '275761-01-01T00:00:00Z',
  '-271821-04-20T00:00:00Z',
  '0000-00-00T00:00:00Z',
  '2026-13-45T25:61:61+08:00',
  '2026-06-01T10:00:00+99:00',
  '2026-06-01T10:00:00',
  '2026-06-01',
  '1e10',
  '',
];
/**
 * Deepest JSON nesting sent (from 100 levels up). The ingest kit refuses more than 64 levels with
 * a 400 before anything recursive reads the body (it answered 500 from about 5,000 levels once).
 */
const MAX_JSON_DEPTH = Number(process.env['HOSTILE_MAX_JSON_DEPTH'] ?? 100_000);
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'];
const POLICE_TYPES = ['crowd_gathering', 'fight', 'theft', 'fire', 'gas_leak', 'flooding', 'other'];

const sourceId = fc.stringMatching(/^[A-Z]{1,3}-[0-9]{1,9}$/);

const policeRecord = fc.record({
  recordId: sourceId,
  recordType: fc.constantFrom('call', 'incident'),
  type: fc.constantFrom(...POLICE_TYPES),
  occurredAt: fc.constant('2026-06-01T10:15:00+08:00'),
  address: fc.constant('大沥镇黄岐'),
  priority: fc.integer({ min: 1, max: 4 }),
  location: fc.record({
    lon: fc.double({ min: 113.0, max: 113.2, noNaN: true }),
    lat: fc.double({ min: 22.9, max: 23.2, noNaN: true }),
  }),
});

/** Bytes that are not UTF-8: lone continuation bytes, overlong encodings, surrogates, 0xFF. */
const INVALID_UTF8 = [
  [0xff],
  [0xc0, 0xaf],
  [0x80],
  [0xed, 0xa0, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xe2, 0x82],
];

function spliceBytes(text: string, at: number, bytes: number[]): Uint8Array {
  const encoded = Buffer.from(text, 'utf8');
  const i = Math.min(at, encoded.length);
  return new Uint8Array(Buffer.concat([encoded.subarray(0, i), Buffer.from(bytes), encoded.subarray(i)]));
}

/** Inside the first string value of the body, so a lenient decoder would carry the damage into an event. */
function firstStringValueAt(text: string): number {
  const at = text.indexOf(':"');
  return at < 0 ? 0 : at + 2;
}

function deepJson(depth: number, open: string, close: string): string {
  return open.repeat(depth) + '1' + close.repeat(depth);
}

/** Hostile variations of one valid JSON record (or a batch of them), for any JSON format. */
function jsonHostility(
  valid: fc.Arbitrary<Record<string, unknown>>,
  fields: {
    coordinates: [string, string] | undefined;
    time: string;
    text: string;
    nest?: string;
    dates?: string[];
  },
  headers?: Record<string, string>,
): fc.Arbitrary<HostileCase> {
  const json = (
    kind: string,
    expect: Expect,
    body: string | Uint8Array,
    contentType = 'application/json',
  ) => ({
    kind,
    body,
    contentType,
    expect,
    ...(headers ? { headers } : {}),
  });
  const cases: fc.Arbitrary<HostileCase>[] = [
    valid.map((r) => json('valid', 'accept', JSON.stringify(r))),
    // A record and, in the same batch, its id again at another time: the second is a conflict.
    valid.map((r) => ({
      ...json(
        'changed-resend',
        'conflict',
        JSON.stringify([r, { ...r, [fields.time]: '2026-06-01T09:59:00+08:00' }]),
      ),
      pointer: `/${fields.time}`,
    })),
    fc
      .tuple(valid, hostileString)
      .map(([r, s]) => json('text-payload', 'either', JSON.stringify({ ...r, [fields.text]: s }))),
    fc
      .tuple(valid, fc.constantFrom(...PROTO_KEYS), hostileJsonValue)
      .map(([r, k, v]) =>
        json(
          'proto-key',
          'either',
          JSON.stringify(r).replace(/^\{/, `{"${k}":${JSON.stringify(v) ?? 'null'},`),
        ),
      ),
    fc
      .tuple(valid, fc.constantFrom(...PROTO_KEYS))
      .map(([r, k]) =>
        json(
          'proto-nested',
          'either',
          JSON.stringify(r).replace(/^\{/, `{"${fields.text}":{"${k}":{"polluted":true}},`),
        ),
      ),
    fc.tuple(valid, fc.nat(), hostileJsonValue).map(([r, i, v]) => {
      const keys = Object.keys(r);
      const key = keys[i % keys.length] as string;
      return json('wrong-type', 'either', JSON.stringify({ ...r, [key]: v }));
    }),
    fc
      .tuple(valid, fc.constantFrom(...(fields.dates ?? FAR_DATES)))
      .map(([r, d]) => json('date-out-of-range', 'refuse', JSON.stringify({ ...r, [fields.time]: d }))),
    fc
      .tuple(
        valid,
        fc.integer({ min: 100, max: MAX_JSON_DEPTH }),
        fc.constantFrom(['[', ']'], ['{"a":', '}']),
      )
      .map(([r, depth, [open, close]]) =>
        json(
          'deep-nesting',
          'refuse',
          JSON.stringify(r).replace(
            /^\{/,
            `{"${fields.nest ?? fields.text}":${deepJson(depth, open as string, close as string)},`,
          ),
        ),
      ),
    fc
      .tuple(valid, fc.constantFrom(1001, 5000, 60_000))
      .map(([r, n]) => json('huge-batch', 'refuse', JSON.stringify(Array.from({ length: n }, () => r)))),
    fc
      .tuple(valid, fc.constantFrom(10_000, 300_000))
      .map(([r, n]) =>
        json('huge-array-field', 'refuse', JSON.stringify({ ...r, [fields.time]: new Array(n).fill(0) })),
      ),
    fc.constantFrom(6 * 1024 * 1024).map((n) => json('huge-body', 'refuse', `{"x":"${'a'.repeat(n)}"}`)),
    fc.tuple(valid, fc.double({ min: 0, max: 0.999, noNaN: true })).map(([r, f]) => {
      const text = JSON.stringify(r);
      return json('truncated', 'refuse', text.slice(0, Math.floor(text.length * f)));
    }),
    fc.tuple(valid, fc.constantFrom(...INVALID_UTF8)).map(([r, bytes]) => {
      const text = JSON.stringify(r);
      return json('invalid-utf8', 'refuse', spliceBytes(text, firstStringValueAt(text), bytes));
    }),
    fc
      .constantFrom('null', '42', '"record"', 'true', '[]', '{}', '[null]', '[[]]', ' ', '\u0000')
      .map((b) => json('wrong-top-level', 'refuse', b)),
    fc
      .tuple(
        valid,
        fc.constantFrom(
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'image/png',
          'application/json; charset=utf-16',
        ),
      )
      .map(([r, ct]) => json('wrong-media-type', 'refuse', JSON.stringify(r), ct)),
  ];
  if (fields.coordinates) {
    const [lonKey, latKey] = fields.coordinates;
    cases.push(
      // Only what no reading of JSON makes finite: Open311 JSON is parsed leniently on purpose (the
      // spec's own example writes 006), so 01, +1 and .5 are numbers there.
      fc
        .tuple(valid, fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e999', '-1e999'), fc.boolean())
        .map(([r, token, onLon]) => {
          const text = JSON.stringify(r);
          const key = onLon ? lonKey : latKey;
          return json(
            'non-finite-coordinate',
            'refuse',
            text.replace(new RegExp(`("${key}":)(-?[0-9.e+-]+)`), `$1${token}`),
          );
        }),
      fc
        .tuple(
          valid,
          fc.constantFrom(181, -181, 1e308, 360, -1e308),
          fc.constantFrom(91, -91, 1e308, 180),
          fc.boolean(),
        )
        .map(([r, lon, lat, onLon]) => {
          const text = JSON.stringify(r);
          const key = onLon ? lonKey : latKey;
          const v = onLon ? lon : lat;
          return json(
            'coordinate-out-of-range',
            'refuse',
            text.replace(new RegExp(`("${key}":)(-?[0-9.e+-]+)`), `$1${v}`),
          );
        }),
    );
  }
  return fc.oneof(...cases);
}

/** Police 110 records (the documented JSON record format). */
export const policeHostile = jsonHostility(policeRecord, {
  coordinates: ['lon', 'lat'],
  time: 'occurredAt',
  text: 'summary',
});

const open311Request = fc.record({
  service_request_id: fc.stringMatching(/^[0-9]{1,9}$/),
  status: fc.constantFrom('open', 'closed'),
  service_code: fc.constantFrom('006', '001', '010'),
  service_name: fc.constant('Sidewalk and Curb Issues'),
  requested_datetime: fc.constant('2026-06-01T10:15:00+08:00'),
  address: fc.constant('桂城街道南海大道'),
  lat: fc.double({ min: 22.9, max: 23.2, noNaN: true }),
  long: fc.double({ min: 113.0, max: 113.2, noNaN: true }),
});

/** Open311 GeoReport v2 service requests, as JSON. */
export const open311JsonHostile = jsonHostility(open311Request, {
  coordinates: ['long', 'lat'],
  time: 'requested_datetime',
  text: 'description',
});

const observation = fc.record({
  '@iot.id': fc.stringMatching(/^[a-z0-9-]{1,36}$/),
  phenomenonTime: fc.constant('2026-06-01T10:00:00+08:00'),
  resultTime: fc.constant('2026-06-01T10:00:00+08:00'),
  result: fc.double({ min: 0, max: 5, noNaN: true }),
});

/** SensorThings 1.1 Observations, for the Datastream the push names. */
export const sensorThingsHostile = fc.oneof(
  jsonHostility(
    observation,
    {
      coordinates: undefined,
      time: 'phenomenonTime',
      text: 'parameters',
      // parameters is a free JSON object in SensorThings: nesting in it may be kept, but not
      // beyond the kit's 64 levels (the suite nests 100 levels and more).
      nest: 'parameters',
    },
    { 'x-datastream-id': '19' },
  ),
  // The numeric result itself non-finite: written as raw tokens, or as strings a lenient parser reads.
  fc
    .tuple(observation, fc.constantFrom(...NON_FINITE, '"NaN"', '"Infinity"', '"1e999"'))
    .map(([o, token]) => ({
      kind: 'non-finite-result',
      body: JSON.stringify(o).replace(/("result":)(-?[0-9.e+-]+)/, `$1${token}`),
      contentType: 'application/json',
      headers: { 'x-datastream-id': '19' },
      expect: 'refuse' as const,
    })),
  // A pushed page that points elsewhere: the push must not follow the link.
  fc.tuple(observation).map(([o]) => ({
    kind: 'page-with-next-link',
    body: JSON.stringify({
      value: [{ ...o, Datastream: { '@iot.id': 19 } }],
      '@iot.nextLink': 'http://127.0.0.1:1/Observations?$skip=1',
    }),
    contentType: 'application/json',
    expect: 'either' as const,
  })),
);

// ---- XML ----------------------------------------------------------------------------------------

function capAlert(id: string, polygon: string, sent: string, text: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>${id}</identifier>
  <sender>hostile@nanhai.example</sender>
  <sent>${sent}</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>zh-CN</language>
    <category>Met</category>
    <event>暴雨</event>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Observed</certainty>
    <headline>${text}</headline>
    <area>
      <areaDesc>桂城街道</areaDesc>
      <polygon>${polygon}</polygon>
    </area>
  </info>
</alert>`;
}

const POLYGON = '23.0,113.1 23.1,113.1 23.1,113.2 23.0,113.1';
const xmlEscape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
// XML 1.0 cannot carry these characters at all, escaped or not.
const xmlSafe = (s: string) =>
  xmlEscape(
    [...s]
      .filter((ch) => {
        const c = ch.codePointAt(0) ?? 0;
        const control = c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d;
        return !control && !(c >= 0xd800 && c <= 0xdfff) && c !== 0xfffe && c !== 0xffff;
      })
      .join(''),
  );

const XXE = [
  '<!DOCTYPE alert [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
  '<!DOCTYPE alert [<!ENTITY xxe SYSTEM "http://127.0.0.1:1/secret">]>',
  '<!DOCTYPE alert [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>',
  '<!DOCTYPE alert SYSTEM "http://127.0.0.1:1/cap.dtd">',
];

function billionLaughs(levels: number): string {
  const lines = ['<!ENTITY lol0 "lolololololololololol">'];
  for (let i = 1; i <= levels; i++) lines.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
  return `<!DOCTYPE alert [${lines.join('')}]>`;
}

/** Hostile variations of one valid XML document (CAP alert or Open311 request list). */
function xmlHostility(
  valid: fc.Arbitrary<string>,
  withText: (s: string) => fc.Arbitrary<string>,
  root: string,
  contentType: string,
  extra: fc.Arbitrary<HostileCase>[] = [],
): fc.Arbitrary<HostileCase> {
  const xml = (kind: string, expect: Expect, body: string | Uint8Array, ct = contentType): HostileCase => ({
    kind,
    body,
    contentType: ct,
    expect,
  });
  const doctype = (x: string, d: string) => x.replace(`<${root}`, `${d}\n<${root}`);
  return fc.oneof(
    valid.map((x) => xml('valid', 'accept', x)),
    hostileString.chain((s) => withText(xmlSafe(s))).map((x) => xml('text-payload', 'either', x)),
    fc
      .tuple(valid, fc.constantFrom(...XXE))
      .map(([x, d]) =>
        xml(
          'external-entity',
          'refuse',
          doctype(x, d).replace('桂城街道', '&xxe;').replace('南海大道', '&xxe;'),
        ),
      ),
    fc
      .tuple(valid, fc.integer({ min: 3, max: 9 }))
      .map(([x, levels]) =>
        xml(
          'entity-expansion',
          'refuse',
          doctype(x, billionLaughs(levels))
            .replace('桂城街道', `&lol${levels};`)
            .replace('南海大道', `&lol${levels};`),
        ),
      ),
    fc
      .tuple(valid, fc.integer({ min: 1000, max: 200_000 }))
      .map(([x, depth]) =>
        xml(
          'deep-nesting',
          'refuse',
          x
            .replace('桂城街道', '<a>'.repeat(depth) + '</a>'.repeat(depth))
            .replace('南海大道', '<a>'.repeat(depth) + '</a>'.repeat(depth)),
        ),
      ),
    fc
      .tuple(valid, fc.constantFrom(100_000, 1_000_000))
      .map(([x, n]) =>
        xml(
          'huge-attribute',
          'either',
          x
            .replace(`<${root}`, `<${root} x="${'a'.repeat(n)}"`)
            .replace(/(<[a-z_]+)>/, `$1 ${Array.from({ length: 2000 }, (_, i) => `a${i}="1"`).join(' ')}>`),
        ),
      ),
    fc.constant(xml('huge-body', 'refuse', `<${root}>${'<x>a</x>'.repeat(800_000)}</${root}>`)),
    fc
      .tuple(valid, fc.double({ min: 0, max: 0.999, noNaN: true }))
      .map(([x, f]) => xml('truncated', 'refuse', x.slice(0, Math.floor(x.length * f)))),
    fc
      .tuple(valid, fc.constantFrom(...INVALID_UTF8))
      .map(([x, bytes]) =>
        xml(
          'invalid-utf8',
          'refuse',
          spliceBytes(
            x,
            Buffer.byteLength(
              x.slice(0, x.indexOf('桂城街道') >= 0 ? x.indexOf('桂城街道') : x.indexOf('南海大道')),
            ),
            bytes,
          ),
        ),
      ),
    fc
      .tuple(valid, fc.constantFrom('&#0;', '&#xD800;', '&#x110000;', '&#65535;', '&undefined;', '&#x1F;'))
      .map(([x, ref]) =>
        xml('bad-character-reference', 'refuse', x.replace('桂城街道', ref).replace('南海大道', ref)),
      ),
    fc
      .constantFrom(
        '<alert/>',
        '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.1"><identifier>x</identifier></alert>',
        '<service_requests/>',
        '<service_requests><request/></service_requests>',
        '<html><body>hi</body></html>',
        '<?xml version="1.0"?>',
        '<<<>>>',
        '<a:alert xmlns:a="urn:oasis:names:tc:emergency:cap:1.2"><a:info><a:info><a:info/></a:info></a:info></a:alert>',
      )
      .map((b) => xml('wrong-document', 'refuse', b)),
    ...extra,
  );
}

const capSent = fc.constantFrom('2026-06-01T10:15:00+08:00', '2026-06-01T02:15:00-00:00');
const capId = fc.stringMatching(/^[A-Za-z0-9]{4,20}$/);

/** CAP 1.2 alerts (every ingest service takes them; the test sends them to one). */
export const capHostile = xmlHostility(
  fc.tuple(capId, capSent).map(([id, sent]) => capAlert(id, POLYGON, sent, '暴雨红色预警')),
  (s) => fc.tuple(capId, capSent).map(([id, sent]) => capAlert(id, POLYGON, sent, s)),
  'alert',
  'application/cap+xml',
  [
    fc
      .tuple(
        capId,
        fc.constantFrom(
          'NaN,NaN 23,113 23.1,113.1 NaN,NaN',
          'Infinity,1 2,3 4,5 Infinity,1',
          '91,181 92,182 93,183 91,181',
          '1e999,0 0,1 1,1 1e999,0',
          '23,113',
          '',
        ),
      )
      .map(([id, polygon]) => ({
        kind: 'bad-polygon',
        body: capAlert(id, polygon, '2026-06-01T10:15:00+08:00', 'x'),
        contentType: 'application/cap+xml',
        expect: 'refuse' as const,
      })),
    fc.tuple(capId, fc.integer({ min: 20_000, max: 120_000 })).map(([id, n]) => ({
      kind: 'huge-polygon',
      body: capAlert(
        id,
        Array.from({ length: n }, (_, i) => `23.${i % 100},113.${i % 97}`).join(' '),
        '2026-06-01T10:15:00+08:00',
        'x',
      ),
      contentType: 'application/cap+xml',
      expect: 'either' as const,
    })),
    fc.tuple(capId, fc.constantFrom(...FAR_DATES)).map(([id, sent]) => ({
      kind: 'date-out-of-range',
      body: capAlert(id, POLYGON, sent, 'x'),
      contentType: 'application/cap+xml',
      expect: 'refuse' as const,
    })),
  ],
);

function open311Xml(
  id: string,
  description: string,
  lat = '23.05',
  long = '113.15',
  when = '2026-06-01T10:15:00+08:00',
): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<service_requests>
<request>
  <service_request_id>${id}</service_request_id>
  <status>open</status>
  <service_name>Sidewalk and Curb Issues</service_name>
  <service_code>006</service_code>
  <description>${description}</description>
  <requested_datetime>${when}</requested_datetime>
  <address>南海大道</address>
  <lat>${lat}</lat>
  <long>${long}</long>
</request>
</service_requests>`;
}

const open311Id = fc.stringMatching(/^[0-9]{1,9}$/);
// Ids no earlier push used: a repeated id is answered "duplicate" before its content is judged.
const freshOpen311Id = fc.stringMatching(/^[0-9]{14}$/);

/** Open311 GeoReport v2 service requests, as XML. */
export const open311XmlHostile = xmlHostility(
  open311Id.map((id) => open311Xml(id, 'x')),
  (s) => open311Id.map((id) => open311Xml(id, s)),
  'service_requests',
  'application/xml',
  [
    fc
      .tuple(
        freshOpen311Id,
        fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e999', '-1e999', '91', '-181', '1e308'),
        fc.boolean(),
      )
      .map(([id, v, onLat]) => ({
        kind: 'non-finite-coordinate',
        body: onLat ? open311Xml(id, 'x', v) : open311Xml(id, 'x', '23.05', v === '91' ? '181' : v),
        contentType: 'application/xml',
        expect: 'refuse' as const,
      })),
    fc.tuple(freshOpen311Id, fc.constantFrom(...FAR_DATES)).map(([id, when]) => ({
      kind: 'date-out-of-range',
      body: open311Xml(id, 'x', '23.05', '113.15', when),
      contentType: 'application/xml',
      expect: 'refuse' as const,
    })),
  ],
);
