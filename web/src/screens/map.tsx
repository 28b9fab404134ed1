import { useEffect, useMemo, useRef, useState } from 'react';
import L from 'leaflet';
import {
  DEPARTMENT_CODES,
  LEVELS,
  departmentEntry,
  type AuthSession,
  type DepartmentCode,
  type EventPoint,
  type EventView,
  type Level,
} from '@liandong/contracts';
import { lastEventsFetch, useEvent, useEventPoints, useWarnings } from '../api/queries.ts';
import { describeError } from '../api/client.ts';
import { ExerciseTag, LevelBadge } from '../components/common.tsx';
import { formatTime, fromLocalInput, toLocalInput, typeName } from '../format.ts';
import { useI18n } from '../i18n/index.ts';
import { createBaseMap, townName, type BaseMap } from '../map/base-map.ts';
import { EventLayer } from '../map/event-layer.ts';
import { DEPARTMENT_COLOURS, LEVEL_STROKE, type GlyphFamily } from '../map/style.ts';
import { storedPreset, storePreset, TILE_PRESETS, type TilePresetId } from '../map/tiles.ts';
import { navigate, warningPath } from '../router.ts';

type Span = '1h' | '6h' | '24h' | 'custom';
type ExerciseFilter = 'all' | 'real' | 'exercise';
type Panel =
  | { kind: 'event'; id: string }
  | { kind: 'cluster'; events: EventPoint[]; total: number; zoomIn: () => void }
  | null;

const HOURS: Record<Exclude<Span, 'custom'>, number> = { '1h': 1, '6h': 6, '24h': 24 };

export function MapScreen({ session }: { session: AuthSession }) {
  const { t, text, lang } = useI18n();
  const liaisonDept = session.user.role === 'liaison' ? session.user.department : null;
  const ownDepartments: readonly DepartmentCode[] | null = liaisonDept
    ? DEPARTMENT_CODES.filter((d) => d === liaisonDept)
    : null;

  const [span, setSpan] = useState<Span>('24h');
  const [anchor] = useState(() => Date.now());
  const [customFrom, setCustomFrom] = useState(() => toLocalInput(new Date(anchor - 24 * 3600_000)));
  const [customTo, setCustomTo] = useState(() => toLocalInput(new Date(anchor)));
  const from =
    span === 'custom'
      ? fromLocalInput(customFrom).toISOString()
      : new Date(anchor - HOURS[span] * 3600_000).toISOString();
  const to = span === 'custom' ? fromLocalInput(customTo).toISOString() : undefined;
  const [departments, setDepartments] = useState<Set<DepartmentCode>>(() => new Set(DEPARTMENT_CODES));
  const [type, setType] = useState('');
  const [levels, setLevels] = useState<Set<Level>>(() => new Set(LEVELS));
  const [exercise, setExercise] = useState<ExerciseFilter>('all');
  const [preset, setPreset] = useState<TilePresetId>(storedPreset);
  const [offline, setOffline] = useState(false);
  const [panel, setPanel] = useState<Panel>(null);

  const events = useEventPoints(from, to, ownDepartments);
  const warnings = useWarnings(false);

  const filtered = useMemo(
    () =>
      (events.data ?? []).filter(
        (e) =>
          departments.has(e.department) &&
          (!type || e.type === type) &&
          (exercise === 'all' || (exercise === 'real') === (e.status === 'Actual')),
      ),
    [events.data, departments, type, exercise],
  );
  const types = useMemo(() => [...new Set((events.data ?? []).map((e) => e.type))].sort(), [events.data]);
  const shownWarnings = useMemo(
    () =>
      (warnings.data ?? []).filter(
        (w) => levels.has(w.level) && (exercise === 'all' || (exercise === 'real') === !w.exercise),
      ),
    [warnings.data, levels, exercise],
  );

  const host = useRef<HTMLDivElement>(null);
  const base = useRef<BaseMap | null>(null);
  const layer = useRef<EventLayer | null>(null);
  const areas = useRef<L.LayerGroup | null>(null);
  const labels = useRef({ glyph: (f: GlyphFamily) => t(`map.glyph.${f}`), mark: t('exercise.tag') });
  labels.current = { glyph: (f: GlyphFamily) => t(`map.glyph.${f}`), mark: t('exercise.tag') };

  useEffect(() => {
    if (!host.current) return;
    const b = createBaseMap(host.current, {
      preset,
      townLabel: (c) => townName(c, lang),
      onTilesFailed: setOffline,
    });
    base.current = b;
    layer.current = new EventLayer(b.map, b.project, {
      onEvent: (point) => setPanel({ kind: 'event', id: point.id }),
      onCluster: (list, total, zoomIn) => setPanel({ kind: 'cluster', events: list, total, zoomIn }),
      glyph: (f) => labels.current.glyph(f),
      exerciseMark: labels.current.mark,
    });
    areas.current = L.layerGroup().addTo(b.map);
    return () => {
      layer.current?.destroy();
      b.destroy();
      base.current = null;
      layer.current = null;
    };
  }, [preset, lang]);

  useEffect(() => {
    if (!layer.current || !events.data) return;
    const started = performance.now();
    layer.current.setEvents(filtered);
    // Measured by the browser test: when the events first stand on the map, and how long the draw took.
    requestAnimationFrame(() => {
      performance.mark('liandong:events-rendered', {
        detail: { count: filtered.length, drawMs: performance.now() - started, ...lastEventsFetch },
      });
    });
  }, [filtered, events.data, preset, lang]);

  useEffect(() => {
    const b = base.current;
    const group = areas.current;
    if (!b || !group) return;
    group.clearLayers();
    for (const w of shownWarnings) {
      const stroke = LEVEL_STROKE[w.level];
      L.polygon(b.area(w.area), {
        color: stroke.colour,
        weight: stroke.weight,
        ...(stroke.dash ? { dashArray: stroke.dash } : {}),
        fillColor: stroke.colour,
        fillOpacity: 0.12,
      })
        .bindTooltip(
          `${t(`level.${w.level}`)}${w.exercise ? ` · ${t('exercise.tag')}` : ''} · ${text(w.title)}`,
          { sticky: true },
        )
        .on('click', () => navigate(warningPath(w.id)))
        .addTo(group);
    }
  }, [shownWarnings, preset, lang, t, text]);

  const toggle = <T,>(set: Set<T>, value: T) => {
    const next = new Set(set);
    if (next.has(value)) next.delete(value);
    else next.add(value);
    return next;
  };

  return (
    <section className="map-screen" aria-labelledby="map-heading">
      <aside className="filters" aria-label={t('map.filters')}>
        <h1 id="map-heading">{t('map.heading')}</h1>
        <p className="muted" data-testid="event-count">
          {events.isPending
            ? t('map.loading')
            : t('map.events', { shown: filtered.length, total: events.data?.length ?? 0 })}{' '}
          · {t('map.warningsOnMap', { count: shownWarnings.length })}
        </p>
        {events.isError ? (
          <p className="error">{t('common.error', { detail: describeError(events.error) })}</p>
        ) : null}
        <fieldset>
          <legend>{t('map.time')}</legend>
          {(['1h', '6h', '24h', 'custom'] as const).map((s) => (
            <label key={s} className="inline">
              <input type="radio" name="span" checked={span === s} onChange={() => setSpan(s)} />
              {t(s === 'custom' ? 'map.custom' : `map.last${s}`)}
            </label>
          ))}
          {span === 'custom' ? (
            <div className="custom-range">
              <label>
                {t('map.from')}
                <input
                  type="datetime-local"
                  value={customFrom}
                  onChange={(e) => setCustomFrom(e.target.value)}
                />
              </label>
              <label>
                {t('map.to')}
                <input type="datetime-local" value={customTo} onChange={(e) => setCustomTo(e.target.value)} />
              </label>
            </div>
          ) : null}
        </fieldset>
        <fieldset>
          <legend>{t('map.department')}</legend>
          {(ownDepartments ?? DEPARTMENT_CODES).map((d) => (
            <label key={d} className="inline dept">
              <input
                type="checkbox"
                checked={departments.has(d)}
                onChange={() => setDepartments(toggle(departments, d))}
              />
              <span className="swatch" style={{ background: DEPARTMENT_COLOURS[d] }} aria-hidden="true" />
              {text(departmentEntry(d).name)}
            </label>
          ))}
        </fieldset>
        <label>
          {t('map.type')}
          <select value={type} onChange={(e) => setType(e.target.value)}>
            <option value="">{t('map.allTypes')}</option>
            {types.map((ty) => (
              <option key={ty} value={ty}>
                {typeName(ty, text)}
              </option>
            ))}
          </select>
        </label>
        <fieldset>
          <legend>{t('map.levelFilter')}</legend>
          {LEVELS.map((l) => (
            <label key={l} className="inline">
              <input type="checkbox" checked={levels.has(l)} onChange={() => setLevels(toggle(levels, l))} />
              <LevelBadge level={l} />
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>{t('map.exercise')}</legend>
          {(['all', 'real', 'exercise'] as const).map((x) => (
            <label key={x} className="inline">
              <input type="radio" name="exercise" checked={exercise === x} onChange={() => setExercise(x)} />
              {t(x === 'all' ? 'map.exerciseAll' : x === 'real' ? 'map.exerciseReal' : 'map.exerciseOnly')}
            </label>
          ))}
        </fieldset>
        <label>
          {t('map.tiles')}
          <select
            value={preset}
            onChange={(e) => {
              const id = e.target.value as TilePresetId;
              storePreset(id);
              setPreset(id);
            }}
          >
            {TILE_PRESETS.map((p) => (
              <option key={p} value={p}>
                {t(`map.presets.${p}`)}
              </option>
            ))}
          </select>
        </label>
      </aside>
      <div className="map-wrap">
        <div ref={host} className="leaflet-host" data-testid="event-map" />
        {offline ? (
          <div className="map-notice" role="status" data-testid="offline-notice">
            {t('map.tilesOffline')}
          </div>
        ) : null}
      </div>
      {panel ? (
        <aside
          className="side-panel"
          aria-label={panel.kind === 'event' ? t('map.record') : t('map.cluster', { count: panel.total })}
          data-testid="side-panel"
        >
          <button type="button" className="ghost close" onClick={() => setPanel(null)}>
            ✕ {t('map.close')}
          </button>
          {panel.kind === 'cluster' ? (
            <>
              <h2>{t('map.cluster', { count: panel.total })}</h2>
              <button type="button" onClick={panel.zoomIn}>
                ＋
              </button>
              <ul className="cluster-list">
                {panel.events.map((e) => (
                  <li key={e.id}>
                    <button
                      type="button"
                      className="link"
                      onClick={() => setPanel({ kind: 'event', id: e.id })}
                    >
                      <span
                        className="swatch"
                        style={{ background: DEPARTMENT_COLOURS[e.department] }}
                        aria-hidden="true"
                      />
                      {formatTime(e.occurredAt, lang, false)} · {text(departmentEntry(e.department).name)} ·{' '}
                      {typeName(e.type, text)}
                    </button>
                    <ExerciseTag show={e.status !== 'Actual'} test={e.status === 'Test'} />
                  </li>
                ))}
              </ul>
              {panel.total > panel.events.length ? (
                <p className="muted">{t('map.clusterMore', { count: panel.total - panel.events.length })}</p>
              ) : null}
            </>
          ) : (
            <EventRecordById id={panel.id} />
          )}
        </aside>
      ) : null}
    </section>
  );
}

function EventRecordById({ id }: { id: string }) {
  const { t } = useI18n();
  const event = useEvent(id);
  if (event.isPending) return <p>{t('common.loading')}</p>;
  if (event.isError)
    return <p className="error">{t('common.error', { detail: describeError(event.error) })}</p>;
  return <EventRecord event={event.data} />;
}

function EventRecord({ event }: { event: EventView }) {
  const { t, text, lang } = useI18n();
  const texts = event.texts.find((x) => x.language.startsWith(lang === 'en' ? 'en' : 'zh')) ?? event.texts[0];
  return (
    <div className="event-record" data-testid="event-record">
      <h2>
        {event.title ? text(event.title) : typeName(event.type, text)}{' '}
        <ExerciseTag show={event.status !== 'Actual'} test={event.status === 'Test'} />
      </h2>
      <dl>
        <dt>{t('map.department')}</dt>
        <dd>{text(departmentEntry(event.department).name)}</dd>
        <dt>{t('map.type')}</dt>
        <dd>{typeName(event.type, text)}</dd>
        <dt>{t('map.severity')}</dt>
        <dd>{t(`severity.${event.severity}`)}</dd>
        <dt>{t('map.statusLabel')}</dt>
        <dd>{t(`eventStatus.${event.status}`)}</dd>
        <dt>{t('map.occurred')}</dt>
        <dd>{formatTime(event.occurredAt, lang)}</dd>
        <dt>{t('map.received')}</dt>
        <dd>{formatTime(event.receivedAt, lang)}</dd>
        {event.address ? (
          <>
            <dt>{t('map.address')}</dt>
            <dd>{event.address}</dd>
          </>
        ) : null}
        <dt>{t('map.source')}</dt>
        <dd>
          {event.source.system} · {event.source.id}
        </dd>
        {texts?.description ? (
          <>
            <dt>{t('map.description')}</dt>
            <dd data-testid="event-description">{texts.description}</dd>
          </>
        ) : null}
        {event.measurements.length ? (
          <>
            <dt>{t('map.measurements')}</dt>
            <dd>
              {event.measurements.map((m) => `${m.name} ${m.value} ${m.unit}`).join(t('common.separator'))}
            </dd>
          </>
        ) : null}
      </dl>
      <h3>{t('map.raw')}</h3>
      <p className="muted small">{t('map.rawNote')}</p>
      <pre className="raw" data-testid="event-raw">
        {JSON.stringify(event, null, 2)}
      </pre>
    </div>
  );
}
