/**
 * The reports as CSV (UTF-8 with a BOM and CRLF, so that Excel opens Chinese text correctly)
 * and as the print HTML that Chromium turns into the PDF. Pure.
 */
import {
  BEIJING_OFFSET_MS,
  CATEGORY_NAMES,
  LEVEL_NAMES,
  type Category,
  type Level,
  type PeriodFigures,
  type PeriodReport,
  type Position,
  type WarningReport,
} from '@liandong/contracts';

const BOM = '\uFEFF';

/** `2026-06-01 10:15:00` in Beijing time (the reports' readers are in Nanhai). */
export function beijing(iso: string | null): string {
  if (!iso) return '';
  return new Date(Date.parse(iso) + BEIJING_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** A figure as printed: integers as they are, fractions to 4 places, none as empty. */
export function figure(value: number | null | undefined): string {
  if (value === null || value === undefined) return '';
  return Number.isInteger(value) ? String(value) : value.toFixed(4).replace(/0+$/, '');
}

function csvCell(raw: string): string {
  // A cell Excel would run as a formula (=, +, @, or - not starting a number) is kept as text.
  const value = /^[=+@]|^-(?![\d.])/.test(raw) ? `'${raw}` : raw;
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function toCsv(rows: readonly (readonly string[])[]): string {
  return BOM + rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** Every figure of one scope (real or exercise) as rows: section, key, measure, value. */
export function figureRows(scope: string, f: PeriodFigures): string[][] {
  const rows: string[][] = [[scope, 'total', '', 'warnings', figure(f.warnings)]];
  const counts = (section: string, c: Record<string, number>) => {
    for (const [k, v] of Object.entries(c).sort(([a], [b]) => a.localeCompare(b)))
      rows.push([scope, section, k, 'warnings', figure(v)]);
  };
  counts('department', f.byDepartment);
  counts('category', f.byCategory);
  counts('level', f.byLevel);
  counts('rule', f.byRule);
  counts('town', f.byTown);
  counts('status', f.byStatus);
  counts('disposition', f.dispositions);
  rows.push([scope, 'total', '', 'escalations', figure(f.escalations)]);
  for (const [name, s] of [
    ['ack_seconds', f.ackSeconds],
    ['detect_seconds', f.detectSeconds],
  ] as const) {
    rows.push([scope, name, '', 'count', figure(s.count)]);
    rows.push([scope, name, '', 'median', figure(s.median)]);
    rows.push([scope, name, '', 'p90', figure(s.p90)]);
  }
  for (const c of f.compliance) {
    for (const m of ['armed', 'onTime', 'late', 'missed', 'open'] as const)
      rows.push([scope, 'compliance', c.department, m, figure(c[m])]);
    rows.push([scope, 'compliance', c.department, 'complianceRate', figure(c.complianceRate)]);
    rows.push([scope, 'compliance', c.department, 'ackMedianSeconds', figure(c.ackSeconds.median)]);
    rows.push([scope, 'compliance', c.department, 'ackP90Seconds', figure(c.ackSeconds.p90)]);
  }
  for (const r of f.rulePrecision) {
    rows.push([scope, 'rule_precision', r.ruleId, 'warnings', figure(r.warnings)]);
    rows.push([scope, 'rule_precision', r.ruleId, 'resolved', figure(r.resolved)]);
    for (const [d, n] of Object.entries(r.dispositions))
      rows.push([scope, 'rule_precision', r.ruleId, d, figure(n)]);
    rows.push([scope, 'rule_precision', r.ruleId, 'precision', figure(r.precision)]);
  }
  f.byHour.forEach((n, hour) => {
    if (n > 0) rows.push([scope, 'hour', String(hour).padStart(2, '0'), 'warnings', figure(n)]);
  });
  rows.push([scope, 'busiest_hours', '', 'hours', f.busiestHours.join(' ')]);
  return rows;
}

export function periodCsv(report: PeriodReport): string {
  return toCsv([
    ['scope', 'section', 'key', 'measure', 'value'],
    ['period', 'range', 'from', 'Beijing time', beijing(report.from)],
    ['period', 'range', 'to', 'Beijing time', beijing(report.to)],
    ...figureRows('real', report.real),
    ...figureRows('exercise', report.exercise),
    ...report.warnings.map((w) => [
      w.exercise ? 'exercise' : 'real',
      'warning',
      w.id,
      `${w.level} ${w.status}${w.disposition ? ` ${w.disposition}` : ''}`,
      `${beijing(w.raisedAt)} ${w.title.zh}`,
    ]),
  ]);
}

export function warningCsv(report: WarningReport): string {
  const w = report.warning;
  const rows: string[][] = [
    ['section', 'key', 'measure', 'value'],
    ['warning', w.id, 'title', w.title.zh],
    ['warning', w.id, 'rule', w.ruleId],
    ['warning', w.id, 'level', w.level],
    ['warning', w.id, 'status', w.status],
    ['warning', w.id, 'exercise', String(w.exercise)],
    ['warning', w.id, 'town', w.town ? `${w.town.code} ${w.town.name.zh}` : ''],
    ['warning', w.id, 'raised', beijing(w.raisedAt)],
    ['warning', w.id, 'first_evidence', beijing(w.firstEvidenceAt)],
    ['warning', w.id, 'time_to_detect_seconds', figure(report.timeToDetectSeconds)],
    ['warning', w.id, 'time_to_resolve_seconds', figure(report.timeToResolveSeconds)],
    ['warning', w.id, 'escalations', figure(report.escalations)],
    ['warning', w.id, 'evidence', figure(report.evidenceCount)],
    ['warning', w.id, 'disposition', report.disposition?.disposition ?? ''],
  ];
  for (const a of report.acknowledgements) {
    rows.push(['acknowledgement', a.department, 'deadline_seconds', figure(a.deadlineSeconds)]);
    rows.push(['acknowledgement', a.department, 'seconds_to_acknowledge', figure(a.secondsToAcknowledge)]);
    rows.push(['acknowledgement', a.department, 'on_time', a.onTime === null ? '' : String(a.onTime)]);
    rows.push(['acknowledgement', a.department, 'by', a.acknowledgedBy?.username ?? '']);
    rows.push(['acknowledgement', a.department, 'escalations', figure(a.escalations)]);
  }
  for (const t of report.timeline) rows.push(['timeline', beijing(t.at), t.kind, `${t.who}: ${t.detail}`]);
  for (const e of report.evidence)
    rows.push([
      'evidence',
      e.id,
      `${e.department} ${e.type}`,
      `${beijing(e.occurredAt)}${e.location ? ` ${e.location.coordinates[1]},${e.location.coordinates[0]}` : ''}`,
    ]);
  return toCsv(rows);
}

const esc = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

const STYLE = `
@page { size: A4; margin: 16mm 14mm; }
body { font-family: 'Noto Sans CJK SC', 'Noto Serif CJK SC', sans-serif; font-size: 10pt; color: #111; }
h1 { font-size: 16pt; margin: 0 0 4pt; } h2 { font-size: 12pt; margin: 14pt 0 4pt; border-bottom: 1px solid #999; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0; page-break-inside: auto; }
tr { page-break-inside: avoid; }
th, td { border: 1px solid #bbb; padding: 2pt 4pt; text-align: left; vertical-align: top; }
th { background: #eee; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.exercise { color: #a60; font-weight: bold; } .meta { color: #555; font-size: 9pt; }
svg { border: 1px solid #bbb; }
`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

function table(head: string[], rows: string[][], numeric: number[] = []): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map(
      (r) =>
        `<tr>${r.map((c, i) => `<td${numeric.includes(i) ? ' class="n"' : ''}>${esc(c)}</td>`).join('')}</tr>`,
    )
    .join('')}</tbody></table>`;
}

const levelName = (l: string) => LEVEL_NAMES[l as Level]?.zh ?? l;
const categoryName = (c: string) => CATEGORY_NAMES[c as Category]?.zh ?? c;

function countsTable(title: string, counts: Record<string, number>, name = (k: string) => k): string {
  const rows = Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => [name(k), figure(v)]);
  return `<h3>${esc(title)}</h3>${rows.length ? table(['', '预警数 warnings'], rows, [1]) : '<p>—</p>'}`;
}

function hourChart(byHour: number[]): string {
  const max = Math.max(1, ...byHour);
  const bars = byHour
    .map((n, h) => {
      const height = (n / max) * 80;
      return `<rect x="${h * 25 + 4}" y="${90 - height}" width="18" height="${height}" fill="#3a6ea5"/><text x="${h * 25 + 13}" y="104" font-size="8" text-anchor="middle">${h}</text>${n ? `<text x="${h * 25 + 13}" y="${86 - height}" font-size="8" text-anchor="middle">${n}</text>` : ''}`;
    })
    .join('');
  return `<svg width="604" height="110" viewBox="0 0 604 110" role="img" aria-label="warnings per hour">${bars}</svg>`;
}

function figuresHtml(title: string, f: PeriodFigures): string {
  return `<h2>${esc(title)}（${figure(f.warnings)}）</h2>
${countsTable('按等级 By level', f.byLevel, levelName)}
${countsTable('按类别 By category', f.byCategory, categoryName)}
${countsTable('按单位 By department (routed)', f.byDepartment)}
${countsTable('按规则 By rule', f.byRule)}
${countsTable('按镇街 By town (GB/T 2260)', f.byTown)}
${countsTable('处置结论 Dispositions', f.dispositions)}
<h3>签收时限 Deadline compliance</h3>
${table(
  ['单位 unit', 'armed', 'on time', 'late', 'missed', 'open', 'rate', 'median s', 'p90 s'],
  f.compliance.map((c) => [
    c.department,
    figure(c.armed),
    figure(c.onTime),
    figure(c.late),
    figure(c.missed),
    figure(c.open),
    figure(c.complianceRate),
    figure(c.ackSeconds.median),
    figure(c.ackSeconds.p90),
  ]),
  [1, 2, 3, 4, 5, 6, 7, 8],
)}
${table(
  ['', 'count', 'median s', 'p90 s'],
  [
    [
      '签收用时 time to acknowledge',
      figure(f.ackSeconds.count),
      figure(f.ackSeconds.median),
      figure(f.ackSeconds.p90),
    ],
    [
      '发现用时 time to detect',
      figure(f.detectSeconds.count),
      figure(f.detectSeconds.median),
      figure(f.detectSeconds.p90),
    ],
  ],
  [1, 2, 3],
)}
<p>升级 Escalations: ${figure(f.escalations)}</p>
<h3>规则准确率 Rule precision</h3>
${table(
  ['rule', 'warnings', 'resolved', 'confirmed', 'no_impact', 'duplicate', 'false_alarm', 'precision'],
  f.rulePrecision.map((r) => [
    r.ruleId,
    figure(r.warnings),
    figure(r.resolved),
    figure(r.dispositions.confirmed),
    figure(r.dispositions.no_impact),
    figure(r.dispositions.duplicate),
    figure(r.dispositions.false_alarm),
    figure(r.precision),
  ]),
  [1, 2, 3, 4, 5, 6, 7],
)}
<h3>时段分布 Warnings by hour (Beijing) — busiest: ${esc(f.busiestHours.map((h) => `${h}:00`).join(', ') || '—')}</h3>
${hourChart(f.byHour)}`;
}

export function periodHtml(report: PeriodReport): string {
  return page(
    `复盘报告 ${beijing(report.from)} – ${beijing(report.to)}`,
    `<h1>预警复盘报告 After-action report</h1>
<p class="meta">时段 Period: ${esc(beijing(report.from))} – ${esc(beijing(report.to))}（北京时间）· 生成 Generated ${esc(beijing(report.generatedAt))}</p>
${figuresHtml('真实预警 Real warnings', report.real)}
<h2 class="exercise">演练 Exercises（${figure(report.exercise.warnings)}）— 单独统计 counted apart</h2>
${figuresHtml('演练预警 Exercise warnings', report.exercise)}
<h2>预警列表 Warnings</h2>
${table(
  ['raised', 'id', 'level', 'status', 'disposition', 'title'],
  report.warnings.map((w) => [
    beijing(w.raisedAt),
    w.id,
    levelName(w.level),
    `${w.status}${w.exercise ? ' (演练)' : ''}`,
    w.disposition ?? '',
    w.title.zh,
  ]),
)}`,
  );
}

/** The area and the evidence points on a plain equirectangular sketch (no tiles: it prints offline). */
function evidenceMap(report: WarningReport): string {
  const rings =
    report.area.type === 'Polygon'
      ? [report.area.coordinates[0] ?? []]
      : report.area.coordinates.map((p) => p[0] ?? []);
  const points = report.evidence.flatMap((e) => (e.location ? [e.location.coordinates] : []));
  const all: Position[] = [...rings.flat(), ...points, report.centroid.coordinates];
  const lons = all.map((p) => p[0]);
  const lats = all.map((p) => p[1]);
  const [minX, maxX, minY, maxY] = [
    Math.min(...lons),
    Math.max(...lons),
    Math.min(...lats),
    Math.max(...lats),
  ];
  const span = Math.max(maxX - minX, maxY - minY, 0.002);
  const x = (lon: number) => 20 + ((lon - minX) / span) * 360;
  const y = (lat: number) => 380 - ((lat - minY) / span) * 360;
  const polys = rings
    .map(
      (r) =>
        `<polygon points="${r.map(([a, b]) => `${x(a)},${y(b)}`).join(' ')}" fill="#f5c54244" stroke="#c80"/>`,
    )
    .join('');
  const dots = report.evidence
    .filter((e) => e.location)
    .map((e, i) => {
      const [a, b] = e.location?.coordinates ?? [0, 0];
      return `<circle cx="${x(a)}" cy="${y(b)}" r="4" fill="#c00"/><text x="${x(a) + 6}" y="${y(b) + 3}" font-size="9">${i + 1}</text>`;
    })
    .join('');
  return `<svg width="400" height="400" viewBox="0 0 400 400" role="img" aria-label="evidence map">${polys}${dots}</svg>`;
}

export function warningHtml(report: WarningReport): string {
  const w = report.warning;
  return page(
    `复盘 ${w.title.zh}`,
    `<h1>${w.exercise ? '<span class="exercise">【演练】</span>' : ''}${esc(levelName(w.level))}：${esc(w.title.zh)}</h1>
<p>${esc(w.title.en)}</p>
<p class="meta">${esc(w.id)} · rule ${esc(w.ruleId)} · ${esc(categoryName(w.category))} · ${esc(w.status)} · revision ${w.revision} · ${esc(w.town ? `${w.town.name.zh} ${w.town.code}` : '南海区 440605')} · 生成 ${esc(beijing(report.generatedAt))}</p>
<p>${esc(w.summary.zh)}</p>
${table(
  ['', ''],
  [
    ['首条证据 First evidence', beijing(w.firstEvidenceAt)],
    ['发布 Raised', beijing(w.raisedAt)],
    ['发现用时 Time to detect (s)', figure(report.timeToDetectSeconds)],
    ['处置用时 Time to resolve (s)', figure(report.timeToResolveSeconds)],
    ['升级 Escalations', figure(report.escalations)],
    ['证据 Evidence', figure(report.evidenceCount)],
    [
      '处置结论 Disposition',
      report.disposition
        ? `${report.disposition.disposition} · ${report.disposition.by.username} · ${beijing(report.disposition.at)}${report.disposition.note ? ` · ${report.disposition.note}` : ''}`
        : '—',
    ],
  ],
)}
<h2>签收 Acknowledgement per unit</h2>
${table(
  ['unit', 'level', 'armed', 'deadline (s)', 'acknowledged', 'by', 'seconds', 'on time', 'escalations'],
  report.acknowledgements.map((a) => [
    a.department,
    levelName(a.level),
    beijing(a.armedAt),
    figure(a.deadlineSeconds),
    beijing(a.acknowledgedAt),
    a.acknowledgedBy?.username ?? '',
    figure(a.secondsToAcknowledge),
    a.onTime === null ? 'open' : a.onTime ? 'yes' : 'no',
    figure(a.escalations),
  ]),
  [3, 6, 8],
)}
<h2>时间线 Timeline</h2>
${table(
  ['time (Beijing)', 'what', 'who', 'detail'],
  report.timeline.map((t) => [beijing(t.at), t.kind, t.who, t.detail]),
)}
<h2>证据地图 Evidence map</h2>
${evidenceMap(report)}
${table(
  ['#', 'time', 'department', 'type', 'position'],
  report.evidence.map((e, i) => [
    String(i + 1),
    beijing(e.occurredAt),
    e.department,
    e.type,
    e.location ? `${e.location.coordinates[1]}, ${e.location.coordinates[0]}` : '',
  ]),
)}`,
  );
}
