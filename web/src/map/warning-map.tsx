import { useEffect, useRef, useState } from 'react';
import L from 'leaflet';
import type { EventView, WarningView } from '@liandong/contracts';
import { useI18n } from '../i18n/index.ts';
import { createBaseMap, townName } from './base-map.ts';
import { DEPARTMENT_COLOURS, LEVEL_STROKE } from './style.ts';
import { storedPreset } from './tiles.ts';

/** A warning's area and its evidence events, on the console's base map. */
export function WarningMap({ warning, events }: { warning: WarningView; events: EventView[] }) {
  const ref = useRef<HTMLDivElement>(null);
  const { t, text, lang } = useI18n();
  const [offline, setOffline] = useState(false);
  useEffect(() => {
    if (!ref.current) return;
    const base = createBaseMap(ref.current, {
      preset: storedPreset(),
      townLabel: (c) => townName(c, lang),
      onTilesFailed: setOffline,
      zoom: 12,
    });
    const stroke = LEVEL_STROKE[warning.level];
    const polygon = L.polygon(base.area(warning.area), {
      color: stroke.colour,
      weight: stroke.weight,
      ...(stroke.dash ? { dashArray: stroke.dash } : {}),
      fillColor: stroke.colour,
      fillOpacity: 0.15,
    })
      .bindTooltip(`${t(`level.${warning.level}`)} · ${text(warning.title)}`)
      .addTo(base.map);
    const bounds = polygon.getBounds();
    for (const e of events) {
      if (!e.location) continue;
      const at = base.project(e.location.coordinates[0], e.location.coordinates[1]);
      bounds.extend(at);
      L.circleMarker(at, {
        radius: 7,
        color: '#fff',
        weight: 2,
        fillColor: DEPARTMENT_COLOURS[e.department],
        fillOpacity: 1,
      })
        .bindTooltip(e.title ? text(e.title) : e.type)
        .addTo(base.map);
    }
    if (bounds.isValid()) base.map.fitBounds(bounds, { padding: [30, 30], maxZoom: 15 });
    return () => base.destroy();
  }, [warning, events, lang]);
  return (
    <div className="map-wrap small-map">
      <div ref={ref} className="leaflet-host" data-testid="warning-map" />
      {offline ? <div className="map-notice">{t('map.tilesOffline')}</div> : null}
    </div>
  );
}
