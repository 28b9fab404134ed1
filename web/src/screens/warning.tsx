import { useState, type FormEvent } from 'react';
import {
  DISPOSITIONS,
  departmentEntry,
  type Acknowledgement,
  type AuthSession,
  type Disposition,
  type ThresholdMet,
  type WarningActivity,
} from '@liandong/contracts';
import { describeError } from '../api/client.ts';
import { useResolve, useWarningDetail } from '../api/queries.ts';
import { AckForm } from '../components/ack-form.tsx';
import { Countdown, ExerciseTag, LevelBadge } from '../components/common.tsx';
import { formatDuration, formatTime, recipientName } from '../format.ts';
import { useI18n } from '../i18n/index.ts';
import { WarningMap } from '../map/warning-map.tsx';
import { canReadReports } from '../reports/access.ts';
import { navigate, warningReportPath } from '../router.ts';

/** Why the rule fired, in words: one sentence per threshold met. */
function useThresholdSentence() {
  const { t } = useI18n();
  return (m: ThresholdMet) => {
    const key = `threshold.names.${m.name}`;
    const name = t(key) === key ? m.name : t(key);
    return t('threshold.sentence', {
      name,
      value: Number.isInteger(m.value) ? m.value : m.value.toFixed(2),
      threshold: Number.isInteger(m.threshold) ? m.threshold : m.threshold.toFixed(2),
      unit: m.unit && m.unit !== '1' ? ` ${m.unit}` : '',
    });
  };
}

export function WarningScreen({ id, session }: { id: string; session: AuthSession }) {
  const { t, text, lang } = useI18n();
  const detail = useWarningDetail(id);
  const sentence = useThresholdSentence();
  if (detail.isPending) return <p>{t('common.loading')}</p>;
  if (detail.isError)
    return (
      <p className="error">
        {t('detail.notFound')} ({describeError(detail.error)})
      </p>
    );
  const { warning, revisions, evidenceEvents, escalations, activity } = detail.data;
  const role = session.user.role;
  const unitName = (code: Acknowledgement['department']) => text(departmentEntry(code).name);

  return (
    <article className="detail" aria-labelledby="warning-title">
      <button type="button" className="ghost" onClick={() => navigate('/queue')}>
        ← {t('detail.back')}
      </button>
      <header className={`detail-head head-${warning.level}`}>
        <LevelBadge level={warning.level} />
        <h1 id="warning-title">{text(warning.title)}</h1>
        <ExerciseTag show={warning.exercise} />
        <span className={`status status-${warning.status}`}>{t(`status.${warning.status}`)}</span>
        {canReadReports(role) ? (
          <a
            className="button-link head-action"
            href={warningReportPath(warning.id)}
            data-testid="open-report"
            onClick={(e) => {
              e.preventDefault();
              navigate(warningReportPath(warning.id));
            }}
          >
            {t('report.openForWarning')}
          </a>
        ) : null}
      </header>
      <p className="summary">{text(warning.summary)}</p>
      <p className="muted">
        {t('detail.raisedAt')} {formatTime(warning.raisedAt, lang)} · {t('detail.updatedAt')}{' '}
        {formatTime(warning.updatedAt, lang)} · {t('queue.rev', { revision: warning.revision })}
      </p>
      {warning.resolution ? (
        <p className="resolution" data-testid="resolution">
          {t('detail.resolution', {
            disposition: t(`resolve.${warning.resolution.disposition}`),
            by: warning.resolution.by.username,
            at: formatTime(warning.resolution.at, lang),
          })}
          {warning.resolution.note ? ` — ${warning.resolution.note}` : ''}
        </p>
      ) : null}

      <div className="detail-grid">
        <section aria-labelledby="why">
          <h2 id="why">{t('detail.why')}</h2>
          <p className="muted">{t('detail.rule', { rule: warning.ruleId, version: warning.ruleVersion })}</p>
          <ul className="why">
            {warning.thresholds.map((m, i) => (
              <li key={i}>{sentence(m)}</li>
            ))}
          </ul>
          <p className="muted">
            {t('detail.firstEvidence')} {formatTime(warning.firstEvidenceAt, lang)} ·{' '}
            {t('detail.lastEvidence')} {formatTime(warning.lastEvidenceAt, lang)}
          </p>
        </section>

        <section aria-labelledby="matrix">
          <h2 id="matrix">{t('detail.matrix')}</h2>
          <table className="matrix" data-testid="matrix">
            <thead>
              <tr>
                <th scope="col">{t('detail.colUnit')}</th>
                <th scope="col">{t('detail.colState')}</th>
                <th scope="col">{t('detail.colDeadline')}</th>
                <th scope="col">{t('detail.colClock')}</th>
                <th scope="col">{t('detail.colBy')}</th>
                <th scope="col">{t('detail.colNote')}</th>
              </tr>
            </thead>
            <tbody>
              {warning.acknowledgements.map((a) => {
                const canAck =
                  a.state === 'pending' &&
                  ((role === 'liaison' && session.user.department === a.department) || role === 'operator');
                return (
                  <tr
                    key={a.department}
                    className={`ack-${a.state}`}
                    data-unit={a.department}
                    data-state={a.state}
                  >
                    <th scope="row">{unitName(a.department)}</th>
                    <td>
                      <span className={`chip chip-${a.state}`}>
                        <span aria-hidden="true">
                          {a.state === 'acknowledged' ? '√' : a.state === 'pending' ? '○' : '—'}
                        </span>{' '}
                        {t(`ack.${a.state}`)}
                        {a.late === true ? ` · ${t('ack.late')}` : ''}
                      </span>
                      {a.escalations > 0 ? (
                        <span className="chip chip-escalated">！×{a.escalations}</span>
                      ) : null}
                    </td>
                    <td className="nowrap">{formatTime(a.deadline, lang)}</td>
                    <td>
                      {a.state === 'pending' ? (
                        <Countdown deadline={a.deadline} />
                      ) : a.acknowledgedAt ? (
                        formatDuration(Date.parse(a.acknowledgedAt) - Date.parse(a.armedAt), t)
                      ) : (
                        '—'
                      )}
                    </td>
                    <td>
                      {a.acknowledgedBy
                        ? t('user.byWho', {
                            name: a.acknowledgedBy.username,
                            role: t(`role.${a.acknowledgedBy.role}`),
                          })
                        : '—'}
                    </td>
                    <td>
                      {a.note ?? ''}
                      {canAck ? (
                        <AckForm
                          warningId={warning.id}
                          unit={a.department}
                          onBehalf={role === 'operator'}
                          compact
                        />
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {role === 'operator' && warning.status === 'active' ? <ResolveForm id={warning.id} /> : null}
        </section>

        <section aria-labelledby="evmap" className="span-2">
          <h2 id="evmap">{t('detail.evidenceMap')}</h2>
          <WarningMap warning={warning} events={evidenceEvents} />
        </section>

        <section aria-labelledby="evidence">
          <h2 id="evidence">{t('detail.evidence', { count: warning.evidence.length })}</h2>
          <ol className="evidence">
            {evidenceEvents.map((e) => (
              <li key={e.id}>
                <span className="nowrap">{formatTime(e.occurredAt, lang)}</span> ·{' '}
                {text(departmentEntry(e.department).name)} · {e.title ? text(e.title) : e.type}
                <ExerciseTag show={e.status !== 'Actual'} test={e.status === 'Test'} />
                {e.address ? <span className="muted"> · {e.address}</span> : null}
              </li>
            ))}
          </ol>
        </section>

        <section aria-labelledby="revisions">
          <h2 id="revisions">{t('detail.revisions')}</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('detail.colRevision')}</th>
                <th scope="col">{t('detail.colLevel')}</th>
                <th scope="col">{t('detail.colAt')}</th>
                <th scope="col">{t('detail.colEvidence')}</th>
              </tr>
            </thead>
            <tbody>
              {revisions.map((r) => (
                <tr key={r.revision}>
                  <td>{r.revision}</td>
                  <td>
                    <LevelBadge level={r.level} />
                  </td>
                  <td className="nowrap">{formatTime(r.updatedAt, lang)}</td>
                  <td>{r.evidence.length}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>

        <section aria-labelledby="escalations">
          <h2 id="escalations">{t('detail.escalations')}</h2>
          {escalations.length === 0 ? (
            <p className="muted">{t('detail.noEscalations')}</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('detail.colUnit')}</th>
                  <th scope="col">{t('detail.colStep')}</th>
                  <th scope="col">{t('detail.colAt')}</th>
                  <th scope="col">{t('detail.colNotified')}</th>
                </tr>
              </thead>
              <tbody>
                {escalations.map((e) => (
                  <tr key={`${e.department}-${e.step}-${e.escalatedAt}`}>
                    <td>{unitName(e.department)}</td>
                    <td>{e.step}</td>
                    <td className="nowrap">{formatTime(e.escalatedAt, lang)}</td>
                    <td>{e.notified.map((n) => recipientName(n, t, text)).join(t('common.separator'))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>

        <section aria-labelledby="trail">
          <h2 id="trail">{t('detail.trail')}</h2>
          {activity.length === 0 ? <p className="muted">{t('detail.noTrail')}</p> : null}
          <ol className="trail" data-testid="trail">
            {activity.map((a) => (
              <li key={a.id}>
                <span className="nowrap">{formatTime(a.at, lang)}</span> · <ActivityLine activity={a} />
              </li>
            ))}
          </ol>
        </section>
      </div>
    </article>
  );
}

function ActivityLine({ activity }: { activity: WarningActivity }) {
  const { t, text } = useI18n();
  switch (activity.type) {
    case 'warning.acknowledged':
      return (
        <>
          {t('detail.activity.acknowledged', {
            unit: text(departmentEntry(activity.department).name),
            by: t('user.byWho', { name: activity.by.username, role: t(`role.${activity.by.role}`) }),
            late: activity.late ? ` · ${t('ack.late')}` : '',
          })}
          {activity.note ? ` — ${activity.note}` : ''}
        </>
      );
    case 'warning.escalated':
      return (
        <>
          {t('detail.activity.escalated', {
            unit: text(departmentEntry(activity.department).name),
            level: t(`level.${activity.level}`),
            notified: activity.notified.map((n) => recipientName(n, t, text)).join(t('common.separator')),
          })}
        </>
      );
    case 'warning.resolved':
      return (
        <>
          {t('detail.activity.resolved', {
            by: activity.by.username,
            disposition: t(`resolve.${activity.disposition}`),
          })}
          {activity.note ? ` — ${activity.note}` : ''}
        </>
      );
  }
}

function ResolveForm({ id }: { id: string }) {
  const { t } = useI18n();
  const resolve = useResolve();
  const [disposition, setDisposition] = useState<Disposition>('confirmed');
  const [note, setNote] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    resolve.mutate({ id, body: { disposition, ...(note.trim() ? { note: note.trim() } : {}) } });
  };
  return (
    <form className="resolve-form" onSubmit={submit} aria-labelledby="resolve-heading" data-testid="resolve">
      <h3 id="resolve-heading">{t('resolve.heading')}</h3>
      <label>
        {t('resolve.disposition')}
        <select value={disposition} onChange={(e) => setDisposition(e.target.value as Disposition)}>
          {DISPOSITIONS.map((d) => (
            <option key={d} value={d}>
              {t(`resolve.${d}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('resolve.note')}
        <input value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} />
      </label>
      <button type="submit" className="primary" disabled={resolve.isPending}>
        {t('resolve.submit')}
      </button>
      {resolve.isError ? (
        <span className="error" role="alert">
          {t('resolve.failed', { detail: describeError(resolve.error) })}
        </span>
      ) : null}
    </form>
  );
}
