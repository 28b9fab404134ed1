/**
 * A Leaflet map with the console's base: the chosen tiles, and always the offline layer of
 * Nanhai (the district outline and its seven towns with their official codes) so that the map
 * still reads with no tiles at all. Tiles that fail to load are reported (the offline notice).
 */
import L from 'leaflet';
import nanhai from 'virtual:nanhai-geo';
import type { GeoArea } from '@liandong/contracts';
import { projector, tilePreset, type TilePresetId } from './tiles.ts';

export const NANHAI_CENTER: [number, number] = [23.03, 113.05];

export interface BaseMap {
  map: L.Map;
  project: (lon: number, lat: number) => [number, number];
  /** GeoJSON polygon rings to Leaflet's [lat, lon] in the tiles' frame. */
  area: (area: GeoArea) => [number, number][][][];
  destroy(): void;
}

export function createBaseMap(
  container: HTMLElement,
  options: {
    preset: TilePresetId;
    townLabel: (code: string) => string;
    onTilesFailed: (failed: boolean) => void;
    zoom?: number;
  },
): BaseMap {
  const preset = tilePreset(options.preset);
  const project = projector(preset.crs);
  const map = L.map(container, {
    preferCanvas: true,
    zoomControl: true,
    attributionControl: true,
    minZoom: 8,
    maxZoom: 18,
  }).setView(project(NANHAI_CENTER[1], NANHAI_CENTER[0]), options.zoom ?? 11);
  let loaded = 0;
  let failed = 0;
  if (preset.layers.length === 0) options.onTilesFailed(true);
  for (const spec of preset.layers) {
    const layer = L.tileLayer(spec.url, {
      ...(spec.subdomains ? { subdomains: spec.subdomains } : {}),
      attribution: spec.attribution,
      maxZoom: spec.maxZoom,
      crossOrigin: false,
    });
    layer.on('tileload', () => {
      loaded += 1;
      if (loaded === 1) options.onTilesFailed(false);
    });
    layer.on('tileerror', () => {
      failed += 1;
      if (loaded === 0 && failed >= 2) options.onTilesFailed(true);
    });
    layer.addTo(map);
  }

  const ring = (coordinates: number[][]) => coordinates.map(([lon, lat]) => project(lon ?? 0, lat ?? 0));
  const polygons = (geometry: { type: string; coordinates: unknown }): [number, number][][][] =>
    geometry.type === 'Polygon'
      ? [(geometry.coordinates as number[][][]).map(ring)]
      : (geometry.coordinates as number[][][][]).map((p) => p.map(ring));

  // Town names under the event markers (their own pane below the marker pane), never over a count.
  map.createPane('townLabels').style.zIndex = '450';
  const offline = L.layerGroup().addTo(map);
  L.polygon(polygons(nanhai.district.geometry), {
    color: '#37474f',
    weight: 2,
    fillColor: '#eceff1',
    fillOpacity: 0.35,
    interactive: false,
  }).addTo(offline);
  for (const town of nanhai.towns) {
    const at = project(town.center.lon, town.center.lat);
    L.circle(at, {
      radius: town.radiusM,
      color: '#78909c',
      weight: 1,
      dashArray: '4 4',
      fillOpacity: 0.05,
      interactive: false,
    }).addTo(offline);
    L.marker(at, {
      interactive: false,
      keyboard: false,
      icon: L.divIcon({ className: 'town-label', html: '', iconSize: [0, 0] }),
    })
      .bindTooltip(options.townLabel(town.code), {
        permanent: true,
        direction: 'center',
        className: 'town-tooltip',
        pane: 'townLabels',
      })
      .addTo(offline);
  }

  return {
    map,
    project,
    area: (a) => polygons(a),
    destroy: () => map.remove(),
  };
}

export function townName(code: string, lang: 'zh-CN' | 'en'): string {
  const town = nanhai.towns.find((t) => t.code === code);
  return town ? (lang === 'en' ? town.name.en : town.name.zh) : code;
}

export const NANHAI = nanhai;
