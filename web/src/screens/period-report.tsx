import { useMemo, useState, type FormEvent } from 'react';
import {
  CATEGORY_NAMES,
  DISPOSITIONS,
  LEVELS,
  NANHAI_ADMIN_CODE,
  NANHAI_TOWNS,
  departmentEntry,
  isUnitCode,
  type Category,
  type PeriodFigures,
  type PeriodReport,
} from '@liandong/contracts';
import { describeError } from '../api/client.ts';
import { periodReportUrl, usePeriodReport } from '../api/queries.ts';
import { ComplianceBar, CountBarChart, LevelBarChart } from '../components/charts.tsx';
import { ExerciseTag, LevelBadge } from '../components/common.tsx';
import { ExportLinks, Kpi, Panel, TableHead, reportSeconds } from '../components/report-parts.tsx';
import { formatTime, fromLocalInput, toLocalInput } from '../format.ts';
import { useI18n } from '../i18n/index.ts';
import {
  PERIOD_PRESETS,
  beijingDate,
  periodFromSearch,
  presetOf,
  presetPeriod,
  warningsByDay,
  type Period,
} from '../reports/period.ts';
import { navigate, replaceSearch, useSearch, warningReportPath } from '../router.ts';

/** The longest period the hub reports on (MAX_PERIOD_DAYS of its report routes). */
const MAX_DAYS = 400;

export function PeriodReportScreen() {
  const { t } = useI18n();
  const search = useSearch();
  // The default is fixed when the screen opens (a clock ticking past midnight does not move it).
  const [opened] = useState(() => new Date());
  const period = useMemo(() => periodFromSearch(search, opened), [search, opened]);
  const report = usePeriodReport(period.from, period.to);
  const [tab, setTab] = useState<'real' | 'exercise'>('real');

  return (
    <section className="report" aria-labelledby="report-heading">
      <div className="section-head">
        <h1 id="report-heading">{t('report.periodHeading')}</h1>
        <span className="muted">{t('report.beijingNote')}</span>
      </div>
      <PeriodForm
        // A period set elsewhere (back, a link) fills the fields afresh.
        key={`${period.from}/${period.to}`}
        period={period}
        now={opened}
        onChange={(p) => replaceSearch(`?from=${encodeURIComponent(p.from)}&to=${encodeURIComponent(p.to)}`)}
      />
      <PeriodLine
        period={period}
        report={report.data}
        refreshing={report.isFetching}
        onRefresh={() => void report.refetch()}
      />
      <ExportLinks
        url={(format) => periodReportUrl(period.from, period.to, format)}
        name={`liandong-report-${stamp(period.from)}-${stamp(period.to)}`}
      />
      {report.isPending ? <p>{t('common.loading')}</p> : null}
      {report.isError ? (
        <p className="error" role="alert">
          {t('report.failed', { detail: describeError(report.error) })}
        </p>
      ) : null}
      {report.data ? (
        <>
          <div className="tabs" role="tablist" aria-label={t('report.kindLabel')}>
            {(['real', 'exercise'] as const).map((k) => (
              <button
                key={k}
                type="button"
                role="tab"
                aria-selected={tab === k}
                data-testid={`tab-${k}`}
                onClick={() => setTab(k)}
              >
                {t(`report.tab.${k}`, { count: report.data[k].warnings })}
              </button>
            ))}
          </div>
          <Figures report={report.data} figures={report.data[tab]} exercise={tab === 'exercise'} />
        </>
      ) : null}
    </section>
  );
}

function PeriodForm({ period, now, onChange }: { period: Period; now: Date; onChange: (p: Period) => void }) {
  const { t } = useI18n();
  const [from, setFrom] = useState(() => toLocalInput(new Date(period.from)));
  const [to, setTo] = useState(() => toLocalInput(new Date(period.to)));
  const [error, setError] = useState<string | null>(null);
  const active = presetOf(period, now);
  const choose = (p: Period) => {
    setFrom(toLocalInput(new Date(p.from)));
    setTo(toLocalInput(new Date(p.to)));
    setError(null);
    onChange(p);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!from || !to) return setError(t('report.periodMissing'));
    const f = fromLocalInput(from);
    const u = fromLocalInput(to);
    if (!(u > f)) return setError(t('report.periodOrder'));
    if (u.getTime() - f.getTime() > MAX_DAYS * 86_400_000)
      return setError(t('report.periodTooLong', { days: MAX_DAYS }));
    setError(null);
    onChange({ from: f.toISOString(), to: u.toISOString() });
  };
  return (
    <form className="period-form" onSubmit={submit} data-testid="period-form">
      <div className="presets" role="group" aria-label={t('report.presets')}>
        {PERIOD_PRESETS.map((p) => (
          <button
            key={p}
            type="button"
            aria-pressed={active === p}
            data-preset={p}
            onClick={() => choose(presetPeriod(p, now))}
          >
            {t(`report.preset.${p}`)}
          </button>
        ))}
      </div>
      <label className="inline">
        {t('report.from')}
        <input
          type="datetime-local"
          name="from"
          value={from}
          required
          onChange={(e) => setFrom(e.target.value)}
        />
      </label>
      <label className="inline">
        {t('report.to')}
        <input type="datetime-local" name="to" value={to} required onChange={(e) => setTo(e.target.value)} />
      </label>
      <button type="submit" className="primary">
        {t('report.apply')}
      </button>
      {error ? (
        <span className="error" role="alert">
          {error}
        </span>
      ) : null}
    </form>
  );
}

function PeriodLine({
  period,
  report,
  refreshing,
  onRefresh,
}: {
  period: Period;
  report: PeriodReport | undefined;
  refreshing: boolean;
  onRefresh: () => void;
}) {
  const { t, lang } = useI18n();
  return (
    <p className="period-line" data-testid="period-line">
      {t('report.periodLine', {
        from: formatTime(period.from, lang).slice(0, -3),
        to: formatTime(period.to, lang).slice(0, -3),
      })}
      {report ? ` · ${t('report.generatedAt', { at: formatTime(report.generatedAt, lang) })}` : ''}{' '}
      <button type="button" className="ghost" onClick={onRefresh} disabled={refreshing}>
        {refreshing ? t('report.refreshing') : t('report.refresh')}
      </button>
    </p>
  );
}

function Figures({
  report,
  figures,
  exercise,
}: {
  report: PeriodReport;
  figures: PeriodFigures;
  exercise: boolean;
}) {
  const { t, text, lang } = useI18n();
  const days = useMemo(() => warningsByDay(report, exercise), [report, exercise]);
  const seconds = (v: number | null) => reportSeconds(v, t);
  const percent = (v: number | null) =>
    v === null
      ? '—'
      : new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'zh-CN', {
          style: 'percent',
          maximumFractionDigits: 1,
        }).format(v);
  const sum = (k: 'onTime' | 'late' | 'missed' | 'open' | 'armed') =>
    figures.compliance.reduce((n, c) => n + c[k], 0);
  const counted = sum('onTime') + sum('late') + sum('missed');
  const unitName = (code: string) => (isUnitCode(code) ? text(departmentEntry(code).name) : code);
  const townName = (code: string) =>
    code === NANHAI_ADMIN_CODE
      ? t('report.districtOnly')
      : text(NANHAI_TOWNS.find((town) => town.adminCode === code)?.name) || code;
  const warnings = report.warnings.filter((w) => w.exercise === exercise);
  const dayLabel = (iso: string) => beijingDate(iso).slice(5).replace('-', '/');

  return (
    <div className="report-body" data-testid={`figures-${exercise ? 'exercise' : 'real'}`}>
      {exercise ? (
        <p className="exercise-note">
          <ExerciseTag show /> {t('report.exerciseNote')}
        </p>
      ) : null}
      <dl className="kpis" data-testid="kpis">
        <Kpi name="warnings" label={t('report.kpi.warnings')} value={figures.warnings} />
        {[...LEVELS].reverse().map((level) => (
          <Kpi
            key={level}
            name={`level-${level}`}
            label={<LevelBadge level={level} />}
            value={figures.byLevel[level] ?? 0}
          />
        ))}
        <Kpi name="missed" label={t('report.kpi.missed')} value={sum('missed')} alert={sum('missed') > 0} />
        <Kpi name="late" label={t('report.kpi.late')} value={sum('late')} />
        <Kpi name="escalations" label={t('report.kpi.escalations')} value={figures.escalations} />
        <Kpi
          name="compliance"
          label={t('report.kpi.compliance')}
          value={percent(counted ? sum('onTime') / counted : null)}
        />
        <Kpi
          name="ack-median"
          label={t('report.kpi.ackMedian')}
          value={seconds(figures.ackSeconds.median)}
          hint={t('report.kpi.p90', { value: seconds(figures.ackSeconds.p90) })}
        />
        <Kpi
          name="detect-median"
          label={t('report.kpi.detectMedian')}
          value={seconds(figures.detectSeconds.median)}
          hint={t('report.kpi.p90', { value: seconds(figures.detectSeconds.p90) })}
        />
      </dl>

      <Panel id="by-day" heading={t(days.days === 1 ? 'report.byDay' : 'report.byWeek')}>
        <LevelBarChart
          id={`day-${exercise ? 'x' : 'r'}`}
          testId="chart-by-day"
          label={t(days.days === 1 ? 'report.byDay' : 'report.byWeek')}
          bars={days.buckets.map((b) => ({
            key: b.date,
            label: dayLabel(b.start),
            title: days.days === 1 ? b.date : t('report.weekOf', { date: b.date }),
            byLevel: b.byLevel,
          }))}
        />
      </Panel>

      <Panel
        id="compliance"
        heading={t('report.complianceHeading')}
        note={t('report.complianceNote')}
        empty={figures.compliance.length === 0}
      >
        <table className="report-table" data-testid="compliance">
          <TableHead
            cols={[
              t('report.col.unit'),
              ...[
                t('report.col.armed'),
                t('report.ack.onTime'),
                t('report.ack.late'),
                t('report.ack.missed'),
                t('report.ack.open'),
                t('report.col.rate'),
                t('report.col.median'),
                t('report.col.p90'),
              ].map(numeric),
              { label: t('report.col.against'), className: 'wide' },
            ]}
          />
          <tbody>
            {figures.compliance.map((c) => (
              <tr key={c.department} data-unit={c.department} className={c.missed > 0 ? 'row-missed' : ''}>
                <th scope="row">{unitName(c.department)}</th>
                <td className="num" data-field="armed">
                  {c.armed}
                </td>
                <td className="num" data-field="onTime">
                  {c.onTime}
                </td>
                <td className="num" data-field="late">
                  {c.late}
                </td>
                <td className="num" data-field="missed">
                  {c.missed > 0 ? <strong className="missed">！{c.missed}</strong> : c.missed}
                </td>
                <td className="num" data-field="open">
                  {c.open}
                </td>
                <td className="num" data-field="rate">
                  {percent(c.complianceRate)}
                </td>
                <td className="num" data-field="median">
                  {seconds(c.ackSeconds.median)}
                </td>
                <td className="num" data-field="p90">
                  {seconds(c.ackSeconds.p90)}
                </td>
                <td>
                  <ComplianceBar parts={c} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Panel>

      <section className="panel" aria-labelledby="by-hour">
        <h2 id="by-hour">{t('report.byHour')}</h2>
        <p className="muted small" data-testid="busiest">
          {figures.busiestHours.length
            ? t('report.busiest', {
                hours: figures.busiestHours
                  .map((h) => t('report.hourRange', { from: pad(h), to: pad(h + 1) }))
                  .join(t('common.separator')),
              })
            : t('report.none')}
        </p>
        <CountBarChart
          testId="chart-by-hour"
          label={t('report.byHour')}
          highlight={figures.busiestHours.map(String)}
          bars={figures.byHour.map((value, hour) => ({
            key: String(hour),
            label: pad(hour),
            title: t('report.hourRange', { from: pad(hour), to: pad(hour + 1) }),
            value,
          }))}
        />
      </section>

      <div className="report-grid">
        <CountTable
          id="by-category"
          heading={t('report.byCategory')}
          counts={figures.byCategory}
          name={(k) => text(CATEGORY_NAMES[k as Category]) || k}
        />
        <CountTable id="by-town" heading={t('report.byTown')} counts={figures.byTown} name={townName} />
        <CountTable id="by-unit" heading={t('report.byUnit')} counts={figures.byDepartment} name={unitName} />
        <CountTable
          id="by-disposition"
          heading={t('report.dispositions')}
          counts={figures.dispositions}
          name={(k) => t(`resolve.${k}`)}
        />
      </div>

      <Panel
        id="precision"
        heading={t('report.precisionHeading')}
        note={t('report.precisionNote')}
        empty={figures.rulePrecision.length === 0}
      >
        <table className="report-table" data-testid="precision">
          <TableHead
            cols={[
              t('report.col.rule'),
              ...[
                t('report.col.warnings'),
                t('report.col.resolved'),
                ...DISPOSITIONS.map((d) => t(`resolve.${d}`)),
                t('report.col.precision'),
              ].map(numeric),
            ]}
          />
          <tbody>
            {figures.rulePrecision.map((r) => (
              <tr key={r.ruleId} data-rule={r.ruleId}>
                <th scope="row" className="mono">
                  {r.ruleId}
                </th>
                <td className="num">{r.warnings}</td>
                <td className="num">{r.resolved}</td>
                {DISPOSITIONS.map((d) => (
                  <td key={d} className="num">
                    {r.dispositions[d]}
                  </td>
                ))}
                <td className="num">{percent(r.precision)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Panel>

      <Panel
        id="list"
        heading={t('report.listHeading', { count: warnings.length })}
        empty={warnings.length === 0}
      >
        <table className="report-table" data-testid="report-warnings">
          <TableHead
            cols={[
              t('report.col.raised'),
              t('report.col.level'),
              t('report.col.warning'),
              t('report.col.status'),
              t('report.col.disposition'),
              t('report.col.report'),
            ]}
          />
          <tbody>
            {warnings.map((w) => (
              <tr key={w.id} data-warning={w.id}>
                <td className="nowrap">{formatTime(w.raisedAt, lang)}</td>
                <td>
                  <LevelBadge level={w.level} />
                </td>
                <td>
                  {text(w.title)}
                  <ExerciseTag show={w.exercise} />
                </td>
                <td>{t(`status.${w.status}`)}</td>
                <td>{w.disposition ? t(`resolve.${w.disposition}`) : '—'}</td>
                <td>
                  <a
                    href={warningReportPath(w.id)}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(warningReportPath(w.id));
                    }}
                  >
                    {t('report.open')}
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Panel>
    </div>
  );
}

const pad = (h: number) => String(h).padStart(2, '0');
const numeric = (label: string) => ({ label, className: 'num' as const });
/** A Beijing-time stamp for file names, as the hub names its exports (yyyyMMddHHmm). */
const stamp = (iso: string) =>
  new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 16).replace(/\D/g, '');

function CountTable({
  id,
  heading,
  counts,
  name,
}: {
  id: string;
  heading: string;
  counts: Record<string, number>;
  name: (key: string) => string;
}) {
  const rows = Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return (
    <Panel id={id} heading={heading} empty={rows.length === 0}>
      <table className="report-table compact" data-testid={id}>
        <tbody>
          {rows.map(([key, n]) => (
            <tr key={key} data-key={key}>
              <th scope="row">{name(key)}</th>
              <td className="num">{n}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Panel>
  );
}
