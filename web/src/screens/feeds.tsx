import { departmentEntry } from '@liandong/contracts';
import { describeError } from '../api/client.ts';
import { useFeedHealth } from '../api/queries.ts';
import { formatDuration, formatTime } from '../format.ts';
import { useI18n } from '../i18n/index.ts';

/** Each department's feed: its last event and rate; a silent feed stands out (colour, icon, words). */
export function FeedsScreen() {
  const { t, text, lang } = useI18n();
  const health = useFeedHealth();
  if (health.isPending) return <p>{t('common.loading')}</p>;
  if (health.isError)
    return <p className="error">{t('common.error', { detail: describeError(health.error) })}</p>;
  const { feeds, silenceThresholdSeconds } = health.data;
  return (
    <section className="feeds" aria-labelledby="feeds-heading">
      <h1 id="feeds-heading">{t('feeds.heading')}</h1>
      <p className="muted">
        {t('feeds.window', { minutes: feeds[0]?.windowMinutes ?? 5, seconds: silenceThresholdSeconds })}
      </p>
      <table className="feeds-table" data-testid="feeds">
        <thead>
          <tr>
            <th scope="col">{t('feeds.colDept')}</th>
            <th scope="col">{t('feeds.colState')}</th>
            <th scope="col">{t('feeds.colLast')}</th>
            <th scope="col">{t('feeds.colRate')}</th>
          </tr>
        </thead>
        <tbody>
          {feeds.map((f) => (
            <tr key={f.department} className={f.silent ? 'feed-silent' : 'feed-live'} data-silent={f.silent}>
              <th scope="row">{text(departmentEntry(f.department).name)}</th>
              <td>
                {f.silent ? (
                  <strong className="silent-tag">
                    ！ {t('feeds.silent')}
                    {f.silentSeconds !== null
                      ? ` · ${t('feeds.silentFor', { time: formatDuration(f.silentSeconds * 1000, t) })}`
                      : ` · ${t('feeds.never')}`}
                  </strong>
                ) : (
                  <span className="live-tag">√ {t('feeds.live')}</span>
                )}
              </td>
              <td>{f.lastReceivedAt ? formatTime(f.lastReceivedAt, lang) : t('feeds.never')}</td>
              <td>{f.eventsPerMinute.toFixed(1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
