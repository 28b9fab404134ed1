import {
  CATEGORY_NAMES,
  departmentEntry,
  isUnitCode,
  type TimelineEntry,
  type UnitAcknowledgement,
  type Warning,
  type WarningActivity,
  type WarningDetail,
  type WarningReport,
} from '@liandong/contracts';
import { describeError } from '../api/client.ts';
import { useWarningDetail, useWarningReport, warningReportUrl } from '../api/queries.ts';
import { DeadlineBar } from '../components/charts.tsx';
import { ExerciseTag, LevelBadge } from '../components/common.tsx';
import { ExportLinks, Kpi, Panel, TableHead, reportSeconds } from '../components/report-parts.tsx';
import { formatTime, recipientName, typeName } from '../format.ts';
import { useI18n } from '../i18n/index.ts';
import { WarningMap } from '../map/warning-map.tsx';
import { navigate, warningPath } from '../router.ts';

export type AckOutcome = 'onTime' | 'late' | 'missed' | 'open';

/** On time, late, missed or still open, as the hub's report defines them. */
export function ackOutcome(a: UnitAcknowledgement): AckOutcome {
  if (a.secondsToAcknowledge !== null) return a.onTime ? 'onTime' : 'late';
  return a.onTime === false ? 'missed' : 'open';
}

export function WarningReportScreen({ id }: { id: string }) {
  const { t, text, lang } = useI18n();
  const report = useWarningReport(id);
  // The warning's detail gives the timeline its words: what each revision changed, notes.
  const detail = useWarningDetail(id);
  if (report.isPending) return <p>{t('common.loading')}</p>;
  if (report.isError)
    return (
      <p className="error" role="alert">
        {t('report.failed', { detail: describeError(report.error) })}
      </p>
    );
  const r = report.data;
  const w = r.warning;
  const unitName = (code: string) => (isUnitCode(code) ? text(departmentEntry(code).name) : code);
  const seconds = (v: number | null) => reportSeconds(v, t);
  const outcomes = r.acknowledgements.map(ackOutcome);
  const count = (o: AckOutcome) => outcomes.filter((x) => x === o).length;

  return (
    <article className="report warning-report" aria-labelledby="report-title">
      <button type="button" className="ghost" onClick={() => navigate(warningPath(id))}>
        ← {t('report.backToWarning')}
      </button>
      <header className={`detail-head head-${w.level}`}>
        <LevelBadge level={w.level} />
        <h1 id="report-title">
          {t('report.warningHeading')}
          {text(w.title)}
        </h1>
        <ExerciseTag show={w.exercise} />
        <span className={`status status-${w.status}`}>{t(`status.${w.status}`)}</span>
      </header>
      <p className="muted" data-testid="report-meta">
        {t('report.rule', { rule: w.ruleId })} · {text(CATEGORY_NAMES[w.category])}
        {w.town ? ` · ${text(w.town.name)}` : ''} · {t('report.routedTo')}{' '}
        {w.departments.map(unitName).join(t('common.separator'))} ·{' '}
        {t('report.generatedAt', { at: formatTime(r.generatedAt, lang) })}
      </p>
      <ExportLinks url={(format) => warningReportUrl(id, format)} name={`liandong-report-${id}`} />

      <dl className="kpis" data-testid="kpis">
        <Kpi name="detect" label={t('report.kpi.detect')} value={seconds(r.timeToDetectSeconds)} />
        <Kpi
          name="resolve"
          label={t('report.kpi.resolve')}
          value={r.timeToResolveSeconds === null ? t('report.notResolved') : seconds(r.timeToResolveSeconds)}
        />
        <Kpi
          name="acks"
          label={t('report.kpi.acksOnTime')}
          value={`${count('onTime')} / ${r.acknowledgements.length}`}
        />
        <Kpi
          name="missed"
          label={t('report.kpi.missed')}
          value={String(count('missed'))}
          alert={count('missed') > 0}
        />
        <Kpi name="late" label={t('report.kpi.late')} value={String(count('late'))} />
        <Kpi name="escalations" label={t('report.kpi.escalations')} value={String(r.escalations)} />
        <Kpi
          name="disposition"
          label={t('report.kpi.disposition')}
          value={r.disposition ? t(`resolve.${r.disposition.disposition}`) : t('report.notResolved')}
          hint={
            r.disposition ? `${r.disposition.by.username} · ${formatTime(r.disposition.at, lang)}` : undefined
          }
        />
        <Kpi name="evidence" label={t('report.kpi.evidence')} value={String(r.evidenceCount)} />
      </dl>

      <Panel id="acks" heading={t('report.acksHeading')} note={t('report.acksNote')}>
        <table className="report-table" data-testid="report-acks">
          <TableHead
            cols={[
              t('report.col.unit'),
              t('report.col.level'),
              t('report.col.armedAt'),
              { label: t('report.col.deadline'), className: 'num' },
              t('report.col.ackedAt'),
              t('report.col.by'),
              { label: t('report.col.taken'), className: 'num' },
              { label: t('report.col.against'), className: 'wide' },
              t('report.col.outcome'),
            ]}
          />
          <tbody>
            {r.acknowledgements.map((a, i) => {
              const outcome = outcomes[i] ?? 'open';
              const elapsed =
                a.secondsToAcknowledge ??
                (a.state === 'pending'
                  ? (Date.parse(r.generatedAt) - Date.parse(a.armedAt)) / 1000
                  : a.deadlineSeconds);
              return (
                <tr
                  key={a.department}
                  data-unit={a.department}
                  data-outcome={outcome}
                  className={`outcome-row-${outcome}`}
                >
                  <th scope="row">{unitName(a.department)}</th>
                  <td>
                    <LevelBadge level={a.level} />
                  </td>
                  <td className="nowrap">{formatTime(a.armedAt, lang)}</td>
                  <td className="num nowrap" data-field="deadline" data-seconds={a.deadlineSeconds}>
                    {seconds(a.deadlineSeconds)}
                  </td>
                  <td className="nowrap">{formatTime(a.acknowledgedAt, lang)}</td>
                  <td>
                    {a.acknowledgedBy
                      ? t('user.byWho', {
                          name: a.acknowledgedBy.username,
                          role: t(`role.${a.acknowledgedBy.role}`),
                        })
                      : '—'}
                  </td>
                  <td className="num nowrap" data-field="taken" data-seconds={a.secondsToAcknowledge ?? ''}>
                    {seconds(a.secondsToAcknowledge)}
                  </td>
                  <td>
                    <DeadlineBar seconds={elapsed} deadlineSeconds={a.deadlineSeconds} outcome={outcome} />
                  </td>
                  <td>
                    <span className={`chip outcome-${outcome}`} data-field="outcome">
                      {outcome === 'missed' ? '！' : outcome === 'onTime' ? '√ ' : ''}
                      {t(`report.ack.${outcome}`)}
                    </span>
                    {a.escalations > 0 ? (
                      <span className="chip chip-escalated">！×{a.escalations}</span>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Panel>

      <div className="report-grid two">
        <Panel id="timeline" heading={t('report.timelineHeading', { count: r.timeline.length })}>
          <ol className="timeline" data-testid="report-timeline">
            {r.timeline.map((e, i) => (
              <li key={i} className={`tl tl-${e.kind}`} data-kind={e.kind}>
                <span className="tl-at nowrap">{formatTime(e.at, lang)}</span>
                <span className={`tl-kind kind-${e.kind}`}>{t(`report.kind.${e.kind}`)}</span>
                <span className="tl-text">
                  <TimelineText entry={e} report={r} detail={detail.data} />
                </span>
              </li>
            ))}
          </ol>
        </Panel>

        <section className="panel" aria-labelledby="evidence-list">
          <h2 id="evidence-list">
            {t('report.evidenceHeading', { seen: r.evidence.length, count: r.evidenceCount })}
          </h2>
          {r.evidence.length < r.evidenceCount ? (
            <p className="muted small">{t('report.evidenceMissing')}</p>
          ) : null}
          <table className="report-table" data-testid="report-evidence">
            <TableHead
              cols={[
                t('report.col.occurred'),
                t('report.col.department'),
                t('report.col.event'),
                t('report.col.position'),
              ]}
            />
            <tbody>
              {r.evidence.map((e) => (
                <tr key={e.id} data-event={e.id}>
                  <td className="nowrap">{formatTime(e.occurredAt, lang)}</td>
                  <td>{unitName(e.department)}</td>
                  <td>{e.title ? text(e.title) : typeName(e.type, text)}</td>
                  <td className="nowrap mono small">
                    {e.location
                      ? `${e.location.coordinates[0].toFixed(5)}, ${e.location.coordinates[1].toFixed(5)}`
                      : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>

      {detail.data ? (
        <Panel id="report-map" heading={t('detail.evidenceMap')}>
          <WarningMap warning={detail.data.warning} events={detail.data.evidenceEvents} />
        </Panel>
      ) : null}
    </article>
  );
}

/**
 * One line of the timeline in the console's language: the hub's own line is English, so the
 * words come from the warning's revisions and activity (matched by time and unit); when they are
 * not at hand the hub's line is shown.
 */
function TimelineText({
  entry,
  report,
  detail,
}: {
  entry: TimelineEntry;
  report: WarningReport;
  detail: WarningDetail | undefined;
}) {
  const { t, text } = useI18n();
  const unitName = (code: string) => (isUnitCode(code) ? text(departmentEntry(code).name) : code);
  const units = (codes: readonly string[]) => codes.map(unitName).join(t('common.separator'));
  const who = entry.role ? t('user.byWho', { name: entry.who, role: t(`role.${entry.role}`) }) : entry.who;
  const activity = <T extends WarningActivity['type']>(type: T) =>
    detail?.activity.find(
      (a): a is Extract<WarningActivity, { type: T }> =>
        a.type === type &&
        a.at === entry.at &&
        ('department' in a ? a.department === entry.department : true),
    );
  const revision = (n: number | null) => detail?.revisions.find((r) => r.revision === n);

  switch (entry.kind) {
    case 'evidence': {
      const e = report.evidence.find((x) => x.occurredAt === entry.at && x.department === entry.who);
      return (
        <>
          {t('report.line.evidence', {
            unit: unitName(entry.who),
            what: e ? (e.title ? text(e.title) : typeName(e.type, text)) : entry.detail,
          })}
        </>
      );
    }
    case 'raised': {
      const first = revision(entry.revision);
      if (!first) return <>{entry.detail}</>;
      return (
        <>
          {t('report.line.raised', {
            rule: first.ruleId,
            level: t(`level.${first.level}`),
            units: units(first.departments),
            count: first.evidence.length,
          })}
        </>
      );
    }
    case 'revised':
    case 'cancelled': {
      const after = revision(entry.revision);
      const before = revision((entry.revision ?? 1) - 1);
      if (!after || !before) return <>{entry.detail}</>;
      return (
        <>
          {t('report.line.revised', { revision: after.revision })}
          {revisionChanges(before, after, t, units)}
        </>
      );
    }
    case 'acknowledged': {
      const a = activity('warning.acknowledged');
      return (
        <>
          {t('report.line.acknowledged', {
            unit: entry.department ? unitName(entry.department) : '',
            by: who,
            late: a?.late ? ` · ${t('ack.late')}` : '',
          })}
          {a?.note ? ` — ${a.note}` : ''}
        </>
      );
    }
    case 'escalated': {
      const a = activity('warning.escalated');
      return (
        <>
          {t('report.line.escalated', {
            unit: entry.department ? unitName(entry.department) : '',
            notified: a ? a.notified.map((n) => recipientName(n, t, text)).join(t('common.separator')) : '—',
          })}
        </>
      );
    }
    case 'resolved': {
      const d = report.disposition;
      return (
        <>
          {d
            ? t('report.line.resolved', { by: who, disposition: t(`resolve.${d.disposition}`) })
            : entry.detail}
          {d?.note ? ` — ${d.note}` : ''}
        </>
      );
    }
  }
}

function revisionChanges(
  before: Warning,
  after: Warning,
  t: ReturnType<typeof useI18n>['t'],
  units: (codes: readonly string[]) => string,
): string {
  const out: string[] = [];
  if (before.level !== after.level)
    out.push(t('report.change.level', { from: t(`level.${before.level}`), to: t(`level.${after.level}`) }));
  if (before.status !== after.status)
    out.push(
      t('report.change.status', { from: t(`status.${before.status}`), to: t(`status.${after.status}`) }),
    );
  const added = after.departments.filter((d) => !before.departments.includes(d));
  const removed = before.departments.filter((d) => !after.departments.includes(d));
  if (added.length) out.push(t('report.change.routed', { units: units(added) }));
  if (removed.length) out.push(t('report.change.unrouted', { units: units(removed) }));
  if (after.evidence.length !== before.evidence.length)
    out.push(t('report.change.evidence', { from: before.evidence.length, to: after.evidence.length }));
  return out.length ? out.join(t('report.change.separator')) : t('report.change.none');
}
