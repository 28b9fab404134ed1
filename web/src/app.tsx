import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { departmentEntry, type AuthSession, type WarningView } from '@liandong/contracts';
import { useLogout, useSession, useWarnings } from './api/queries.ts';
import { setLang, useI18n } from './i18n/index.ts';
import {
  dismissAnnouncement,
  dismissResumed,
  useLive,
  useLiveConnection,
  useSound,
  type Resumed,
} from './live/live.ts';
import { navigate, routeOf, usePath, warningPath, type Route } from './router.ts';
import { useNow } from './components/common.tsx';
import { formatDuration, formatTime } from './format.ts';
import { LoginScreen } from './screens/login.tsx';
import { QueueScreen } from './screens/queue.tsx';
import { WarningScreen } from './screens/warning.tsx';
import { MapScreen } from './screens/map.tsx';
import { FeedsScreen } from './screens/feeds.tsx';
import { PeriodReportScreen } from './screens/period-report.tsx';
import { WarningReportScreen } from './screens/warning-report.tsx';
import { canReadReports } from './reports/access.ts';

/** Whether this user still has to acknowledge the warning (a liaison: its unit; others: any unit). */
export function awaitingAck(warning: WarningView, session: AuthSession): boolean {
  if (warning.status !== 'active') return false;
  const unit = session.user.role === 'liaison' ? session.user.department : null;
  return warning.acknowledgements.some(
    (a) => a.state === 'pending' && (unit === null || a.department === unit),
  );
}

export function App() {
  const session = useSession();
  const { t } = useI18n();
  if (session.isPending) return <p className="loading">{t('common.loading')}</p>;
  if (!session.data) return <LoginScreen />;
  return <Console session={session.data} />;
}

function Console({ session }: { session: AuthSession }) {
  const { t, text, lang } = useI18n();
  const client = useQueryClient();
  const warnings = useWarnings(false);
  useLiveConnection(client, true, warnings.data);
  const live = useLive();
  const [sound, setSound] = useSound();
  const logout = useLogout();
  const route = routeOf(usePath());

  const pending = (warnings.data ?? []).filter((w) => awaitingAck(w, session)).length;
  useEffect(() => {
    document.title = pending > 0 ? t('app.titleCount', { count: pending }) : t('app.title');
  }, [pending, t, lang]);

  const user = session.user;
  const who =
    user.role === 'liaison' && user.department
      ? t('user.unitOf', { role: t(`role.${user.role}`), unit: text(departmentEntry(user.department).name) })
      : t(`role.${user.role}`);

  const reports = canReadReports(user.role);
  const nav = [
    { path: '/queue', label: t('nav.queue'), active: route.screen === 'queue' || route.screen === 'warning' },
    { path: '/map', label: t('nav.map'), active: route.screen === 'map' },
    { path: '/feeds', label: t('nav.feeds'), active: route.screen === 'feeds' },
    ...(reports
      ? [
          {
            path: '/reports',
            label: t('nav.reports'),
            active: route.screen === 'reports' || route.screen === 'warningReport',
          },
        ]
      : []),
  ];

  return (
    <div className="shell">
      <header className="topbar">
        <div className="brand">
          <strong>{t('app.name')}</strong> <span>{t('app.subtitle')}</span>
        </div>
        <nav aria-label={t('nav.main')}>
          {nav.map((n) => (
            <a
              key={n.path}
              href={n.path}
              aria-current={n.active ? 'page' : undefined}
              onClick={(e) => {
                e.preventDefault();
                navigate(n.path);
              }}
            >
              {n.label}
              {n.path === '/queue' && pending > 0 ? <span className="count-pill">{pending}</span> : null}
            </a>
          ))}
        </nav>
        <div className="topbar-right">
          <Clock />
          <span className={`conn conn-${live.connection}`} role="status" data-testid="connection">
            <span aria-hidden="true">{live.connection === 'connected' ? '●' : '○'}</span>{' '}
            {t(`conn.${live.connection}`)}
          </span>
          <button type="button" className="ghost" aria-pressed={sound} onClick={() => setSound(!sound)}>
            {sound ? t('banner.soundOn') : t('banner.soundOff')}
          </button>
          <button
            type="button"
            className="ghost"
            aria-label={t('lang.label')}
            onClick={() => setLang(lang === 'en' ? 'zh-CN' : 'en')}
          >
            {t('lang.switch')}
          </button>
          <span className="who" data-testid="who">
            {user.displayName || user.username} · {who}
          </span>
          <button type="button" className="ghost" onClick={() => logout.mutate()}>
            {t('nav.logout')}
          </button>
        </div>
      </header>
      <ConnectionBanner />
      <div className="banners" aria-live="assertive">
        {live.announcements.map((a) => (
          <div key={a.id} className={`banner banner-${a.warning.level}`} role="alert" data-testid="banner">
            <span>
              {t(a.kind === 'new' ? 'banner.newWarning' : 'banner.raised', {
                level: t(`level.${a.warning.level}`),
                title: text(a.warning.title),
              })}
            </span>
            {a.warning.exercise ? <span className="exercise-tag">{t('exercise.tag')}</span> : null}
            <button
              type="button"
              onClick={() => {
                dismissAnnouncement(a.id);
                navigate(warningPath(a.warning.id));
              }}
            >
              {t('banner.open')}
            </button>
            <button type="button" className="ghost" onClick={() => dismissAnnouncement(a.id)}>
              {t('banner.dismiss')}
            </button>
          </div>
        ))}
      </div>
      <main>
        {route.screen === 'queue' ? <QueueScreen session={session} /> : null}
        {route.screen === 'warning' ? <WarningScreen id={route.id} session={session} /> : null}
        {route.screen === 'map' ? <MapScreen session={session} /> : null}
        {route.screen === 'feeds' ? <FeedsScreen /> : null}
        {route.screen === 'reports' || route.screen === 'warningReport' ? (
          <Reports route={route} allowed={reports} />
        ) : null}
      </main>
    </div>
  );
}

/** The office's time, whatever the machine's zone: every time on the console is Beijing time. */
function Clock() {
  const { t, lang } = useI18n();
  const now = useNow();
  return (
    <span className="clock-top" role="timer" data-testid="clock">
      {t('clock', { time: formatTime(new Date(now).toISOString(), lang, false) })}
    </span>
  );
}

/** The after-action reports, for the roles the hub lets read them (a liaison is told it may not). */
function Reports({
  route,
  allowed,
}: {
  route: Extract<Route, { screen: 'reports' | 'warningReport' }>;
  allowed: boolean;
}) {
  const { t } = useI18n();
  if (!allowed)
    return (
      <p className="empty" data-testid="no-access">
        {t('report.noAccess')}
      </p>
    );
  return route.screen === 'reports' ? <PeriodReportScreen /> : <WarningReportScreen id={route.id} />;
}

/**
 * The live link lost: a banner that does not go away while it is down (what is on screen may be
 * stale), and, once the hub has replayed what was missed, how long it was away and what came in.
 */
function ConnectionBanner() {
  const { t, lang } = useI18n();
  const live = useLive();
  const now = useNow();
  const down = live.connection === 'reconnecting' || live.connection === 'disconnected';
  if (down && live.lostAt !== null)
    return (
      <div className="banner banner-offline" role="alert" data-testid="offline-banner">
        <span aria-hidden="true">！</span>
        <span>
          {t(live.connection === 'disconnected' ? 'conn.downSince' : 'conn.lostSince', {
            since: formatTime(new Date(live.lostAt).toISOString(), lang, false),
            duration: formatDuration(now - live.lostAt, t),
          })}
        </span>
        {live.browserOnline ? null : <span>{t('conn.browserOffline')}</span>}
      </div>
    );
  if (live.connection === 'connected' && live.resumed) return <ResumedNotice resumed={live.resumed} />;
  return null;
}

const RESUMED_NOTICE_MS = 30_000;

function ResumedNotice({ resumed }: { resumed: Resumed }) {
  const { t } = useI18n();
  const now = useNow();
  useEffect(() => {
    const timer = setTimeout(dismissResumed, RESUMED_NOTICE_MS);
    return () => clearTimeout(timer);
  }, [resumed]);
  if (now - resumed.at > RESUMED_NOTICE_MS) return null;
  return (
    <div
      className="banner banner-resumed"
      role="status"
      data-testid="resumed-banner"
      data-replayed={resumed.replayed}
    >
      <span aria-hidden="true">√</span>
      <span>{t('conn.restored', { duration: formatDuration(resumed.awayMs, t) })}</span>
      <span>
        {resumed.reloaded
          ? t('conn.reload')
          : resumed.replayed > 0
            ? t('conn.caughtUp', { count: resumed.replayed })
            : t('conn.nothingMissed')}
      </span>
      <button type="button" className="ghost" onClick={dismissResumed}>
        {t('banner.dismiss')}
      </button>
    </div>
  );
}
