/**
 * "The figures are right": a scenario whose report figures were worked out by hand (below, next
 * to each number) is played against a real hub on the real broker and database, with the hub's
 * clock moved by the test. Every number of the period report is compared in the JSON, in the
 * CSV and in the print HTML the PDF is made from; the PDF is printed by Chromium. Then the
 * per-warning report, the exports' audit entries and the refusals.
 *
 * Scenario (period 2026-11-30T00:00Z – 2026-12-01T00:00Z; the hub receives every warning at
 * T0 = 06:00Z, so every unit is armed at T0; deadlines: red 300 s, orange 600 s, yellow 1800 s,
 * blue 3600 s; one escalation step per missed deadline):
 *
 * | warning | rule | level | units | centroid (town) | first evidence → raised (Z) | real? |
 * |---|---|---|---|---|---|---|
 * | W1 | rainstorm | yellow | water, emergency | 桂城 440605011 | 01:50:00 → 02:00:00 (600 s) | real |
 * | W2 | rainstorm | red | water, traffic | 大沥 440605125 | 02:58:00 → 03:00:00 (120 s) | real |
 * | W3 | crowd | orange | police, petitions | 狮山 440605124 | 02:55:00 → 03:00:00 (300 s) | real |
 * | W4 | crowd | blue | police | between towns → 440605 | 05:00:00 → 05:00:30 (30 s) | real |
 * | X1 | rainstorm | yellow | water | 九江 440605121 | 01:00:00 → 01:10:00 (600 s) | exercise |
 * | O1 | rainstorm | yellow | water | 桂城 | raised 2026-12-01T01:00Z: outside the period | real |
 *
 * T0+60 water acks W1, police acks W3 · T0+200 water acks W2 · T0+350 traffic's W2 deadline
 * (300) passed: escalated · T0+400 traffic acks late · T0+700 petitions' W3 deadline (600) passed:
 * escalated, never acked · T0+1000 emergency acks W1, water acks X1 · T0+4000 police's W4
 * deadline (3600) passed: escalated; the operator resolves W1 confirmed, W2 false alarm, W3
 * confirmed, X1 no impact; W4 stays active.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS, type PeriodReport, type Warning, type WarningReport } from '@liandong/contracts';
import { createJsonProducer, createKafka } from '@liandong/kafka';
import { testDatabase, testKafka, testLogger, type TestDatabase, type TestKafka } from '@liandong/testkit';
import { pdfPageCount } from './adapters/report.pdf.ts';
import { login, seedUsers, startTestHub, TEST_PASSWORD, testWarning, type TestHub } from './hub.testing.ts';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The text of a PDF as a reader copies it (poppler's pdftotext, Debian's poppler-utils), each run
 * of blanks one space: what the analyst's PDF says, not only that it is one.
 */
async function pdfText(pdf: Buffer): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'liandong-pdf-'));
  const file = join(dir, 'report.pdf');
  writeFileSync(file, pdf);
  const { stdout } = await promisify(execFile)('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-']).catch(
    (error: unknown) => {
      throw new Error(
        `pdftotext could not read the PDF (apt-get install -y poppler-utils): ${String(error)}`,
      );
    },
  );
  return stdout.replace(/\s+/g, ' ');
}

const T0 = Date.parse('2026-11-30T06:00:00Z');
const PERIOD = 'from=2026-11-30T00:00:00Z&to=2026-12-01T00:00:00Z';

const square = (lon: number, lat: number): Warning['area'] => ({
  type: 'Polygon',
  coordinates: [
    [
      [lon - 0.005, lat - 0.005],
      [lon + 0.005, lat - 0.005],
      [lon + 0.005, lat + 0.005],
      [lon - 0.005, lat - 0.005],
    ],
  ],
});

function scenarioWarning(
  id: string,
  rule: string,
  level: Warning['level'],
  departments: Warning['departments'],
  [lon, lat]: [number, number],
  firstEvidenceAt: string,
  raisedAt: string,
  exercise = false,
): Warning {
  return testWarning({
    id,
    ruleId: rule,
    level,
    category: rule === 'crowd' ? 'social_security' : 'natural_disaster',
    departments,
    exercise,
    firstEvidenceAt,
    lastEvidenceAt: raisedAt,
    raisedAt,
    updatedAt: raisedAt,
    evidence: [`00000000-0000-5000-8000-0000000000${id === 'X1' ? '99' : id.slice(1).padStart(2, '0')}`],
    area: square(lon, lat),
    centroid: { type: 'Point', coordinates: [lon, lat] },
    title: { zh: `${id} 测试预警`, en: `${id} test warning` },
  });
}

const WARNINGS = [
  scenarioWarning(
    'W1',
    'rainstorm',
    'yellow',
    ['water', 'emergency'],
    [113.152, 23.036],
    '2026-11-30T01:50:00.000Z',
    '2026-11-30T02:00:00.000Z',
  ),
  scenarioWarning(
    'W2',
    'rainstorm',
    'red',
    ['water', 'traffic'],
    [113.118, 23.108],
    '2026-11-30T02:58:00.000Z',
    '2026-11-30T03:00:00.000Z',
  ),
  scenarioWarning(
    'W3',
    'crowd',
    'orange',
    ['police', 'petitions'],
    [113.005, 23.132],
    '2026-11-30T02:55:00.000Z',
    '2026-11-30T03:00:00.000Z',
  ),
  scenarioWarning(
    'W4',
    'crowd',
    'blue',
    ['police'],
    [113.08, 22.97],
    '2026-11-30T05:00:00.000Z',
    '2026-11-30T05:00:30.000Z',
  ),
  scenarioWarning(
    'X1',
    'rainstorm',
    'yellow',
    ['water'],
    [113.031, 22.842],
    '2026-11-30T01:00:00.000Z',
    '2026-11-30T01:10:00.000Z',
    true,
  ),
  scenarioWarning(
    'O1',
    'rainstorm',
    'yellow',
    ['water'],
    [113.152, 23.036],
    '2026-12-01T00:50:00.000Z',
    '2026-12-01T01:00:00.000Z',
  ),
];

/** Every figure of the period, by hand (see the table above). Keys as the CSV writes them. */
const EXPECTED_CSV: Record<string, string> = {
  'real/total//warnings': '4',
  'real/department/emergency/warnings': '1',
  'real/department/petitions/warnings': '1',
  'real/department/police/warnings': '2', // W3, W4
  'real/department/traffic/warnings': '1',
  'real/department/water/warnings': '2', // W1, W2
  'real/category/natural_disaster/warnings': '2',
  'real/category/social_security/warnings': '2',
  'real/level/blue/warnings': '1',
  'real/level/orange/warnings': '1',
  'real/level/red/warnings': '1',
  'real/level/yellow/warnings': '1',
  'real/rule/crowd/warnings': '2',
  'real/rule/rainstorm/warnings': '2',
  'real/town/440605/warnings': '1', // W4, between towns
  'real/town/440605011/warnings': '1',
  'real/town/440605124/warnings': '1',
  'real/town/440605125/warnings': '1',
  'real/status/active/warnings': '1',
  'real/status/resolved/warnings': '3',
  'real/disposition/confirmed/warnings': '2',
  'real/disposition/false_alarm/warnings': '1',
  'real/total//escalations': '3', // W2 traffic, W3 petitions, W4 police
  // acks: 60 (W1 water), 60 (W3 police), 200 (W2 water), 400 (W2 traffic), 1000 (W1 emergency)
  'real/ack_seconds//count': '5',
  'real/ack_seconds//median': '200',
  'real/ack_seconds//p90': '1000', // rank ⌈4.5⌉ = 5
  // detect: 30, 120, 300, 600
  'real/detect_seconds//count': '4',
  'real/detect_seconds//median': '210', // (120 + 300) / 2
  'real/detect_seconds//p90': '600', // rank ⌈3.6⌉ = 4
  'real/compliance/emergency/armed': '1',
  'real/compliance/emergency/onTime': '1',
  'real/compliance/emergency/late': '0',
  'real/compliance/emergency/missed': '0',
  'real/compliance/emergency/open': '0',
  'real/compliance/emergency/complianceRate': '1',
  'real/compliance/emergency/ackMedianSeconds': '1000',
  'real/compliance/emergency/ackP90Seconds': '1000',
  'real/compliance/petitions/armed': '1',
  'real/compliance/petitions/onTime': '0',
  'real/compliance/petitions/late': '0',
  'real/compliance/petitions/missed': '1',
  'real/compliance/petitions/open': '0',
  'real/compliance/petitions/complianceRate': '0',
  'real/compliance/petitions/ackMedianSeconds': '',
  'real/compliance/petitions/ackP90Seconds': '',
  'real/compliance/police/armed': '2',
  'real/compliance/police/onTime': '1',
  'real/compliance/police/late': '0',
  'real/compliance/police/missed': '1',
  'real/compliance/police/open': '0',
  'real/compliance/police/complianceRate': '0.5',
  'real/compliance/police/ackMedianSeconds': '60',
  'real/compliance/police/ackP90Seconds': '60',
  'real/compliance/traffic/armed': '1',
  'real/compliance/traffic/onTime': '0',
  'real/compliance/traffic/late': '1',
  'real/compliance/traffic/missed': '0',
  'real/compliance/traffic/open': '0',
  'real/compliance/traffic/complianceRate': '0',
  'real/compliance/traffic/ackMedianSeconds': '400',
  'real/compliance/traffic/ackP90Seconds': '400',
  'real/compliance/water/armed': '2',
  'real/compliance/water/onTime': '2',
  'real/compliance/water/late': '0',
  'real/compliance/water/missed': '0',
  'real/compliance/water/open': '0',
  'real/compliance/water/complianceRate': '1',
  'real/compliance/water/ackMedianSeconds': '130', // (60 + 200) / 2
  'real/compliance/water/ackP90Seconds': '200', // rank ⌈1.8⌉ = 2
  'real/rule_precision/crowd/warnings': '2',
  'real/rule_precision/crowd/resolved': '1',
  'real/rule_precision/crowd/confirmed': '1',
  'real/rule_precision/crowd/no_impact': '0',
  'real/rule_precision/crowd/duplicate': '0',
  'real/rule_precision/crowd/false_alarm': '0',
  'real/rule_precision/crowd/precision': '1',
  'real/rule_precision/rainstorm/warnings': '2',
  'real/rule_precision/rainstorm/resolved': '2',
  'real/rule_precision/rainstorm/confirmed': '1',
  'real/rule_precision/rainstorm/no_impact': '0',
  'real/rule_precision/rainstorm/duplicate': '0',
  'real/rule_precision/rainstorm/false_alarm': '1',
  'real/rule_precision/rainstorm/precision': '0.5',
  'real/hour/10/warnings': '1', // W1 02:00Z = 10:00 Beijing
  'real/hour/11/warnings': '2', // W2, W3
  'real/hour/13/warnings': '1', // W4
  'real/busiest_hours//hours': '11 10 13',
  'exercise/total//warnings': '1',
  'exercise/department/water/warnings': '1',
  'exercise/category/natural_disaster/warnings': '1',
  'exercise/level/yellow/warnings': '1',
  'exercise/rule/rainstorm/warnings': '1',
  'exercise/town/440605121/warnings': '1',
  'exercise/status/resolved/warnings': '1',
  'exercise/disposition/no_impact/warnings': '1',
  'exercise/total//escalations': '0',
  'exercise/ack_seconds//count': '1',
  'exercise/ack_seconds//median': '1000',
  'exercise/ack_seconds//p90': '1000',
  'exercise/detect_seconds//count': '1',
  'exercise/detect_seconds//median': '600',
  'exercise/detect_seconds//p90': '600',
  'exercise/compliance/water/armed': '1',
  'exercise/compliance/water/onTime': '1',
  'exercise/compliance/water/late': '0',
  'exercise/compliance/water/missed': '0',
  'exercise/compliance/water/open': '0',
  'exercise/compliance/water/complianceRate': '1',
  'exercise/compliance/water/ackMedianSeconds': '1000',
  'exercise/compliance/water/ackP90Seconds': '1000',
  'exercise/rule_precision/rainstorm/warnings': '1',
  'exercise/rule_precision/rainstorm/resolved': '1',
  'exercise/rule_precision/rainstorm/confirmed': '0',
  'exercise/rule_precision/rainstorm/no_impact': '1',
  'exercise/rule_precision/rainstorm/duplicate': '0',
  'exercise/rule_precision/rainstorm/false_alarm': '0',
  'exercise/rule_precision/rainstorm/precision': '0', // 0 confirmed of 1
  'exercise/hour/09/warnings': '1', // 01:10Z = 09:10 Beijing
  'exercise/busiest_hours//hours': '9',
};

/** The same figures read from the JSON report, keyed as the CSV keys them. */
function jsonFigures(report: PeriodReport): Record<string, string> {
  const out: Record<string, string> = {};
  const num = (v: number | null) => (v === null ? '' : String(v));
  for (const scope of ['real', 'exercise'] as const) {
    const f = report[scope];
    out[`${scope}/total//warnings`] = num(f.warnings);
    const counts = (section: string, c: Record<string, number>) => {
      for (const [k, v] of Object.entries(c)) out[`${scope}/${section}/${k}/warnings`] = num(v);
    };
    counts('department', f.byDepartment);
    counts('category', f.byCategory);
    counts('level', f.byLevel);
    counts('rule', f.byRule);
    counts('town', f.byTown);
    counts('status', f.byStatus);
    counts('disposition', f.dispositions);
    out[`${scope}/total//escalations`] = num(f.escalations);
    for (const [name, s] of [
      ['ack_seconds', f.ackSeconds],
      ['detect_seconds', f.detectSeconds],
    ] as const)
      for (const m of ['count', 'median', 'p90'] as const) out[`${scope}/${name}//${m}`] = num(s[m]);
    for (const c of f.compliance) {
      for (const m of ['armed', 'onTime', 'late', 'missed', 'open', 'complianceRate'] as const)
        out[`${scope}/compliance/${c.department}/${m}`] = num(c[m]);
      out[`${scope}/compliance/${c.department}/ackMedianSeconds`] = num(c.ackSeconds.median);
      out[`${scope}/compliance/${c.department}/ackP90Seconds`] = num(c.ackSeconds.p90);
    }
    for (const r of f.rulePrecision) {
      out[`${scope}/rule_precision/${r.ruleId}/warnings`] = num(r.warnings);
      out[`${scope}/rule_precision/${r.ruleId}/resolved`] = num(r.resolved);
      for (const [d, n] of Object.entries(r.dispositions))
        out[`${scope}/rule_precision/${r.ruleId}/${d}`] = num(n);
      out[`${scope}/rule_precision/${r.ruleId}/precision`] = num(r.precision);
    }
    f.byHour.forEach((n, h) => {
      if (n) out[`${scope}/hour/${String(h).padStart(2, '0')}/warnings`] = num(n);
    });
    out[`${scope}/busiest_hours//hours`] = f.busiestHours.join(' ');
  }
  return out;
}

/** A minimal RFC 4180 reader (quoted cells may hold commas, quotes and line breaks). */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

describe('reports: the figures are right (worked out by hand) in the API and each export', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let hub: TestHub;
  let clock = new Date(T0);
  const at = (s: number) => (clock = new Date(T0 + s * 1000));

  async function escalations(n: number) {
    for (let i = 0; i < 200; i++) {
      const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM escalations');
      if (rows[0]?.n === n) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`expected ${n} escalations`);
  }

  async function ack(username: string, id: string) {
    const client = await login(hub.url, username);
    const r = await client.request(
      'POST',
      `/api/v1/warnings/${id}/acknowledge`,
      {},
      { 'idempotency-key': `ack-${username}-${id}` },
    );
    expect(r.status, await r.text()).toBe(200);
  }

  beforeAll(async () => {
    [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
    await seedUsers(db.pool);
    hub = await startTestHub({ db, kafka, now: () => clock, env: { ESCALATION_STEPS: '1' } });
    const producer = createJsonProducer(
      createKafka({ brokers: kafka.brokers, clientId: 't', logger: testLogger() }),
    );
    await producer.connect();
    await producer.send([
      { topic: kafka.topic(TOPICS.warnings), messages: WARNINGS.map((w) => ({ key: w.id, value: w })) },
    ]);
    await producer.disconnect();
    for (let i = 0; i < 300; i++) {
      const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM acknowledgements');
      if (rows[0]?.n === 9) break; // 2 + 2 + 2 + 1 + 1 + 1 units
      await new Promise((r) => setTimeout(r, 100));
    }
    at(60);
    await ack('liaison-water', 'W1');
    await ack('liaison-police', 'W3');
    at(200);
    await ack('liaison-water', 'W2');
    at(350);
    await escalations(1);
    at(400);
    await ack('liaison-traffic', 'W2');
    at(700);
    await escalations(2);
    at(1000);
    await ack('liaison-emergency', 'W1');
    await ack('liaison-water', 'X1');
    await ack('liaison-water', 'O1'); // outside the period: must not count (and must not escalate)
    at(4000);
    await escalations(3);
    const operator = await login(hub.url, 'operator');
    for (const [id, disposition] of [
      ['W1', 'confirmed'],
      ['W2', 'false_alarm'],
      ['W3', 'confirmed'],
      ['X1', 'no_impact'],
    ] as const) {
      const r = await operator.request('POST', `/api/v1/warnings/${id}/resolve`, { disposition });
      expect(r.status, await r.text()).toBe(200);
    }
  }, 180_000);
  afterAll(async () => {
    await hub?.close();
    await kafka?.close();
    await db?.close();
  });

  it('the period report: every figure in the JSON and in the CSV is the hand-worked one', async () => {
    const analyst = await login(hub.url, 'analyst');
    const json = (await (
      await analyst.request('GET', `/api/v1/reports/period?${PERIOD}`)
    ).json()) as PeriodReport;
    expect(jsonFigures(json)).toEqual(EXPECTED_CSV);
    expect(json.warnings.map((w) => w.id)).toEqual(['X1', 'W1', 'W2', 'W3', 'W4']);

    const response = await analyst.request('GET', `/api/v1/reports/period?${PERIOD}&format=csv`);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="liandong-report-/);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // the BOM Excel needs for UTF-8
    const rows = readCsv(new TextDecoder().decode(bytes.slice(3)));
    expect(rows[0]).toEqual(['scope', 'section', 'key', 'measure', 'value']);
    const csv: Record<string, string> = {};
    for (const [scope, section, key, measure, value] of rows.slice(1))
      if (scope === 'real' || scope === 'exercise') {
        if (section !== 'warning') csv[`${scope}/${section}/${key}/${measure}`] = value as string;
      }
    expect(csv).toEqual(EXPECTED_CSV);
    expect(rows.filter((r) => r[1] === 'warning').map((r) => r[2])).toEqual(['X1', 'W1', 'W2', 'W3', 'W4']);
    expect(rows.find((r) => r[2] === 'W1')?.[4]).toBe('2026-11-30 10:00:00 W1 测试预警');
  });

  it('the period report: the print HTML holds every figure, and Chromium prints it to a PDF', async () => {
    const analyst = await login(hub.url, 'analyst');
    const html = await (await analyst.request('GET', `/api/v1/reports/period?${PERIOD}&format=html`)).text();
    const cells = (row: string) =>
      row
        .split('|')
        .map((c, i) => `<td${i > 0 ? ' class="n"' : ''}>${c}</td>`)
        .join('');
    const rows = [
      // The compliance rows: unit, armed, on time, late, missed, open, rate, median, p90.
      'emergency|1|1|0|0|0|1|1000|1000',
      'petitions|1|0|0|1|0|0||',
      'police|2|1|0|1|0|0.5|60|60',
      'traffic|1|0|1|0|0|0|400|400',
      'water|2|2|0|0|0|1|130|200',
      '签收用时 time to acknowledge|5|200|1000',
      '发现用时 time to detect|4|210|600',
      // Rule precision: rule, warnings, resolved, confirmed, false alarms, …, precision.
      'rainstorm|2|2|1|0|0|1|0.5',
      'crowd|2|1|1|0|0|0|1',
    ];
    const lines = [
      '升级 Escalations: 3',
      'busiest: 11:00, 10:00, 13:00',
      '真实预警 Real warnings（4）',
      '演练 Exercises（1）',
    ];
    for (const row of rows) expect(html, row).toContain(`<tr>${cells(row)}</tr>`);
    expect(html).toContain(`<p>${lines[0]}</p>`);
    for (const line of lines) expect(html).toContain(line);

    const started = Date.now();
    const response = await analyst.request('GET', `/api/v1/reports/period?${PERIOD}&format=pdf`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(await response.arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const pages = pdfPageCount(pdf);
    expect(pages).toBeGreaterThanOrEqual(2);
    // Chinese text needs an embedded CJK font.
    expect(pdf.toString('latin1')).toMatch(/FontFile|NotoSansCJK|NotoSerifCJK/);
    // The PDF says what the HTML says: every hand-worked figure, the Chinese included.
    const text = await pdfText(pdf);
    for (const row of rows) expect(text, row).toContain(row.split('|').filter(Boolean).join(' '));
    for (const line of lines) expect(text, line).toContain(line);
    console.log(`period report PDF: ${pages} pages, ${pdf.length} bytes, ${Date.now() - started} ms`);
  }, 120_000);

  it('the report of one warning: timeline, time to detect, acknowledgement per unit against its deadline, disposition', async () => {
    const operator = await login(hub.url, 'operator');
    const report = (await (
      await operator.request('GET', '/api/v1/reports/warnings/W2')
    ).json()) as WarningReport;
    expect(report.timeToDetectSeconds).toBe(120);
    expect(report.timeToResolveSeconds).toBe(14_800); // 03:00:00Z → T0 + 4000 s = 07:06:40Z
    expect(report.escalations).toBe(1);
    expect(report.disposition?.disposition).toBe('false_alarm');
    expect(report.warning.town?.code).toBe('440605125');
    expect(
      report.acknowledgements.map((a) => [
        a.department,
        a.deadlineSeconds,
        a.secondsToAcknowledge,
        a.onTime,
        a.acknowledgedBy?.username,
        a.escalations,
      ]),
    ).toEqual([
      ['water', 300, 200, true, 'liaison-water', 0],
      ['traffic', 300, 400, false, 'liaison-traffic', 1],
    ]);
    expect(report.timeline.map((t) => `${t.kind} ${t.who}`)).toEqual([
      'raised rule:rainstorm',
      'acknowledged liaison-water',
      'escalated system',
      'acknowledged liaison-traffic',
      'resolved operator',
    ]);
    const csv = await (await operator.request('GET', '/api/v1/reports/warnings/W2?format=csv')).text();
    expect(csv).toContain('acknowledgement,traffic,seconds_to_acknowledge,400\r\n');
    expect(csv).toContain('warning,W2,time_to_detect_seconds,120\r\n');
    const pdf = Buffer.from(
      await (await operator.request('GET', '/api/v1/reports/warnings/W2?format=pdf')).arrayBuffer(),
    );
    expect(pdfPageCount(pdf)).toBeGreaterThanOrEqual(1);
    const text = await pdfText(pdf);
    for (const figure of ['W2', '测试预警', 'liaison-water', 'liaison-traffic', 'false_alarm'])
      expect(text, figure).toContain(figure);
  }, 120_000);

  it('every report served is audited; a liaison may not; bad ranges are 400 naming the field', async () => {
    const { rows } = await db.pool.query<{ action: string; detail: { format: string } }>(
      "SELECT action, detail FROM audit_log WHERE action LIKE 'report.%' ORDER BY seq",
    );
    expect(rows.map((r) => `${r.action}:${r.detail.format}`)).toEqual([
      'report.viewed:json',
      'report.exported:csv',
      'report.exported:html',
      'report.exported:pdf',
      'report.viewed:json',
      'report.exported:csv',
      'report.exported:pdf',
    ]);
    const liaison = await login(hub.url, 'liaison-water');
    expect((await liaison.request('GET', `/api/v1/reports/period?${PERIOD}`)).status).toBe(403);
    const analyst = await login(hub.url, 'analyst');
    const backwards = await analyst.request(
      'GET',
      '/api/v1/reports/period?from=2026-12-01T00:00:00Z&to=2026-11-30T00:00:00Z',
    );
    expect(backwards.status).toBe(400);
    expect(((await backwards.json()) as { errors: { pointer: string }[] }).errors[0]?.pointer).toBe('/to');
    expect((await analyst.request('GET', '/api/v1/reports/period?from=2026-11-30')).status).toBe(400);
    expect((await analyst.request('GET', '/api/v1/reports/warnings/none')).status).toBe(404);
  });

  it('pnpm report writes the same exports from the command line, with a progress bar on stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-cli-'));
    const run = (args: string[]) =>
      promisify(execFile)('pnpm', ['-s', 'report', ...args], {
        cwd: REPO,
        env: {
          ...process.env,
          LIANDONG_HUB_URL: hub.url,
          LIANDONG_USER: 'analyst',
          LIANDONG_PASSWORD: TEST_PASSWORD,
        },
      });
    const csv = await run([
      'period',
      '--from',
      '2026-11-30T00:00:00Z',
      '--to',
      '2026-12-01T00:00:00Z',
      '--format',
      'csv',
      '--out',
      join(dir, 'p.csv'),
    ]);
    expect(csv.stdout.trim()).toBe(join(dir, 'p.csv'));
    expect(csv.stderr).toContain('[##############################] 3/3 written');
    const text = readFileSync(join(dir, 'p.csv'), 'utf8');
    expect(text.startsWith('\uFEFFscope,section,key,measure,value')).toBe(true);
    expect(text).toContain('real,compliance,water,ackMedianSeconds,130\r\n');
    // A Beijing day: 2026-11-30 00:00+08:00 to 2026-12-01 00:00+08:00 holds W1 … W4 and X1 but not O1 (09:00 Beijing on 1 Dec).
    const many = await run([
      'warnings',
      '--from',
      '2026-11-30',
      '--to',
      '2026-12-01',
      '--format',
      'json',
      '--out',
      join(dir, 'each'),
    ]);
    expect(
      many.stdout
        .trim()
        .split('\n')
        .map((f) => f.slice(dir.length + 6)),
    ).toEqual(['X1.json', 'W1.json', 'W2.json', 'W3.json', 'W4.json']);
    expect(many.stderr).toContain('5/5 5 reports');
    const w2 = JSON.parse(readFileSync(join(dir, 'each', 'W2.json'), 'utf8')) as WarningReport;
    expect(w2.timeToDetectSeconds).toBe(120);
    const refused = await run(['period', '--from', 'yesterday', '--to', '2026-12-01']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(refused).toMatchObject({ code: 2 });
    expect((refused as { stderr: string }).stderr).toContain('--from "yesterday" is not a date');
  }, 120_000);
});
