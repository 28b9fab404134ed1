import { useMemo, useRef, useState, type KeyboardEvent } from 'react';
import {
  departmentEntry,
  levelRank,
  type Acknowledgement,
  type AuthSession,
  type WarningView,
} from '@liandong/contracts';
import { useWarnings } from '../api/queries.ts';
import { describeError } from '../api/client.ts';
import { awaitingAck } from '../app.tsx';
import { AckForm } from '../components/ack-form.tsx';
import { Countdown, ExerciseTag, LevelBadge } from '../components/common.tsx';
import { formatTime } from '../format.ts';
import { useI18n } from '../i18n/index.ts';
import { navigate, warningPath } from '../router.ts';

/** The acknowledgements this user looks at: a liaison's own unit, everyone else's all. */
function relevant(warning: WarningView, session: AuthSession): Acknowledgement[] {
  const unit = session.user.role === 'liaison' ? session.user.department : null;
  return warning.acknowledgements.filter((a) => unit === null || a.department === unit);
}

function nextDeadline(warning: WarningView, session: AuthSession): number {
  const pending = relevant(warning, session).filter((a) => a.state === 'pending');
  return pending.length ? Math.min(...pending.map((a) => Date.parse(a.deadline))) : Number.POSITIVE_INFINITY;
}

/** Highest level first; within a level, the least time left to acknowledge first. */
export function sortQueue(warnings: WarningView[], session: AuthSession): WarningView[] {
  return [...warnings].sort(
    (a, b) =>
      Number(b.status === 'active') - Number(a.status === 'active') ||
      levelRank(b.level) - levelRank(a.level) ||
      nextDeadline(a, session) - nextDeadline(b, session) ||
      b.raisedAt.localeCompare(a.raisedAt),
  );
}

export function QueueScreen({ session }: { session: AuthSession }) {
  const { t, text, lang } = useI18n();
  const [showClosed, setShowClosed] = useState(false);
  const warnings = useWarnings(showClosed);
  const rows = useMemo(() => sortQueue(warnings.data ?? [], session), [warnings.data, session]);
  const rowRefs = useRef<(HTMLTableRowElement | null)[]>([]);
  const noteRefs = useRef<(HTMLInputElement | null)[]>([]);
  const liaison = session.user.role === 'liaison' ? session.user.department : null;
  const pending = rows.filter((w) => awaitingAck(w, session)).length;

  const onKey = (index: number, warning: WarningView) => (e: KeyboardEvent<HTMLTableRowElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'j') {
      e.preventDefault();
      rowRefs.current[Math.min(rows.length - 1, index + 1)]?.focus();
    } else if (e.key === 'ArrowUp' || e.key === 'k') {
      e.preventDefault();
      rowRefs.current[Math.max(0, index - 1)]?.focus();
    } else if (e.key === 'Enter' && e.target === e.currentTarget) {
      navigate(warningPath(warning.id));
    } else if ((e.key === 'a' || e.key === 'A') && e.target === e.currentTarget) {
      e.preventDefault();
      const input = noteRefs.current[index];
      if (input) input.focus();
      else navigate(warningPath(warning.id));
    }
  };

  return (
    <section className="queue" aria-labelledby="queue-heading">
      <div className="section-head">
        <h1 id="queue-heading">
          {liaison
            ? t('queue.headingMine', { unit: text(departmentEntry(liaison).name) })
            : t('queue.heading')}
        </h1>
        <span className="muted" data-testid="queue-count">
          {t('queue.count', { total: rows.filter((w) => w.status === 'active').length, pending })}
        </span>
        <label className="inline">
          <input type="checkbox" checked={showClosed} onChange={(e) => setShowClosed(e.target.checked)} />
          {t('queue.showClosed')}
        </label>
        <span className="muted kbd-hint">{t('queue.keyboardHint')}</span>
      </div>
      {warnings.isError ? (
        <p className="error">{t('common.error', { detail: describeError(warnings.error) })}</p>
      ) : null}
      {warnings.isPending ? <p>{t('common.loading')}</p> : null}
      {!warnings.isPending && rows.length === 0 ? <p className="empty">{t('queue.empty')}</p> : null}
      {rows.length > 0 ? (
        <table className="queue-table" data-testid="queue">
          <thead>
            <tr>
              <th scope="col">{t('queue.colLevel')}</th>
              <th scope="col">{t('queue.colTitle')}</th>
              <th scope="col">{t('queue.colUnits')}</th>
              <th scope="col">{t('queue.colLeft')}</th>
              <th scope="col">{t('queue.colRaised')}</th>
              <th scope="col">{t('queue.colAction')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((w, i) => {
              const acks = relevant(w, session);
              const pendingAcks = acks.filter((a) => a.state === 'pending');
              const deadline = nextDeadline(w, session);
              const mine = liaison ? pendingAcks.find((a) => a.department === liaison) : undefined;
              return (
                <tr
                  key={w.id}
                  ref={(el) => void (rowRefs.current[i] = el)}
                  tabIndex={0}
                  className={`row-${w.level} ${w.status !== 'active' ? 'row-closed' : ''} ${w.exercise ? 'row-exercise' : ''}`}
                  data-warning={w.id}
                  onKeyDown={onKey(i, w)}
                  onDoubleClick={() => navigate(warningPath(w.id))}
                >
                  <td>
                    <LevelBadge level={w.level} />
                  </td>
                  <td className="title-cell">
                    <a
                      href={warningPath(w.id)}
                      onClick={(e) => {
                        e.preventDefault();
                        navigate(warningPath(w.id));
                      }}
                    >
                      {text(w.title)}
                    </a>
                    <ExerciseTag show={w.exercise} />
                    <div className="muted small">
                      {t(`status.${w.status}`)} · {t('queue.rev', { revision: w.revision })}
                    </div>
                  </td>
                  <td>
                    <ul className="unit-chips">
                      {acks.map((a) => (
                        <li key={a.department} className={`chip chip-${a.state}`}>
                          <span aria-hidden="true">
                            {a.state === 'acknowledged' ? '√' : a.state === 'pending' ? '○' : '—'}
                          </span>{' '}
                          {text(departmentEntry(a.department).name)} · {t(`ack.${a.state}`)}
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td>
                    {Number.isFinite(deadline) ? (
                      <Countdown deadline={new Date(deadline).toISOString()} />
                    ) : (
                      '—'
                    )}
                  </td>
                  <td className="nowrap">{formatTime(w.raisedAt, lang)}</td>
                  <td>
                    {mine ? (
                      <AckForm
                        warningId={w.id}
                        unit={mine.department}
                        onBehalf={false}
                        compact
                        inputRef={(el) => void (noteRefs.current[i] = el)}
                      />
                    ) : (
                      <button type="button" onClick={() => navigate(warningPath(w.id))}>
                        {t('queue.open')}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
