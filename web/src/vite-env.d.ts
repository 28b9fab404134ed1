/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** osm | tianditu | amap | none, or a custom URL in VITE_TILE_URL */
  readonly VITE_TILE_PRESET?: string;
  readonly VITE_TILE_URL?: string;
  readonly VITE_TIANDITU_KEY?: string;
}

declare module 'virtual:nanhai-geo' {
  import type { LocalizedText } from '@liandong/contracts';
  const geo: {
    district: {
      type: 'Feature';
      properties: { code: string; name: LocalizedText };
      geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown };
    };
    towns: { code: string; name: LocalizedText; center: { lon: number; lat: number }; radiusM: number }[];
  };
  export default geo;
}
