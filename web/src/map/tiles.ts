/**
 * Base maps. OpenStreetMap by default; presets for Tianditu (天地图, CGCS2000 ≈ WGS-84, needs a
 * key) and AMap (高德, GCJ-02: everything drawn over it is shifted from WGS-84 to GCJ-02); a custom
 * URL; or none (offline). Chosen in the map's panel and remembered; the build's default comes from
 * VITE_TILE_PRESET / VITE_TILE_URL / VITE_TIANDITU_KEY. The hub's CSP must allow the tile host
 * (CSP_TILE_SOURCES).
 */
import gcoord from 'gcoord';

export type TilePresetId = 'osm' | 'tianditu' | 'amap' | 'custom' | 'none';
export interface TileLayerSpec {
  url: string;
  subdomains?: string;
  attribution: string;
  maxZoom: number;
}
export interface TilePreset {
  id: TilePresetId;
  layers: TileLayerSpec[];
  /** The frame the tiles are drawn in; WGS-84 data is converted to it. */
  crs: 'WGS84' | 'GCJ02';
}

const TIANDITU_KEY = import.meta.env.VITE_TIANDITU_KEY ?? '';
const tianditu = (layer: 'vec' | 'cva') =>
  `https://t{s}.tianditu.gov.cn/${layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=${layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=${TIANDITU_KEY}`;

export function tilePreset(id: TilePresetId, customUrl = import.meta.env.VITE_TILE_URL ?? ''): TilePreset {
  switch (id) {
    case 'osm':
      return {
        id,
        crs: 'WGS84',
        layers: [
          {
            url: 'https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png',
            subdomains: 'abc',
            attribution: '© OpenStreetMap contributors',
            maxZoom: 19,
          },
        ],
      };
    case 'tianditu':
      return {
        id,
        crs: 'WGS84',
        layers: [
          { url: tianditu('vec'), subdomains: '01234567', attribution: '© 天地图', maxZoom: 18 },
          { url: tianditu('cva'), subdomains: '01234567', attribution: '', maxZoom: 18 },
        ],
      };
    case 'amap':
      return {
        id,
        crs: 'GCJ02',
        layers: [
          {
            url: 'https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}',
            subdomains: '1234',
            attribution: '© 高德地图 AutoNavi',
            maxZoom: 18,
          },
        ],
      };
    case 'custom':
      return {
        id,
        crs: 'WGS84',
        layers: customUrl ? [{ url: customUrl, attribution: '', maxZoom: 19 }] : [],
      };
    case 'none':
      return { id, crs: 'WGS84', layers: [] };
  }
}

const STORAGE = 'liandong.tiles';
export const TILE_PRESETS: readonly TilePresetId[] = ['osm', 'tianditu', 'amap', 'custom', 'none'];

export function storedPreset(): TilePresetId {
  const stored = localStorage.getItem(STORAGE) ?? import.meta.env.VITE_TILE_PRESET ?? 'osm';
  return (TILE_PRESETS as readonly string[]).includes(stored) ? (stored as TilePresetId) : 'osm';
}
export function storePreset(id: TilePresetId) {
  localStorage.setItem(STORAGE, id);
}

/** WGS-84 [lon, lat] to the [lat, lon] Leaflet draws in the preset's frame. */
export function projector(crs: TilePreset['crs']): (lon: number, lat: number) => [number, number] {
  if (crs === 'WGS84') return (lon, lat) => [lat, lon];
  return (lon, lat) => {
    const [x, y] = gcoord.transform([lon, lat], gcoord.WGS84, gcoord.GCJ02);
    return [y, x];
  };
}
